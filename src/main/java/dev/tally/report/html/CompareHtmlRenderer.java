package dev.tally.report.html;

import dev.tally.report.Units;
import dev.tally.report.compare.Comparison;
import dev.tally.report.compare.Difference;
import dev.tally.report.compare.Metric;
import dev.tally.report.compare.StageRow;
import java.util.List;

/**
 * {@code tally compare --format html}: the variants' totals side by side with their differences against the first,
 * and one grouped bar chart per figure with a group per stage and a bar per model. Self-contained like
 * {@link HtmlRenderer}.
 */
public final class CompareHtmlRenderer {
    private static final String[] COLORS = {"#3867d6", "#f0932b", "#20a37a", "#8854d0", "#b3261e", "#4b6584"};
    private static final List<Metric> CHARTED = List.of(Metric.PARAMS, Metric.MACS, Metric.ACTIVATION_BYTES);

    private CompareHtmlRenderer() {
    }

    public static String render(Comparison comparison) {
        Html html = new Html();
        List<String> labels = comparison.labels();
        html.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n")
                .raw("<title>").text("Tally: " + String.join(" vs ", labels)).raw("</title>\n<style>").raw(Css.STYLE)
                .raw("</style>\n</head>\n<body>\n<header>\n<h1>").text(String.join(" vs ", labels)).raw("</h1>\n");
        html.raw("<table class=\"layers\" id=\"totals\">\n<thead><tr><th>Figure</th>");
        for (int i = 0; i < labels.size(); i++) {
            html.raw("<th><span style=\"color:").raw(COLORS[i % COLORS.length]).raw("\">&#9632;</span> ").text(labels.get(i)).raw("</th>");
        }
        html.raw("</tr></thead>\n<tbody>\n");
        for (Metric metric : Metric.values()) {
            html.raw("<tr><td>").text(metric.label()).raw("</td>");
            for (int i = 0; i < labels.size(); i++) {
                long value = metric.of(comparison.summaries().get(i).totals());
                html.raw("<td class=\"num\" data-total=\"").raw(metric.jsonName()).raw("\" data-model=\"").raw(Integer.toString(i))
                        .raw("\">").text(Units.exact(value));
                if (i > 0) {
                    Difference difference = comparison.total(metric, i);
                    html.raw("<br><span class=\"hint\">").text(difference.display()).raw("</span>");
                }
                html.raw("</td>");
            }
            html.raw("</tr>\n");
        }
        html.raw("</tbody>\n</table>\n");
        for (String caveat : comparison.caveats()) {
            html.raw("<p class=\"note\" data-caveat>").text(caveat).raw("</p>\n");
        }
        html.raw("<p class=\"note\">").text(dev.tally.report.compare.ComparisonRenderer.trainingNote(comparison)).raw("</p>\n");
        html.raw("</header>\n<section class=\"charts\">\n");
        for (Metric metric : CHARTED) {
            chart(html, comparison, metric);
        }
        html.raw("</section>\n<footer>Made by Tally. Stages are module paths folded to depth ")
                .text(Integer.toString(comparison.depth())).raw("; a missing bar means the model has no such stage. 1 KiB = 1024 B, sizes rounded up.</footer>\n</body>\n</html>\n");
        return html.toString();
    }

    /** One chart: a group per stage, a bar per model in the models' colours. */
    private static void chart(Html html, Comparison comparison, Metric metric) {
        List<StageRow> stages = comparison.stages();
        int models = comparison.labels().size();
        long max = 0;
        for (StageRow stage : stages) {
            for (var figures : stage.figures()) {
                max = Math.max(max, figures.map(metric::of).orElse(0L));
            }
        }
        long top = metric.isBytes() ? BarChart.niceBinaryCeiling(max) : BarChart.niceCeiling(max);
        double plotWidth = BarChart.WIDTH - BarChart.LEFT - BarChart.RIGHT;
        double plotHeight = BarChart.HEIGHT - BarChart.TOP - BarChart.BOTTOM;
        double slot = plotWidth / Math.max(1, stages.size());
        double bar = slot * 0.8 / models;
        html.raw("<figure>\n<figcaption>").text(metric.label() + " per stage").raw("</figcaption>\n<svg class=\"chart grouped\" id=\"chart-")
                .raw(metric.jsonName()).raw("\" viewBox=\"0 0 ").raw(Integer.toString(BarChart.WIDTH)).raw(" ")
                .raw(Integer.toString(BarChart.HEIGHT)).raw("\" role=\"img\">\n");
        for (int tick = 0; tick <= 4; tick++) {
            long tickValue = top / 4 * tick;
            double y = BarChart.TOP + plotHeight - plotHeight * tick / 4;
            html.raw("<line class=\"grid\" x1=\"").raw(BarChart.fmt(BarChart.LEFT)).raw("\" x2=\"")
                    .raw(BarChart.fmt(BarChart.WIDTH - BarChart.RIGHT)).raw("\" y1=\"").raw(BarChart.fmt(y)).raw("\" y2=\"")
                    .raw(BarChart.fmt(y)).raw("\"/><text x=\"").raw(BarChart.fmt(BarChart.LEFT - 6)).raw("\" y=\"")
                    .raw(BarChart.fmt(y + 3)).raw("\" text-anchor=\"end\">")
                    .text(metric.isBytes() ? Units.bytes(tickValue) : Units.count(tickValue)).raw("</text>\n");
        }
        for (int s = 0; s < stages.size(); s++) {
            StageRow stage = stages.get(s);
            for (int m = 0; m < models; m++) {
                if (stage.figures().get(m).isEmpty()) {
                    continue;
                }
                long value = metric.of(stage.figures().get(m).get());
                double height = top == 0 ? 0 : plotHeight * ((double) value / top);
                double x = BarChart.LEFT + slot * s + slot * 0.1 + bar * m;
                html.raw("<rect class=\"bar\" style=\"fill:").raw(COLORS[m % COLORS.length]).raw("\" data-stage=\"").text(stage.name())
                        .raw("\" data-model=\"").raw(Integer.toString(m)).raw("\" x=\"").raw(BarChart.fmt(x)).raw("\" y=\"")
                        .raw(BarChart.fmt(BarChart.TOP + plotHeight - height)).raw("\" width=\"").raw(BarChart.fmt(bar))
                        .raw("\" height=\"").raw(BarChart.fmt(height)).raw("\"><title>")
                        .text(comparison.labels().get(m) + " " + stage.name() + ": " + Units.exact(value)).raw("</title></rect>\n");
            }
            double labelX = BarChart.LEFT + slot * s + slot / 2;
            double labelY = BarChart.TOP + plotHeight + 8;
            html.raw("<text x=\"").raw(BarChart.fmt(labelX)).raw("\" y=\"").raw(BarChart.fmt(labelY))
                    .raw("\" text-anchor=\"end\" transform=\"rotate(-60 ").raw(BarChart.fmt(labelX)).raw(" ")
                    .raw(BarChart.fmt(labelY)).raw(")\">").text(BarChart.shorten(stage.name())).raw("</text>\n");
        }
        html.raw("</svg>\n</figure>\n");
    }
}
