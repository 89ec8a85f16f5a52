package dev.tally.budget;

import dev.tally.analysis.Optimizer;
import dev.tally.report.Units;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tally.ir.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A budget file: many models, their input shapes and limits, in YAML or JSON (told apart by content: JSON
 * starts with {@code {}). Paths are relative to the budget file's folder and may be globs ({@link Globs}).
 *
 * <pre>
 * defaults:                      # optional: applies to every model, which may override each figure
 *   input: 1x3x224x224
 *   limits: {activation: 60MB}
 * models:
 *   - path: exports/alexnet.onnx
 *     limits:                    # any of: params, buffers, weight-bytes, macs, flops, ops, activation, file-size
 *       params: 62M
 *       macs: 0.8G
 *   - path: exports/resnet*.onnx # a glob: every match gets these limits
 *     input: [input=1x3x224x224] # a list for models with several inputs
 *     baseline: reports/resnet.json
 *     max-growth: 2%             # every figure of the baseline; or per figure: {params: 0%, macs: 2%}
 *     fit-batch: 256             # batch 256 must fit in 'memory', as 'tally fit' computes it
 *     memory: 16GiB
 *     fit-by: peak               # or largest (inference)
 *     fit-mode: training         # or inference (the default); training memory then, not fit-by
 *     optimizer: adam            # training mode: sgd, momentum, adam (the default) or adamw
 * </pre>
 *
 * Anything wrong is a {@link UsageException} (exit 2) whose message names the file, the line and the key:
 * {@code budgets.yaml line 7, key 'models[0].limits.macs': '0.8X' has an unknown unit 'X'; ...}.
 */
public final class BudgetFile {
    private static final Set<String> TOP_KEYS = Set.of("models", "defaults");
    private static final Set<String> DEFAULT_KEYS = Set.of("input", "limits", "max-growth", "fit-batch", "memory", "fit-by", "fit-mode",
            "optimizer");
    private static final Set<String> MODEL_KEYS = Set.of("path", "input", "limits", "baseline", "max-growth", "fit-batch", "memory",
            "fit-by", "fit-mode", "optimizer");

    private final Path file;
    private final String name;
    private final Map<String, Integer> lines;

    private BudgetFile(Path file, Map<String, Integer> lines) {
        this.file = file;
        this.name = file.getFileName().toString();
        this.lines = lines;
    }

    /** Reads {@code file} and expands its globs; each model becomes one budget. */
    public static List<ModelBudget> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("The budget file " + file + " cannot be read; check the path.");
        }
        String start = text.stripLeading();
        JsonFactory factory = start.startsWith("{") || start.startsWith("[") ? new JsonFactory() : new YAMLFactory();
        factory.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        Map<String, Integer> lines = new HashMap<>();
        JsonNode root;
        try {
            locate(factory, text, lines);
            try (JsonParser parser = factory.createParser(text)) {
                root = new ObjectMapper(factory).readTree(parser);
            }
        } catch (JacksonException e) {
            JsonLocation where = e.getLocation();
            String line = where == null || where.getLineNr() < 1 ? "" : " line " + where.getLineNr();
            String why = e.getOriginalMessage().lines().findFirst().orElse("").strip();
            if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                // SnakeYAML's first line is the context ("while parsing a flow mapping"); the problem is what to fix.
                line = " line " + (yaml.getProblemMark().getLine() + 1);
                why = yaml.getProblem();
                if (yaml.getContext() != null && yaml.getContextMark() != null) {
                    why += "; " + yaml.getContext().replaceFirst("^while parsing (a |an )?", "the ") + " began on line "
                            + (yaml.getContextMark().getLine() + 1);
                }
            }
            if (why.endsWith(".")) {
                why = why.substring(0, why.length() - 1);
            }
            throw new UsageException(file.getFileName() + line + ": not valid " + (factory instanceof YAMLFactory ? "YAML" : "JSON")
                    + " (" + why + ").");
        } catch (IOException e) {
            throw new UsageException("The budget file " + file + " cannot be read; check the path.");
        }
        return new BudgetFile(file, lines).budgets(root);
    }

    /** Records the line of every key and array element by its JSON pointer, for messages. */
    private static void locate(JsonFactory factory, String text, Map<String, Integer> lines) throws IOException {
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                JsonPointer pointer = parser.getParsingContext().pathAsPointer();
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    continue;
                }
                lines.putIfAbsent(pointer.toString(), parser.currentTokenLocation().getLineNr());
            }
        }
    }

    private List<ModelBudget> budgets(JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new UsageException(name + " is empty; it needs a 'models' list (see 'tally check --help').");
        }
        requireObject(root, "");
        checkKeys(root, "", TOP_KEYS);
        Section defaults = new Section(Map.of(), List.of(), Optional.empty(), Map.of());
        JsonNode defaultsNode = root.get("defaults");
        if (defaultsNode != null) {
            requireObject(defaultsNode, "/defaults");
            checkKeys(defaultsNode, "/defaults", DEFAULT_KEYS);
            defaults = section(defaultsNode, "/defaults");
        }
        JsonNode models = root.get("models");
        if (models == null || !models.isArray() || models.isEmpty()) {
            throw error(models == null ? "" : "/models", "needs a non-empty 'models' list of entries with a 'path'");
        }
        Path base = file.toAbsolutePath().getParent();
        List<ModelBudget> budgets = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            String at = "/models/" + i;
            JsonNode entry = models.get(i);
            requireObject(entry, at);
            checkKeys(entry, at, MODEL_KEYS);
            JsonNode path = entry.get("path");
            if (path == null || !path.isTextual() || path.asText().isBlank()) {
                throw error(path == null ? at : at + "/path", "needs a 'path': a model file or a glob, relative to " + name);
            }
            Section own = section(entry, at);
            Map<Figure, Limit> limits = new EnumMap<>(Figure.class);
            limits.putAll(defaults.limits());
            limits.putAll(own.limits());
            List<String> inputs = own.inputs().isEmpty() ? defaults.inputs() : own.inputs();
            Optional<Baseline> baseline = Optional.empty();
            JsonNode baselineNode = entry.get("baseline");
            if (baselineNode != null) {
                if (!baselineNode.isTextual()) {
                    throw error(at + "/baseline", "must be the path of a 'tally summary --format json' file");
                }
                try {
                    baseline = Optional.of(Baseline.read(base.resolve(baselineNode.asText()).normalize()));
                } catch (UsageException e) {
                    throw error(at + "/baseline", lowerFirst(stripPeriod(e.getMessage())));
                }
            }
            Optional<GrowthSpec> growthSpec = own.growth().isPresent() ? own.growth() : defaults.growth();
            if (own.growth().isPresent() && baseline.isEmpty()) {
                throw error(at + "/max-growth", "needs a 'baseline' in the same entry to grow from");
            }
            if (baseline.isPresent() && growthSpec.isEmpty()) {
                throw error(at + "/baseline", "is given without a 'max-growth' here or in 'defaults'");
            }
            List<GrowthLimit> growth = baseline.isPresent() ? growthSpec.get().limits() : List.of();
            Optional<FitGate> fit = fitGate(defaults.fit(), own.fit(), at);
            if (limits.isEmpty() && growth.isEmpty() && fit.isEmpty()) {
                throw error(at, "has no 'limits' and no 'max-growth', so it would pass whatever the model; add at least one limit");
            }
            String pattern = path.asText().strip();
            List<Path> files;
            try {
                files = Globs.expand(base, pattern);
            } catch (java.util.regex.PatternSyntaxException e) {
                // The fuzzer's find: an unclosed '{' or '[' in a path is a glob the JDK refuses.
                throw error(at + "/path", "'" + pattern + "' is not a glob Tally can read (" + e.getDescription() + " at character "
                        + e.getIndex() + "); close its braces and brackets, or quote them with a backslash");
            } catch (java.nio.file.InvalidPathException e) {
                throw error(at + "/path", "'" + pattern + "' is not a path (" + e.getReason() + ")");
            }
            if (files.isEmpty()) {
                throw error(at + "/path", "'" + pattern + "' matches no file under " + base);
            }
            for (Path model : files) {
                if (!Globs.isGlob(pattern) && !Files.isRegularFile(model)) {
                    throw error(at + "/path", "'" + pattern + "' is not a file (looked for " + model + ")");
                }
                String label = base.relativize(model.toAbsolutePath()).toString().replace('\\', '/');
                budgets.add(new ModelBudget(model, label, inputs, new ArrayList<>(limits.values()), growth, baseline, fit));
            }
        }
        return budgets;
    }

    /** The keys a model entry and {@code defaults} share; {@code fit} holds fit-batch, memory, fit-by by key. */
    private record Section(Map<Figure, Limit> limits, List<String> inputs, Optional<GrowthSpec> growth,
                           Map<String, FitValue> fit) {
    }

    /** One fit key's value as written, with where it was written (for messages). */
    private record FitValue(String text, String pointer) {
    }

    /** The fit gate of an entry: its own fit keys over those of {@code defaults}; empty when neither has any. */
    private Optional<FitGate> fitGate(Map<String, FitValue> defaults, Map<String, FitValue> own, String at) {
        Map<String, FitValue> keys = new LinkedHashMap<>(defaults);
        keys.putAll(own);
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        FitValue batch = keys.get("fit-batch");
        FitValue memory = keys.get("memory");
        if (batch == null || memory == null) {
            FitValue given = batch != null ? batch : memory != null ? memory : keys.values().iterator().next();
            throw error(given.pointer(), "needs both 'fit-batch' and 'memory' here or in 'defaults', e.g. fit-batch: 256, memory: 16GiB");
        }
        long size;
        try {
            size = batch.text().strip().matches("[0-9]{1,18}") ? Long.parseLong(batch.text().strip()) : 0;
        } catch (NumberFormatException e) {
            size = 0;
        }
        if (size < 1) {
            throw error(batch.pointer(), "'" + batch.text() + "' is not a batch size; give a whole number of at least 1");
        }
        long bytes;
        try {
            bytes = Units.parseBytes(memory.text());
        } catch (Units.UnitFormatException e) {
            throw error(memory.pointer(), e.getMessage());
        }
        FitValue byValue = keys.get("fit-by");
        FitValue modeValue = keys.get("fit-mode");
        if (byValue != null) {
            try {
                BatchFit.By.parse(byValue.text().strip());
            } catch (UsageException e) {
                throw error(byValue.pointer(), "'" + byValue.text() + "' is not a figure to fit by; use peak or largest");
            }
        }
        BatchFit.By by;
        try {
            by = FitGate.figure(modeValue == null ? null : modeValue.text(), byValue == null ? null : byValue.text(),
                    "fit-mode", "fit-by");
        } catch (UsageException e) {
            throw error(modeValue != null ? modeValue.pointer() : byValue.pointer(), lowerFirst(stripPeriod(e.getMessage())));
        }
        FitValue optimizerValue = keys.get("optimizer");
        Optimizer optimizer = Optimizer.ADAM;
        if (optimizerValue != null) {
            try {
                optimizer = Optimizer.parse(optimizerValue.text());
            } catch (UsageException e) {
                throw error(optimizerValue.pointer(), lowerFirst(stripPeriod(e.getMessage())));
            }
        }
        return Optional.of(new FitGate(size, bytes, memory.text().strip(), by, optimizer));
    }

    /** {@code max-growth} as written: one percentage for every figure, or one per named figure. */
    private record GrowthSpec(List<GrowthLimit> limits) {
    }

    private Section section(JsonNode node, String at) {
        Map<Figure, Limit> limits = new LinkedHashMap<>();
        JsonNode limitsNode = node.get("limits");
        if (limitsNode != null) {
            requireObject(limitsNode, at + "/limits");
            for (Iterator<Map.Entry<String, JsonNode>> it = limitsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String key = at + "/limits/" + field.getKey();
                Figure figure;
                try {
                    figure = Figure.parse(field.getKey());
                } catch (UsageException e) {
                    throw error(key, "is not a figure; use one of: " + Figure.names());
                }
                try {
                    limits.put(figure, Limit.parse(figure, scalar(field.getValue(), key)));
                } catch (Units.UnitFormatException e) {
                    throw error(key, e.getMessage());
                }
            }
        }
        List<String> inputs = new ArrayList<>();
        JsonNode input = node.get("input");
        if (input != null) {
            if (input.isArray()) {
                for (int i = 0; i < input.size(); i++) {
                    inputs.add(scalar(input.get(i), at + "/input/" + i));
                }
            } else {
                inputs.add(scalar(input, at + "/input"));
            }
            try {
                dev.tally.analysis.InputShapes.parseOverrides(inputs);
            } catch (UsageException e) {
                throw error(at + "/input", lowerFirst(stripPeriod(e.getMessage())));
            }
        }
        Optional<GrowthSpec> growth = Optional.empty();
        JsonNode growthNode = node.get("max-growth");
        if (growthNode != null) {
            growth = Optional.of(growth(growthNode, at + "/max-growth"));
        }
        Map<String, FitValue> fit = new LinkedHashMap<>();
        for (String key : List.of("fit-batch", "memory", "fit-by", "fit-mode", "optimizer")) {
            if (node.has(key)) {
                fit.put(key, new FitValue(scalar(node.get(key), at + "/" + key), at + "/" + key));
            }
        }
        return new Section(limits, inputs, growth, fit);
    }

    private GrowthSpec growth(JsonNode node, String at) {
        List<GrowthLimit> limits = new ArrayList<>();
        try {
            if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    String key = at + "/" + field.getKey();
                    Figure figure;
                    try {
                        figure = Figure.parse(field.getKey());
                    } catch (UsageException e) {
                        throw error(key, "is not a figure; use one of: " + Figure.names());
                    }
                    if (figure.summaryJsonName().isEmpty()) {
                        throw error(key, "cannot grow from a baseline: a summary JSON has no " + figure.displayName());
                    }
                    limits.add(new GrowthLimit(figure, percent(field.getValue(), key)));
                }
                if (limits.isEmpty()) {
                    throw error(at, "names no figure; write 2% for every figure or a map such as {params: 0%, macs: 2%}");
                }
            } else {
                limits.addAll(GrowthLimits.everyFigure(percent(node, at)));
            }
        } catch (Units.UnitFormatException e) {
            throw error(at, e.getMessage());
        }
        return new GrowthSpec(limits);
    }

    private java.math.BigDecimal percent(JsonNode node, String at) {
        try {
            return Units.parsePercent(scalar(node, at));
        } catch (Units.UnitFormatException e) {
            throw error(at, e.getMessage());
        }
    }

    private String scalar(JsonNode node, String at) {
        if (node == null || !node.isValueNode() || node.isNull()) {
            throw error(at, "must be a single value, not " + (node == null || node.isNull() ? "empty" : "a list or a map"));
        }
        return node.asText();
    }

    private void requireObject(JsonNode node, String at) {
        if (!node.isObject()) {
            throw error(at, "must be a map of keys to values");
        }
    }

    private void checkKeys(JsonNode node, String at, Set<String> valid) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!valid.contains(key)) {
                throw error(at + "/" + key, "is not a key here; use one of: " + String.join(", ", new java.util.TreeSet<>(valid)));
            }
        }
    }

    /** {@code budgets.yaml line 7, key 'models[0].limits.macs': WHAT.} */
    private UsageException error(String pointer, String what) {
        Integer line = pointer.isEmpty() ? null : lines.get(pointer);
        String where = name + (line == null ? "" : " line " + line);
        if (!pointer.isEmpty()) {
            where += ", key '" + displayKey(pointer) + "'";
        }
        return new UsageException(where + ": " + what + ".");
    }

    /** {@code /models/0/limits/macs} as {@code models[0].limits.macs}. */
    static String displayKey(String pointer) {
        StringBuilder key = new StringBuilder();
        for (String part : pointer.substring(1).split("/")) {
            String unescaped = part.replace("~1", "/").replace("~0", "~");
            if (!unescaped.isEmpty() && unescaped.chars().allMatch(Character::isDigit)) {
                key.append('[').append(unescaped).append(']');
            } else {
                key.append(key.length() == 0 ? "" : ".").append(unescaped);
            }
        }
        return key.toString();
    }

    private static String stripPeriod(String message) {
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    private static String lowerFirst(String message) {
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
}
