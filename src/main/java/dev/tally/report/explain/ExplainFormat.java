package dev.tally.report.explain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.analysis.Derivation;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The four ways {@code tally explain} prints an {@link Explanation}: text for terminals, markdown with LaTeX math
 * ({@code $$...$$}, rendered by GitHub and Jupyter), a LaTeX fragment for a document, and JSON with the symbolic
 * formula, the substituted one and the value of every line. All four print the same {@link Derivation} data.
 */
public enum ExplainFormat {
    TEXT, MARKDOWN, LATEX, JSON;

    public static ExplainFormat parse(String name) {
        for (ExplainFormat format : values()) {
            if (format.name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return format;
            }
        }
        String valid = Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
        throw new UsageException("Unknown format '" + name + "'. Use one of: " + valid + ".");
    }

    public String render(Explanation explanation) {
        return switch (this) {
            case TEXT -> text(explanation);
            case MARKDOWN -> markdown(explanation);
            case LATEX -> latex(explanation);
            case JSON -> json(explanation);
        };
    }

    /** One derivation as text lines, each indented by {@code indent}; a missing one is its one-line reason. */
    public static String text(Derivation derivation, String indent) {
        StringBuilder out = new StringBuilder();
        if (!derivation.isPresent()) {
            return indent + derivation.missing().get() + "\n";
        }
        for (Derivation.Line line : derivation.lines()) {
            out.append(indent).append(ExprFormat.TEXT.line(line));
            if (!line.note().isEmpty()) {
                out.append("   (").append(line.note()).append(")");
            }
            out.append("\n");
        }
        return out.toString();
    }

    /** Each layer's steps as text (heading and lines), by module path in graph order: what the HTML report shows. */
    public static java.util.Map<String, String> textByLayer(Explanation explanation) {
        java.util.Map<String, String> byLayer = new java.util.LinkedHashMap<>();
        for (Explanation.Step step : explanation.steps()) {
            byLayer.merge(step.layer(), heading(step, shared(explanation, step)) + "\n" + text(step.derivation(), "  "), String::concat);
        }
        return byLayer;
    }

    /** One derivation as LaTeX math lines for an {@code align*} environment, or its reason as text. */
    public static String latexLines(Derivation derivation) {
        StringBuilder out = new StringBuilder();
        List<Derivation.Line> lines = derivation.lines();
        for (int i = 0; i < lines.size(); i++) {
            Derivation.Line line = lines.get(i);
            String math = ExprFormat.LATEX.line(line);
            // Align on the first "=": the label on the left.
            int eq = math.indexOf(" = ");
            out.append("  ").append(math, 0, eq).append(" &= ").append(math.substring(eq + 3));
            if (!line.note().isEmpty()) {
                out.append(" &&\\text{").append(escapeText(line.note())).append("}");
            }
            out.append(i + 1 < lines.size() ? " \\\\\n" : "\n");
        }
        return out.toString();
    }

    private static String heading(Explanation.Step step, boolean withNode) {
        String in = step.inputs().stream().map(Shape::toString).collect(Collectors.joining(", "));
        String out = step.outputs().isEmpty() ? "?" : step.outputs().get(0).toString();
        return step.layer() + "  " + step.op() + (withNode ? " (node '" + step.node() + "')" : "") + "  "
                + (in.isEmpty() ? "" : in + " -> ") + out;
    }

    private static boolean shared(Explanation explanation, Explanation.Step step) {
        return explanation.steps().stream().filter(s -> s.layer().equals(step.layer())).count() > 1;
    }

    private static String text(Explanation e) {
        StringBuilder out = new StringBuilder();
        out.append("Model: ").append(e.model()).append("\n");
        e.inputs().forEach(i -> out.append("Input: ").append(i).append("\n"));
        out.append("Convention: ").append(e.convention().displayName()).append(" (").append(e.convention().definition())
                .append(")\n");
        for (Explanation.Step step : e.steps()) {
            out.append("\n").append(heading(step, shared(e, step))).append("\n");
            out.append(text(step.derivation(), "  "));
        }
        out.append("\n").append(e.all() ? "Total" : "Total of the layers shown").append("\n");
        out.append(text(e.totals(), "  "));
        return out.toString();
    }

    private static String markdown(Explanation e) {
        StringBuilder out = new StringBuilder();
        out.append("# tally explain `").append(e.model()).append("`\n\n");
        e.inputs().forEach(i -> out.append("Input: `").append(i).append("`  \n"));
        out.append("Convention: **").append(e.convention().displayName()).append("**, ").append(e.convention().definition())
                .append(".\n");
        for (Explanation.Step step : e.steps()) {
            out.append("\n## `").append(heading(step, shared(e, step))).append("`\n\n");
            markdownLines(out, step.derivation());
        }
        out.append("\n## ").append(e.all() ? "Total" : "Total of the layers shown").append("\n\n");
        markdownLines(out, e.totals());
        return out.toString();
    }

    private static void markdownLines(StringBuilder out, Derivation derivation) {
        if (!derivation.isPresent()) {
            out.append(derivation.missing().get()).append("\n");
            return;
        }
        for (Derivation.Line line : derivation.lines()) {
            out.append("$$").append(ExprFormat.LATEX.line(line));
            if (!line.note().isEmpty()) {
                out.append(" \\quad \\text{(").append(escapeText(line.note())).append(")}");
            }
            out.append("$$\n\n");
        }
    }

    private static String latex(Explanation e) {
        StringBuilder out = new StringBuilder();
        out.append("% tally explain ").append(e.model()).append(": a fragment to \\input{} in a document that loads amsmath.\n");
        out.append("\\subsection*{\\texttt{").append(escapeText(e.model())).append("}}\n");
        e.inputs().forEach(i -> out.append("Input: \\texttt{").append(escapeText(i)).append("}.\n"));
        out.append("Convention: \\textbf{").append(e.convention().displayName()).append("}, ")
                .append(escapeText(e.convention().definition())).append(".\n");
        for (Explanation.Step step : e.steps()) {
            out.append("\n\\subsubsection*{\\texttt{").append(escapeText(heading(step, shared(e, step)))).append("}}\n");
            latexBlock(out, step.derivation());
        }
        out.append("\n\\subsubsection*{").append(e.all() ? "Total" : "Total of the layers shown").append("}\n");
        latexBlock(out, e.totals());
        return out.toString();
    }

    private static void latexBlock(StringBuilder out, Derivation derivation) {
        if (!derivation.isPresent()) {
            out.append(escapeText(derivation.missing().get())).append("\n");
            return;
        }
        out.append("\\begin{align*}\n").append(latexLines(derivation)).append("\\end{align*}\n");
    }

    private static String json(Explanation e) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode root = nodes.objectNode();
        root.put("model", e.model());
        ArrayNode inputs = root.putArray("inputs");
        e.inputs().forEach(inputs::add);
        root.put("convention", e.convention().displayName());
        ArrayNode layers = root.putArray("layers");
        for (Explanation.Step step : e.steps()) {
            ObjectNode layer = layers.addObject();
            layer.put("layer", step.layer());
            layer.put("node", step.node());
            layer.put("op", step.op());
            ArrayNode in = layer.putArray("inputShapes");
            step.inputs().forEach(s -> in.add(shape(nodes, s)));
            ArrayNode outs = layer.putArray("outputShapes");
            step.outputs().forEach(s -> outs.add(shape(nodes, s)));
            putDerivation(layer, step.derivation());
        }
        putDerivation(root.putObject("totals"), e.totals());
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("Cannot write the explanation as JSON.", ex);
        }
    }

    /** {@code "derivation": [{"quantity", "label", "symbolic", "substituted", "value", "unit", "note"}]} or {@code "missing"}. */
    public static void putDerivation(ObjectNode target, Derivation derivation) {
        if (!derivation.isPresent()) {
            target.put("missing", derivation.missing().get());
            return;
        }
        ArrayNode lines = target.putArray("derivation");
        for (Derivation.Line line : derivation.lines()) {
            ObjectNode node = lines.addObject();
            node.put("quantity", line.quantity().name().toLowerCase(Locale.ROOT));
            node.put("label", line.label());
            node.put("symbolic", ExprFormat.TEXT.symbolic(line.expr()));
            node.put("substituted", ExprFormat.TEXT.substituted(line.expr()));
            node.put("latex", ExprFormat.LATEX.line(line));
            node.put("value", line.value());
            node.put("unit", line.unit());
            node.put("note", line.note());
        }
    }

    private static ArrayNode shape(JsonNodeFactory nodes, Shape shape) {
        ArrayNode array = nodes.arrayNode();
        shape.dims().forEach(array::add);
        return array;
    }

    /** Text outside math mode: LaTeX's special characters escaped. */
    static String escapeText(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\textbackslash{}");
                case '_', '#', '%', '&', '$', '{', '}' -> out.append('\\').append(c);
                case '~' -> out.append("\\textasciitilde{}");
                case '^' -> out.append("\\textasciicircum{}");
                case '<' -> out.append("\\textless{}");
                case '>' -> out.append("\\textgreater{}");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
