package dev.tally.report.html;

import dev.tally.report.LayerSummary;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The fourth chart: layers sorted by their share of params, largest first, with the cumulative share as a line,
 * so "90% of params sit in 3 layers" can be seen as well as read.
 */
final class CumulativeChart {
    private CumulativeChart() {
    }

    static void render(Html html, List<LayerSummary> rows, ToLongFunction<LayerSummary> value, List<String> captions) {
        List<LayerSummary> sorted = rows.stream()
                .sorted(Comparator.comparingLong(value).reversed())
                .toList();
        long total = sorted.stream().mapToLong(value).sum();
        double plotWidth = BarChart.WIDTH - BarChart.LEFT - BarChart.RIGHT;
        double plotHeight = BarChart.HEIGHT - BarChart.TOP - BarChart.BOTTOM;
        double slot = plotWidth / Math.max(1, sorted.size());
        html.raw("<figure>\n<figcaption>Cumulative share of params, layers largest first</figcaption>\n")
                .raw("<svg class=\"chart cumulative\" id=\"chart-cumulative\" data-chart=\"cumulative\" viewBox=\"0 0 ")
                .raw(Integer.toString(BarChart.WIDTH)).raw(" ").raw(Integer.toString(BarChart.HEIGHT))
                .raw("\" role=\"img\" aria-label=\"Cumulative share of params\">\n");
        for (int percent = 0; percent <= 100; percent += 25) {
            double y = BarChart.TOP + plotHeight - plotHeight * percent / 100.0;
            html.raw("<line class=\"grid\" x1=\"").raw(BarChart.fmt(BarChart.LEFT)).raw("\" x2=\"")
                    .raw(BarChart.fmt(BarChart.WIDTH - BarChart.RIGHT)).raw("\" y1=\"").raw(BarChart.fmt(y)).raw("\" y2=\"")
                    .raw(BarChart.fmt(y)).raw("\"/><text x=\"").raw(BarChart.fmt(BarChart.LEFT - 6)).raw("\" y=\"")
                    .raw(BarChart.fmt(y + 3)).raw("\" text-anchor=\"end\">").raw(percent + "%").raw("</text>\n");
        }
        StringBuilder line = new StringBuilder();
        long running = 0;
        for (int i = 0; i < sorted.size(); i++) {
            LayerSummary layer = sorted.get(i);
            long v = value.applyAsLong(layer);
            running += v;
            double share = total == 0 ? 0 : (double) v / total;
            double cumulative = total == 0 ? 0 : (double) running / total;
            double x = BarChart.LEFT + slot * i;
            double height = plotHeight * share;
            html.raw("<rect class=\"bar share\" data-layer=\"").text(layer.name()).raw("\" x=\"").raw(BarChart.fmt(x + slot * 0.12))
                    .raw("\" y=\"").raw(BarChart.fmt(BarChart.TOP + plotHeight - height)).raw("\" width=\"")
                    .raw(BarChart.fmt(slot * 0.76)).raw("\" height=\"").raw(BarChart.fmt(height)).raw("\"><title>")
                    .text(layer.name() + ": " + percent(share) + " of params, " + percent(cumulative) + " with the larger layers")
                    .raw("</title></rect>\n");
            line.append(i == 0 ? "M" : " L").append(BarChart.fmt(x + slot / 2)).append(' ')
                    .append(BarChart.fmt(BarChart.TOP + plotHeight - plotHeight * cumulative));
        }
        if (line.length() > 0) {
            html.raw("<path class=\"line\" d=\"").raw(line.toString()).raw("\"/>\n");
        }
        html.raw("</svg>\n");
        html.raw("<ul class=\"share\">\n");
        for (String caption : captions) {
            if (!caption.isEmpty()) {
                html.raw("<li>").text(caption).raw(".</li>\n");
            }
        }
        html.raw("</ul>\n</figure>\n");
    }

    private static String percent(double share) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", share * 100);
    }
}
