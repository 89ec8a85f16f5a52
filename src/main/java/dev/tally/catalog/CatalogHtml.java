package dev.tally.catalog;

import dev.tally.report.Units;
import dev.tally.report.html.Css;
import dev.tally.report.html.Html;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The catalog as one self-contained page, like the summary report (inline CSS, SVG and the same sorting script; a
 * Content-Security-Policy forbids fetching anything): per task, a scatter of accuracy against MACs on a log axis
 * (one point per weights entry, exact figures on hover, the Pareto front drawn, colour by family, the user's model
 * marked), a second scatter against peak activation memory when it is known (else against params, and it says
 * so), then the sortable table.
 */
final class CatalogHtml {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 440;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int TOP = 12;
    private static final int BOTTOM = 40;
    private static final String STYLE = """
            svg.scatter{display:block;width:100%;height:auto;background:#fbfcfe;border:1px solid #e3e6ec}
            svg.scatter text{font:10px system-ui,sans-serif;fill:#3a4150}
            svg.scatter .axis{stroke:#8a93a3;stroke-width:1}svg.scatter .grid{stroke:#e3e6ec;stroke-width:1}
            svg.scatter circle{stroke:#fff;stroke-width:1;opacity:.9}svg.scatter circle:hover{stroke:#1d2330;stroke-width:2}
            svg.scatter circle.pareto{stroke:#1d2330;stroke-width:1.5}
            svg.scatter circle.bounded{fill:#fff;stroke-width:2}svg.scatter .bound-range{stroke-width:2;stroke-dasharray:3 2}
            svg.scatter .front{fill:none;stroke:#b3261e;stroke-width:1.5;stroke-dasharray:5 3}
            svg.scatter .yours{fill:#b3261e;stroke:#1d2330}svg.scatter .yours-line{stroke:#b3261e;stroke-width:1.5;stroke-dasharray:2 2}
            ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px}
            ul.legend span{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px}
            tr.yours td{background:#fdecea;font-weight:600}
            """;

    private CatalogHtml() {
    }

    static String render(CatalogTable table, String torchvision) {
        Html html = new Html();
        html.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n")
                .raw("<title>Tally: torchvision weights catalog</title>\n<style>").raw(Css.STYLE).raw(STYLE).raw("</style>\n</head>\n<body>\n");
        html.raw("<header>\n<h1>torchvision ").text(torchvision).raw(" weights: published accuracy and exact cost</h1>\n<p class=\"meta\">")
                .text(table.rows().size() + " weights entries, task " + table.task()
                        + table.input().map(s -> ", every cost at input " + s).orElse(", each at its evaluation input")
                        + ", Pareto cost " + table.paretoCost().key() + ".").raw("</p>\n<ul class=\"definitions\">");
        CatalogRenderer.DEFINITIONS.forEach(d -> html.raw("<li>").text(d).raw("</li>"));
        if (table.budget() != null) {
            html.raw("<li>").text(CatalogRenderer.fitDefinition(table.budget())).raw("</li>");
        }
        html.raw("</ul>\n</header>\n");
        Map<String, String> colours = colours(table.rows());
        boolean memory = table.rows().stream().anyMatch(r -> r.memory().isPresent());
        html.raw("<section class=\"charts\">\n");
        for (String task : tasks(table.rows())) {
            List<CatalogRow> rows = table.rows().stream().filter(r -> r.yours() || r.entry().task().equals(task)).toList();
            String metric = rows.stream().filter(r -> !r.yours()).map(r -> r.entry().accuracyMetric()).flatMap(Optional::stream).findFirst().orElse(null);
            if (metric == null || rows.stream().noneMatch(r -> !r.yours() && r.macs().isPresent() && r.entry().accuracy().isPresent())) {
                if (rows.stream().anyMatch(r -> r.entry().benchmark().map(WeightsEntry.Benchmark::lowerIsBetter).orElse(false))) {
                    // RAFT: errors on three benchmarks (Sintel train, Sintel test, KITTI test), a few entries each: the table says it.
                    html.raw("<p class=\"note\">").text(task + ": no chart: its entries publish errors (lower is better) on different "
                            + "benchmarks; the table marks the Pareto front of each benchmark.").raw("</p>\n");
                }
                continue;
            }
            html.raw("<h2>").text(task + ": " + metric + " against cost").raw("</h2>\n");
            if (rows.stream().anyMatch(CatalogRow::dataDependent)) {
                html.raw("<p class=\"note\">Hollow points depend on the data in part (proposals, detections): each is drawn at its bound, "
                        + "the most it can cost, with a dashed line back to its exact part; their peak memory is a bound too.</p>\n");
            }
            scatter(html, "macs-" + task, task + ": " + metric + " against MACs (log scale)", rows, CatalogRow::macsBound, CatalogRow::macs,
                    "MACs", colours, table.paretoCost().key().equals("macs"));
            if (memory) {
                scatter(html, "memory-" + task, task + ": " + metric + " against peak activation memory (log scale)", rows, CatalogRow::peakActivationBytes,
                        CatalogRow::peakActivationBytes, "peak activation bytes", colours, table.paretoCost().key().equals("memory"));
            } else {
                html.raw("<p class=\"note\">Peak activation memory is not computed by this build of Tally, so the second chart plots params instead.</p>\n");
                scatter(html, "params-" + task, task + ": " + metric + " against params (log scale)", rows, r -> Optional.of(r.params()),
                        r -> Optional.of(r.params()), "params", colours, table.paretoCost().key().equals("params"));
            }
        }
        legend(html, colours);
        html.raw("</section>\n");
        neighbours(html, table);
        rowsTable(html, table, memory);
        html.raw("<footer>Made by Tally. Metrics are torchvision's published meta[\"_metrics\"]; counts follow docs/conventions.md; 1 KiB = 1024 B.</footer>\n");
        html.raw("<script>").raw(Css.SORT_SCRIPT).raw("</script>\n</body>\n</html>\n");
        return html.toString();
    }

    private static List<String> tasks(List<CatalogRow> rows) {
        LinkedHashSet<String> tasks = new LinkedHashSet<>();
        rows.stream().filter(r -> !r.yours()).forEach(r -> tasks.add(r.entry().task()));
        return List.copyOf(tasks);
    }

    /** One colour per family, spread over the hue circle in the order families first appear. */
    private static Map<String, String> colours(List<CatalogRow> rows) {
        LinkedHashSet<String> families = new LinkedHashSet<>();
        rows.stream().filter(r -> !r.yours()).forEach(r -> families.add(r.entry().family()));
        Map<String, String> colours = new LinkedHashMap<>();
        int i = 0;
        for (String family : families) {
            // Golden-angle steps keep neighbouring families apart in hue.
            colours.put(family, String.format(Locale.ROOT, "hsl(%d,%d%%,%d%%)", (i * 137) % 360, i % 2 == 0 ? 65 : 50, i % 3 == 0 ? 42 : 52));
            i++;
        }
        return colours;
    }

    private static void legend(Html html, Map<String, String> colours) {
        html.raw("<ul class=\"legend\">");
        colours.forEach((family, colour) -> html.raw("<li><span style=\"background:").raw(colour).raw("\"></span>").text(family).raw("</li>"));
        html.raw("<li><span style=\"background:#b3261e;border-radius:0\"></span>your model</li></ul>\n");
    }

    /**
     * @param cost  where a point is drawn: the row's cost, at its bound when part of it depends on the data
     * @param exact the part of that cost that is exact (the same as {@code cost} for a row without data-dependent sizes);
     *              a bounded row gets a dashed line from it to its bound
     */
    private static void scatter(Html html, String id, String title, List<CatalogRow> rows, Function<CatalogRow, Optional<Long>> cost,
                                Function<CatalogRow, Optional<Long>> exact, String costName, Map<String, String> colours, boolean frontIsThisCost) {
        List<CatalogRow> points = rows.stream().filter(r -> !r.yours() && cost.apply(r).isPresent() && r.entry().accuracy().isPresent()).toList();
        List<CatalogRow> yours = rows.stream().filter(r -> r.yours() && cost.apply(r).isPresent()).toList();
        List<Long> costs = new ArrayList<>();
        points.forEach(r -> costs.add(cost.apply(r).get()));
        yours.forEach(r -> costs.add(cost.apply(r).get()));
        double minX = Math.floor(Math.log10(costs.stream().min(Long::compare).orElse(1L)));
        double maxX = Math.ceil(Math.log10(costs.stream().max(Long::compare).orElse(10L)));
        if (maxX <= minX) {
            maxX = minX + 1;
        }
        double minY = points.stream().map(r -> r.entry().accuracy().get().doubleValue()).min(Double::compare).orElse(0.0);
        double maxY = points.stream().map(r -> r.entry().accuracy().get().doubleValue()).max(Double::compare).orElse(100.0);
        minY = Math.floor(minY / 5) * 5;
        maxY = Math.ceil(maxY / 5) * 5;
        if (maxY <= minY) {
            maxY = minY + 5;
        }
        Axis x = new Axis(minX, maxX, LEFT, WIDTH - RIGHT);
        Axis y = new Axis(minY, maxY, HEIGHT - BOTTOM, TOP);
        html.raw("<figure>\n<figcaption>").text(title).raw("</figcaption>\n<svg class=\"scatter\" id=\"").text(id)
                .raw("\" viewBox=\"0 0 " + WIDTH + " " + HEIGHT + "\" role=\"img\" aria-label=\"").text(title).raw("\">\n");
        for (int e = (int) minX; e <= (int) maxX; e++) {
            double px = x.at(e);
            html.raw(line("grid", px, TOP, px, HEIGHT - BOTTOM)).raw(label(px, HEIGHT - BOTTOM + 14, "middle", Units.count((long) Math.pow(10, e))));
        }
        for (double v = minY; v <= maxY + 1e-9; v += 5) {
            double py = y.at(v);
            html.raw(line("grid", LEFT, py, WIDTH - RIGHT, py)).raw(label(LEFT - 6, py + 3, "end", String.format(Locale.ROOT, "%.0f", v)));
        }
        html.raw(line("axis", LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM)).raw(line("axis", LEFT, TOP, LEFT, HEIGHT - BOTTOM));
        html.raw(label((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 8, "middle", costName + " (log scale)"));
        // The front as a staircase: each point on it is the best accuracy up to its cost.
        List<CatalogRow> front = new ArrayList<>(points.stream().filter(r -> frontIsThisCost ? r.pareto() : false).toList());
        if (!frontIsThisCost) {
            front = Pareto.mark(points, new Column("chart", Column.Kind.COUNT_COST, r -> cost.apply(r))).stream().filter(CatalogRow::pareto).toList();
        }
        front = new ArrayList<>(front);
        java.util.Set<String> onFrontNames = new java.util.HashSet<>();
        front.forEach(r -> onFrontNames.add(r.entry().weights()));
        front.sort(Comparator.comparing((CatalogRow r) -> cost.apply(r).get()));
        if (front.size() > 1) {
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < front.size(); i++) {
                double px = x.at(Math.log10(cost.apply(front.get(i)).get()));
                double py = y.at(front.get(i).entry().accuracy().get().doubleValue());
                if (i > 0) {
                    path.append(' ').append(fmt(px)).append(',').append(fmt(y.at(front.get(i - 1).entry().accuracy().get().doubleValue())));
                }
                path.append(' ').append(fmt(px)).append(',').append(fmt(py));
            }
            html.raw("<polyline class=\"front\" points=\"").raw(path.toString().trim()).raw("\"><title>Pareto front</title></polyline>\n");
        }
        for (CatalogRow row : points) {
            long c = cost.apply(row).get();
            BigDecimal accuracy = row.entry().accuracy().get();
            boolean onFront = onFrontNames.contains(row.entry().weights());
            boolean bounded = row.dataDependent();
            String colour = colours.get(row.entry().family());
            String figure = Units.exact(c) + " " + costName;
            if (bounded) {
                long lower = exact.apply(row).orElse(c);
                figure = "at most " + figure + (lower < c ? " (" + Units.exact(lower) + " exact, up to " + Units.exact(c - lower)
                        + " more depending on the boxes found)" : " (a bound: sizes depend on the boxes found)");
                if (lower > 0 && lower < c) {
                    double py = y.at(accuracy.doubleValue());
                    html.raw("<line class=\"bound-range\" stroke=\"").raw(colour).raw("\" x1=\"").raw(fmt(x.at(Math.log10(lower)))).raw("\" y1=\"")
                            .raw(fmt(py)).raw("\" x2=\"").raw(fmt(x.at(Math.log10(c)))).raw("\" y2=\"").raw(fmt(py)).raw("\"/>\n");
                }
            }
            html.raw("<circle class=\"point").raw(onFront ? " pareto" : "").raw(bounded ? " bounded" : "").raw("\" data-weights=\"").text(row.entry().weights())
                    .raw("\" cx=\"").raw(fmt(x.at(Math.log10(c)))).raw("\" cy=\"").raw(fmt(y.at(accuracy.doubleValue())))
                    .raw("\" r=\"4.5\" ").raw(bounded ? "style=\"stroke:" + colour + "\"" : "fill=\"" + colour + "\"").raw("><title>")
                    .text(row.entry().weights() + " (" + row.entry().family() + "): " + row.entry().accuracyMetric().orElse("") + " "
                            + accuracy.toPlainString() + ", " + figure + (onFront ? ", on the Pareto front" : ""))
                    .raw("</title></circle>\n");
        }
        for (CatalogRow row : yours) {
            long c = cost.apply(row).get();
            double px = x.at(Math.log10(c));
            String hover = row.entry().weights() + ": " + Units.exact(c) + " " + costName;
            if (row.entry().accuracy().isPresent()) {
                double py = y.at(row.entry().accuracy().get().doubleValue());
                html.raw("<rect class=\"yours\" x=\"").raw(fmt(px - 6)).raw("\" y=\"").raw(fmt(py - 6)).raw("\" width=\"12\" height=\"12\"><title>")
                        .text(hover + ", " + row.entry().accuracy().get().toPlainString()).raw("</title></rect>\n");
            } else {
                // No published accuracy for the user's model: a vertical line at its cost.
                html.raw("<line class=\"yours-line\" x1=\"").raw(fmt(px)).raw("\" y1=\"").raw(Integer.toString(TOP)).raw("\" x2=\"").raw(fmt(px))
                        .raw("\" y2=\"").raw(Integer.toString(HEIGHT - BOTTOM)).raw("\"><title>").text(hover + " (accuracy unknown)").raw("</title></line>\n")
                        .raw(label(px + 4, TOP + 12, "start", row.entry().weights()));
            }
        }
        html.raw("</svg>\n</figure>\n");
    }

    private static void neighbours(Html html, CatalogTable table) {
        List<CatalogRow> yours = table.rows().stream().filter(CatalogRow::yours).toList();
        for (CatalogRow row : yours) {
            List<CatalogRow> near = Neighbours.nearest(row, table.rows(), 3);
            html.raw("<section>\n<h2>").text("Nearest by MACs to " + row.entry().weights()).raw("</h2>\n<ul>");
            near.forEach(n -> html.raw("<li>").text(n.entry().weights() + ": " + CatalogRenderer.metrics(n.entry()) + ", "
                    + CatalogRenderer.macsText(n) + " MACs").raw("</li>"));
            html.raw("</ul>\n</section>\n");
        }
    }

    private static void rowsTable(Html html, CatalogTable table, boolean memory) {
        html.raw("<section>\n<h2>Weights entries</h2>\n<p class=\"hint\">Click a column header to sort. * marks the Pareto front.</p>\n")
                .raw("<table class=\"layers sortable\" id=\"catalog\">\n<thead><tr>");
        List<String> headers = new ArrayList<>(List.of("Weights", "Task", "Family", "Accuracy", "Metrics", "Params", "MACs", "FLOPs", "Size", "Input"));
        if (memory) {
            headers.add("Peak memory");
        }
        if (table.budget() != null) {
            headers.add("Fit batch");
        }
        headers.addAll(List.of("Pareto", "Note"));
        headers.forEach(h -> html.raw("<th>").text(h).raw("</th>"));
        html.raw("</tr></thead>\n<tbody>\n");
        for (CatalogRow row : table.rows()) {
            WeightsEntry e = row.entry();
            html.raw(row.yours() ? "<tr class=\"yours\">" : "<tr>");
            html.raw("<td>").text(CatalogRenderer.name(row)).raw("</td><td>").text(e.task()).raw("</td><td>").text(e.family()).raw("</td>");
            Optional<BigDecimal> accuracy = e.accuracy();
            html.raw("<td class=\"num\" data-value=\"").raw(accuracy.map(BigDecimal::toPlainString).orElse("-1")).raw("\">")
                    .text(accuracy.map(BigDecimal::toPlainString).orElse("-")).raw("</td>");
            html.raw("<td>").text(CatalogRenderer.metrics(e)).raw("</td>");
            cell(html, Optional.of(row.params()), Units::exact);
            // Sorted by the most the row can cost, shown as its exact part and the data-dependent bound.
            cell(html, row.macsBound(), CatalogRenderer.macsText(row));
            cell(html, row.flopsBound(), CatalogRenderer.flopsText(row));
            cell(html, row.yours() ? Optional.empty() : Optional.of(e.bytes()), Units::bytes);
            html.raw("<td>").text(CatalogRenderer.inputText(row).orElse("-")).raw("</td>");
            if (memory) {
                cell(html, row.peakActivationBytes(), CatalogRenderer.memoryText(row));
            }
            if (table.budget() != null) {
                cell(html, row.fitBatch(), Units::exact);
            }
            html.raw("<td>").raw(row.pareto() ? "*" : "").raw("</td><td>").text(row.note()).raw("</td></tr>\n");
        }
        html.raw("</tbody>\n</table>\n</section>\n");
    }

    private static void cell(Html html, Optional<Long> value, Function<Long, String> text) {
        cell(html, value, value.map(text).orElse("-"));
    }

    private static void cell(Html html, Optional<Long> value, String text) {
        html.raw("<td class=\"num\" data-value=\"").raw(Long.toString(value.orElse(-1L))).raw("\">").text(text).raw("</td>");
    }

    private static String line(String cls, double x1, double y1, double x2, double y2) {
        return "<line class=\"" + cls + "\" x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y1) + "\" x2=\"" + fmt(x2) + "\" y2=\"" + fmt(y2) + "\"/>\n";
    }

    private static String label(double x, double y, String anchor, String text) {
        return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\">" + Html.escape(text) + "</text>\n";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A linear map from data to pixels. */
    private record Axis(double min, double max, double from, double to) {
        double at(double v) {
            return from + (v - min) / (max - min) * (to - from);
        }
    }
}
