package dev.tally.cli;

import dev.tally.ir.Model;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code --frozen PATTERN}: parameters the user says do not require grad, for files that cannot say it themselves
 * (ONNX keeps no requires_grad). A pattern is a glob over the parameter's name in the file or in the graph:
 * {@code *} any run of characters (dots included), {@code ?} one character; {@code layer1.*} freezes all of layer1.
 */
record FrozenPatterns(List<String> patterns, List<Pattern> compiled) {
    FrozenPatterns {
        patterns = List.copyOf(patterns);
        compiled = List.copyOf(compiled);
    }

    static FrozenPatterns parse(List<String> globs) {
        List<Pattern> compiled = new ArrayList<>();
        for (String glob : globs) {
            if (glob.isBlank()) {
                throw new UsageException("--frozen needs a parameter name or glob such as 'layer1.*', not an empty string.");
            }
            compiled.add(compile(glob));
        }
        return new FrozenPatterns(globs, compiled);
    }

    /** {@code glob} as a regular expression over the whole name. */
    static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /** {@code model} with the matched parameters frozen; a pattern that matches no parameter is a usage error. */
    Model apply(Model model) {
        if (compiled.isEmpty()) {
            return model;
        }
        List<Param> params = model.graph().params().values().stream().filter(p -> p.role() == Role.PARAM).toList();
        for (int i = 0; i < compiled.size(); i++) {
            Pattern pattern = compiled.get(i);
            if (params.stream().noneMatch(p -> matches(pattern, p))) {
                String example = params.isEmpty() ? "the model has no parameters" : "its names are like '" + params.get(0).sourceName() + "'";
                throw new UsageException("--frozen '" + patterns.get(i) + "' matches no parameter of " + model.path().getFileName()
                        + " (" + example + "); fix the pattern or leave it out.");
            }
        }
        return model.withFrozenParams(p -> compiled.stream().anyMatch(pattern -> matches(pattern, p)));
    }

    private static boolean matches(Pattern pattern, Param param) {
        return pattern.matcher(param.sourceName()).matches() || pattern.matcher(param.name()).matches();
    }
}
