package dev.tally.report.html;

import dev.tally.analysis.Convention;
import dev.tally.report.LayerSummary;
import dev.tally.report.Renderer;
import dev.tally.report.Summary;
import dev.tally.report.TensorSummary;
import dev.tally.report.Totals;
import dev.tally.report.UnsupportedOp;
import dev.tally.report.Units;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * One self-contained HTML page for a summary: header with totals and definitions, the lecture's three
 * per-layer bar charts (activation memory, params, the chosen count), a cumulative-share chart, and the full
 * sortable table. Inline CSS, SVG and a few lines of inline script only: it opens from a mail attachment or a
 * CI artifact with no network.
 */
public final class HtmlRenderer implements Renderer {
    /** More rows than this and {@link #chooseDepth} folds layers into their parents so the charts stay readable. */
    public static final int MAX_ROWS = 60;

    private final List<VerificationLine> verification;
    private final java.util.Map<String, String> derivations;

    public HtmlRenderer() {
        this(List.of());
    }

    /** A renderer that also shows verification results in the header ({@code summary --verify}). */
    public HtmlRenderer(List<VerificationLine> verification) {
        this(verification, java.util.Map.of());
    }

    private HtmlRenderer(List<VerificationLine> verification, java.util.Map<String, String> derivations) {
        this.verification = List.copyOf(verification);
        this.derivations = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(derivations));
    }

    /**
     * A renderer whose table shows a layer's derivation ({@code tally explain}'s text) when its row is clicked.
     *
     * @param byLayer derivation text per module path (a node's layer), in graph order; a row folded by --depth shows its layers'
     */
    public HtmlRenderer withDerivations(java.util.Map<String, String> byLayer) {
        return new HtmlRenderer(verification, byLayer);
    }

    /** One verification check for the header: what was checked, expected, actual, and whether it passed. */
    public record VerificationLine(String check, String expected, String actual, boolean passed) {
    }

    /**
     * The {@code --depth} an HTML report uses when the user gives none: 0 (no folding) up to {@link #MAX_ROWS}
     * layers, else the deepest folding that keeps the rows at or under it (at least 1).
     *
     * @param rowsAtDepth rows the summary has at a depth (0 = unfolded)
     */
    public static int chooseDepth(java.util.function.IntUnaryOperator rowsAtDepth) {
        if (rowsAtDepth.applyAsInt(0) <= MAX_ROWS) {
            return 0;
        }
        int chosen = 1;
        for (int depth = 2; depth <= 8; depth++) {
            int rows = rowsAtDepth.applyAsInt(depth);
            if (rows > MAX_ROWS || rows == rowsAtDepth.applyAsInt(depth - 1) && rows == rowsAtDepth.applyAsInt(0)) {
                break;
            }
            chosen = depth;
        }
        return chosen;
    }

    @Override
    public String render(Summary summary, Convention convention) {
        Html html = new Html();
        String title = fileName(summary.model().path());
        html.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n")
                .raw("<title>").text("Tally: " + title).raw("</title>\n<style>").raw(Css.STYLE).raw("</style>\n</head>\n<body>\n");
        header(html, summary, convention);
        charts(html, summary, convention);
        table(html, summary, convention);
        derivations(html, summary);
        dataDependence(html, summary, convention);
        unsupported(html, summary);
        html.raw("<footer>Made by Tally. Counts follow docs/conventions.md; 1 KiB = 1024 B, sizes rounded up.</footer>\n");
        html.raw("<script>").raw(Css.SORT_SCRIPT).raw("</script>\n</body>\n</html>\n");
        return html.toString();
    }

    private void header(Html html, Summary summary, Convention convention) {
        html.raw("<header>\n<h1>").text(fileName(summary.model().path())).raw("</h1>\n<p class=\"meta\">")
                .text(summary.model().format().displayName());
        if (!summary.model().producer().isEmpty()) {
            html.text(", " + summary.model().producer());
        }
        html.raw(" &middot; ").text(summary.model().path()).raw("</p>\n<dl class=\"io\">\n");
        for (TensorSummary input : summary.inputs()) {
            html.raw("<dt>input</dt><dd>").text(describe(input)).raw("</dd>\n");
        }
        for (TensorSummary output : summary.outputs()) {
            html.raw("<dt>output</dt><dd>").text(describe(output)).raw("</dd>\n");
        }
        html.raw("</dl>\n");
        Totals totals = summary.totals();
        html.raw("<table class=\"totals\" id=\"totals\">\n");
        total(html, "params", "Params", totals.params(), Units.count(totals.params()));
        total(html, "trainableParams", "Trainable params", totals.trainableParams(), Units.count(totals.trainableParams()));
        total(html, "frozenParams", "Frozen params", totals.frozenParams(), Units.count(totals.frozenParams()));
        if (summary.model().hasParamsAsTrained()) {
            long asTrained = summary.model().paramsAsTrained();
            total(html, "paramsAsTrained", "Params as trained", asTrained, Units.count(asTrained));
        }
        total(html, "buffers", "Buffers", totals.buffers(), Units.count(totals.buffers()));
        total(html, "paramBytes", "Weight size", totals.paramBytes(), Units.bytes(totals.paramBytes()));
        total(html, "macs", "MACs", totals.macs(), Units.count(totals.macs()));
        total(html, "flops", "FLOPs", totals.flops(), Units.count(totals.flops()));
        total(html, "ops", "Ops", totals.ops(), Units.count(totals.ops()));
        total(html, "activationBytes", "Activation memory", totals.activationBytes(), Units.bytes(totals.activationBytes()));
        total(html, "largestActivationBytes", "Largest activation", totals.largestActivationBytes(),
                Units.bytes(totals.largestActivationBytes()));
        total(html, "peakActivationBytes", "Peak activations", totals.peakActivationBytes(),
                Units.bytes(totals.peakActivationBytes()));
        if (!totals.training().isNone()) {
            dev.tally.analysis.TrainingMemory t = totals.training();
            total(html, "trainingBytes", "Training (" + t.optimizer().displayName() + ")", totals.trainingBytes(),
                    Units.bytes(totals.trainingBytes()));
            total(html, "training.params", "params and buffers", t.params(), Units.bytes(t.params()));
            total(html, "training.gradients", "gradients", t.gradients(), Units.bytes(t.gradients()));
            total(html, "training.optimizerState", "optimizer state", t.optimizerState(), Units.bytes(t.optimizerState()));
            total(html, "training.savedActivations", "saved activations", t.savedActivations(), Units.bytes(t.savedActivations()));
            total(html, "training.backwardTransient", "backward transient", t.backwardTransient(), Units.bytes(t.backwardTransient()));
            total(html, "training.optimizerStepTransient", "optimizer step", t.optimizerStepTransient(),
                    Units.bytes(t.optimizerStepTransient()));
        }
        html.raw("</table>\n<ul class=\"definitions\">\n");
        for (Convention each : Convention.values()) {
            html.raw("<li><b>").text(each.displayName()).raw("</b>: ").text(each.definition()).raw(".</li>\n");
        }
        html.raw("<li><b>activation memory</b>: bytes the layers allocate at run time; views and in-place ops allocate nothing (1 KiB = 1024 B).</li>\n"
                + "<li><b>largest activation</b>: the largest single tensor computed at run time.</li>\n"
                + "<li><b>peak activations</b>: the most activation bytes live at once in inference, views and in-place ops "
                + "allocating nothing.</li>\n"
                + (totals.training().isNone() ? "" : "<li><b>training</b>: one step at the input's batch: params, gradients and "
                + "optimizer state, plus the larger of the saved activations with the backward transient and the optimizer "
                + "step's temporaries.</li>\n")
                + "</ul>\n");
        if (!verification.isEmpty()) {
            boolean passed = verification.stream().allMatch(VerificationLine::passed);
            html.raw("<section id=\"verification\" class=\"").raw(passed ? "pass" : "fail").raw("\">\n<h2>Verification: ")
                    .text(passed ? "passed" : "FAILED").raw("</h2>\n<table>\n<tr><th>check</th><th>expected</th><th>actual</th><th></th></tr>\n");
            for (VerificationLine line : verification) {
                html.raw("<tr><td>").text(line.check()).raw("</td><td>").text(line.expected()).raw("</td><td>")
                        .text(line.actual()).raw("</td><td>").text(line.passed() ? "pass" : "FAIL").raw("</td></tr>\n");
            }
            html.raw("</table>\n</section>\n");
        }
        for (String note : summary.notes()) {
            html.raw("<p class=\"note\">").text(note).raw("</p>\n");
        }
        if (summary.depth() > 0) {
            html.raw("<p class=\"note\" id=\"grouping\">").text("Layers are grouped by the first " + summary.depth()
                    + (summary.depth() == 1 ? " component" : " components") + " of their module path (--depth "
                    + summary.depth() + ")" + " so that the charts stay readable.").raw("</p>\n");
        }
        html.raw("</header>\n");
    }

    private static void total(Html html, String key, String label, long exact, String readable) {
        html.raw("<tr><th>").text(label).raw("</th><td class=\"num\" data-total=\"").raw(key).raw("\">")
                .text(Units.exact(exact)).raw("</td><td class=\"unit\">").text(readable).raw("</td></tr>\n");
    }

    private static void charts(Html html, Summary summary, Convention convention) {
        List<LayerSummary> rows = summary.layers();
        html.raw("<section class=\"charts\">\n");
        BarChart.render(html, "memory", "Activation memory per layer", rows, LayerSummary::activationBytes, true);
        MemoryChart.render(html, summary);
        BarChart.render(html, "params", "Params per layer", rows, LayerSummary::params, false);
        BarChart.render(html, convention.displayName(), header(convention) + " per layer", rows,
                layer -> layer.count(convention), false);
        cumulative(html, rows, convention);
        html.raw("</section>\n");
    }

    /** The fourth chart: how few layers hold most of the params ("90% of params sit in 3 layers"). */
    private static void cumulative(Html html, List<LayerSummary> rows, Convention convention) {
        List<String> captions = new ArrayList<>();
        captions.add(shareSentence(rows, LayerSummary::params, "params"));
        captions.add(shareSentence(rows, layer -> layer.count(convention), header(convention)));
        captions.add(shareSentence(rows, LayerSummary::activationBytes, "activation memory"));
        CumulativeChart.render(html, rows, LayerSummary::params, captions);
    }

    /** {@code 90% of params sit in 3 of 21 layers}, or an empty string when the column is all zero. */
    static String shareSentence(List<LayerSummary> rows, ToLongFunction<LayerSummary> value, String what) {
        long total = rows.stream().mapToLong(value).sum();
        if (total == 0) {
            return "";
        }
        List<Long> sorted = rows.stream().map(value::applyAsLong).sorted(Comparator.reverseOrder()).toList();
        long running = 0;
        int count = 0;
        for (long v : sorted) {
            running += v;
            count++;
            if (running * 10 >= total * 9) {
                break;
            }
        }
        return "90% of " + what + " sit in " + count + " of " + rows.size() + (rows.size() == 1 ? " layer" : " layers");
    }

    private void table(Html html, Summary summary, Convention convention) {
        html.raw("<section>\n<h2>Layers</h2>\n<p class=\"hint\">Click a column header to sort.</p>\n")
                .raw("<table class=\"layers sortable\" id=\"layers\">\n<thead><tr>");
        String[] headers = {"#", "Layer", "Type", "Output shape", "Params", "Buffers", "MACs", "FLOPs", "Ops", "Activation"};
        for (String header : headers) {
            html.raw("<th>").text(header).raw("</th>");
        }
        boolean fields = !summary.receptiveFields().isEmpty();
        if (fields) {
            html.raw("<th>RF size</th><th>Jump</th><th>Input rows seen by neuron i</th>");
        }
        html.raw("</tr></thead>\n<tbody>\n");
        int index = 0;
        for (LayerSummary layer : summary.layers()) {
            index++;
            // Rows whose counts are upper bounds (a size in them depends on the data) carry the class the legend explains.
            String classes = (derivations.isEmpty() ? "" : "explainable ") + (layer.isDataDependent() ? "data-dependent" : "");
            html.raw(classes.isBlank() ? "<tr" : "<tr class=\"" + classes.strip() + "\"");
            html.raw(derivations.isEmpty() ? ">" : " data-derivation=\"derivation-" + index + "\">");
            cell(html, index, Integer.toString(index));
            html.raw("<td>").text(layer.name()).raw("</td><td>").text(layer.isComplete() ? layer.type() : layer.type() + " *").raw("</td>");
            html.raw("<td data-value=\"").raw(Long.toString(layer.outputShape().map(Shape::numel).orElse(-1L))).raw("\">")
                    .text(layer.outputShape().map(Shape::toDisplayString).orElse("?")).raw("</td>");
            cell(html, layer.params(), Units.exact(layer.params()));
            cell(html, layer.buffers(), Units.exact(layer.buffers()));
            cell(html, layer.macs(), Units.exact(layer.macs()));
            cell(html, layer.flops(), Units.exact(layer.flops()));
            cell(html, layer.ops(), Units.exact(layer.ops()));
            cell(html, layer.activationBytes(), Units.bytes(layer.activationBytes()));
            if (fields) {
                for (String field : dev.tally.report.Cells.receptiveField(summary.receptiveFields().get(layer.name()))) {
                    html.raw("<td class=\"rf\">").text(field).raw("</td>");
                }
            }
            html.raw("</tr>\n");
        }
        Totals totals = summary.totals();
        html.raw("</tbody>\n<tfoot><tr><td></td><td>total</td><td></td><td></td>");
        cell(html, totals.params(), Units.exact(totals.params()));
        cell(html, totals.buffers(), Units.exact(totals.buffers()));
        cell(html, totals.macs(), Units.exact(totals.macs()));
        cell(html, totals.flops(), Units.exact(totals.flops()));
        cell(html, totals.ops(), Units.exact(totals.ops()));
        cell(html, totals.activationBytes(), Units.bytes(totals.activationBytes()));
        html.raw(fields ? "<td></td><td></td><td></td>" : "");
        html.raw("</tr></tfoot>\n</table>\n<p class=\"hint\">The chosen count is ").text(header(convention))
                .raw("; all three are shown.</p>\n");
        if (summary.dataDependence().any()) {
            html.raw("<p class=\"legend\" id=\"data-dependent-legend\"><span class=\"swatch data-dependent\"></span>")
                    .text("Data-dependent: a size in these rows depends on the data (what NonMaxSuppression keeps, a"
                            + " NonZero's count); their counts and shapes are upper bounds, taken at the bounds listed below.")
                    .raw("</p>\n");
        }
        html.raw("</section>\n");
    }

    /**
     * One hidden {@code <pre>} per row with its layers' derivations, and the few lines of script that show the clicked
     * row's; all in the page, nothing fetched.
     */
    private void derivations(Html html, Summary summary) {
        if (derivations.isEmpty()) {
            return;
        }
        html.raw("<style>tr.explainable{cursor:pointer}tr.selected td{background:#fff3c4}"
                + "pre.derivation{white-space:pre-wrap;font-size:13px}</style>\n");
        html.raw("<section id=\"derivations\">\n<h2>Derivation</h2>\n<p class=\"hint\">Click a layer's row to see how its figures follow from its own numbers.</p>\n");
        int index = 0;
        for (LayerSummary layer : summary.layers()) {
            index++;
            StringBuilder text = new StringBuilder();
            derivations.forEach((name, derivation) -> {
                if (dev.tally.report.SummaryBuilder.fold(name, summary.depth()).equals(layer.name())) {
                    text.append(derivation);
                }
            });
            html.raw("<pre class=\"derivation\" id=\"derivation-").raw(Integer.toString(index)).raw("\" hidden>")
                    .text(text.length() == 0 ? layer.name() + ": no derivation." : text.toString()).raw("</pre>\n");
        }
        html.raw("</section>\n<script>").raw(DERIVATION_SCRIPT).raw("</script>\n");
    }

    private static final String DERIVATION_SCRIPT = """
            document.querySelector('#layers tbody').addEventListener('click', function (event) {
              var row = event.target.closest('tr.explainable');
              if (!row) { return; }
              document.querySelectorAll('pre.derivation').forEach(function (pre) {
                pre.hidden = pre.id !== row.dataset.derivation;
              });
              document.querySelectorAll('#layers tr.selected').forEach(function (r) { r.classList.remove('selected'); });
              row.classList.add('selected');
              document.getElementById(row.dataset.derivation).scrollIntoView({block: 'nearest'});
            });
            """;

    private static void cell(Html html, long value, String text) {
        html.raw("<td class=\"num\" data-value=\"").raw(Long.toString(value)).raw("\">").text(text).raw("</td>");
    }

    private static void dataDependence(Html html, Summary summary, Convention convention) {
        if (!summary.dataDependence().any()) {
            return;
        }
        dev.tally.report.DataDependence dependence = summary.dataDependence();
        long count = convention == Convention.OPS ? dependence.ops()
                : convention == Convention.FLOPS ? Math.multiplyExact(2L, dependence.macs()) : dependence.macs();
        html.raw("<section id=\"data-dependent\">\n<h2>Data-dependent</h2>\n<ul>\n");
        for (String line : dev.tally.report.Cells.dataDependence(dependence, header(convention), count,
                dependence.sources().size())) {
            html.raw("<li>").text(line).raw("</li>\n");
        }
        html.raw("</ul>\n</section>\n");
    }

    private static void unsupported(Html html, Summary summary) {
        if (summary.isComplete()) {
            return;
        }
        html.raw("<section id=\"unsupported\">\n<h2>Not counted</h2>\n<ul>\n");
        for (UnsupportedOp op : summary.unsupported()) {
            html.raw("<li>no rule for <b>").text(op.opType()).raw("</b> &times;").text(Integer.toString(op.count()))
                    .raw(": ").text(String.join(", ", op.nodes())).raw("</li>\n");
        }
        if (summary.unresolvedNodes() > 0) {
            html.raw("<li>").text(summary.unresolvedNodes() + " nodes have a rule but no count, because an unsupported op or a size without a bound feeds them.").raw("</li>\n");
        }
        html.raw("</ul>\n</section>\n");
    }

    static String header(Convention convention) {
        return switch (convention) {
            case MACS -> "MACs";
            case FLOPS -> "FLOPs";
            case OPS -> "Ops";
        };
    }

    private static String describe(TensorSummary tensor) {
        StringBuilder text = new StringBuilder(tensor.name()).append(' ')
                .append(tensor.shape().map(Shape::toDisplayString).orElse("?"));
        tensor.dtype().ifPresent(d -> text.append(' ').append(d.displayName()));
        if (!tensor.origin().isEmpty()) {
            text.append(" (").append(tensor.origin()).append(')');
        }
        return text.toString();
    }

    private static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
