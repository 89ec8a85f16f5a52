package dev.tally.report.html;

import dev.tally.report.LayerSummary;
import dev.tally.report.Summary;
import dev.tally.report.Units;
import java.util.List;

/**
 * Memory over execution: one bar per layer, in layer order, with the activation bytes live after it ran
 * ({@link Summary#liveAfter()}), and the inference peak ({@code peakActivationBytes}) as a marked line naming its
 * value and the layer during which it is reached. The peak is counted while a node runs (its inputs and outputs
 * together), so it can stand above every bar.
 */
final class MemoryChart {
    private MemoryChart() {
    }

    static void render(Html html, Summary summary) {
        List<LayerSummary> rows = summary.layers();
        List<Long> live = summary.liveAfter();
        if (live.size() != rows.size() || rows.isEmpty()) {
            return;
        }
        long peak = summary.totals().peakActivationBytes();
        long max = Math.max(peak, live.stream().mapToLong(Long::longValue).max().orElse(0));
        long top = BarChart.niceBinaryCeiling(max);
        double plotWidth = BarChart.WIDTH - BarChart.LEFT - BarChart.RIGHT;
        double plotHeight = BarChart.HEIGHT - BarChart.TOP - BarChart.BOTTOM;
        double slot = plotWidth / rows.size();
        int peakLayer = summary.peakLayer();
        String where = peakLayer >= 0 && peakLayer < rows.size() ? "during " + rows.get(peakLayer).name() : "with the inputs alone";
        String title = "Live activation memory after each layer (inference)";
        html.raw("<figure>\n<figcaption>").text(title).raw("</figcaption>\n")
                .raw("<svg class=\"chart live\" id=\"chart-live\" data-chart=\"live\" viewBox=\"0 0 ")
                .raw(Integer.toString(BarChart.WIDTH)).raw(" ").raw(Integer.toString(BarChart.HEIGHT))
                .raw("\" role=\"img\" aria-label=\"").text(title).raw("\">\n");
        for (int tick = 0; tick <= 4; tick++) {
            long tickValue = top / 4 * tick;
            double y = BarChart.TOP + plotHeight - plotHeight * tick / 4;
            html.raw("<line class=\"grid\" x1=\"").raw(BarChart.fmt(BarChart.LEFT)).raw("\" x2=\"")
                    .raw(BarChart.fmt(BarChart.WIDTH - BarChart.RIGHT)).raw("\" y1=\"").raw(BarChart.fmt(y)).raw("\" y2=\"")
                    .raw(BarChart.fmt(y)).raw("\"/><text x=\"").raw(BarChart.fmt(BarChart.LEFT - 6)).raw("\" y=\"")
                    .raw(BarChart.fmt(y + 3)).raw("\" text-anchor=\"end\">").text(Units.bytes(tickValue)).raw("</text>\n");
        }
        boolean labelEvery = rows.size() <= 80;
        for (int i = 0; i < rows.size(); i++) {
            LayerSummary layer = rows.get(i);
            long v = live.get(i);
            double height = top == 0 ? 0 : plotHeight * ((double) v / top);
            double x = BarChart.LEFT + slot * i + slot * 0.12;
            html.raw("<rect class=\"bar").raw(i == peakLayer ? " at-peak" : "").raw("\" data-layer=\"").text(layer.name())
                    .raw("\" data-value=\"").raw(Long.toString(v)).raw("\" x=\"").raw(BarChart.fmt(x)).raw("\" y=\"")
                    .raw(BarChart.fmt(BarChart.TOP + plotHeight - height)).raw("\" width=\"").raw(BarChart.fmt(slot * 0.76))
                    .raw("\" height=\"").raw(BarChart.fmt(height)).raw("\"><title>")
                    .text(layer.name() + " (" + layer.type() + "): " + Units.exact(v) + " B = " + Units.bytes(v) + " live after it ran")
                    .raw("</title></rect>\n");
            if (labelEvery) {
                double labelX = BarChart.LEFT + slot * i + slot / 2;
                double labelY = BarChart.TOP + plotHeight + 8;
                html.raw("<text x=\"").raw(BarChart.fmt(labelX)).raw("\" y=\"").raw(BarChart.fmt(labelY))
                        .raw("\" text-anchor=\"end\" transform=\"rotate(-60 ").raw(BarChart.fmt(labelX)).raw(" ")
                        .raw(BarChart.fmt(labelY)).raw(")\">").text(BarChart.shorten(layer.name())).raw("</text>\n");
            }
        }
        double peakY = BarChart.TOP + plotHeight - (top == 0 ? 0 : plotHeight * ((double) peak / top));
        String label = "peak " + Units.exact(peak) + " B (" + Units.bytes(peak) + ") " + where;
        html.raw("<g class=\"peak\" data-value=\"").raw(Long.toString(peak)).raw("\" data-layer=\"")
                .text(peakLayer >= 0 && peakLayer < rows.size() ? rows.get(peakLayer).name() : "").raw("\"><title>").text(label)
                .raw("</title><line class=\"line\" stroke-dasharray=\"6 4\" x1=\"").raw(BarChart.fmt(BarChart.LEFT)).raw("\" x2=\"")
                .raw(BarChart.fmt(BarChart.WIDTH - BarChart.RIGHT)).raw("\" y1=\"").raw(BarChart.fmt(peakY)).raw("\" y2=\"")
                .raw(BarChart.fmt(peakY)).raw("\"/><text class=\"peak-label\" x=\"").raw(BarChart.fmt(BarChart.WIDTH - BarChart.RIGHT - 4))
                .raw("\" y=\"").raw(BarChart.fmt(Math.max(BarChart.TOP + 10, peakY - 4))).raw("\" text-anchor=\"end\">").text(label)
                .raw("</text></g>\n");
        html.raw("<line class=\"axis\" x1=\"").raw(BarChart.fmt(BarChart.LEFT)).raw("\" x2=\"")
                .raw(BarChart.fmt(BarChart.WIDTH - BarChart.RIGHT)).raw("\" y1=\"").raw(BarChart.fmt(BarChart.TOP + plotHeight))
                .raw("\" y2=\"").raw(BarChart.fmt(BarChart.TOP + plotHeight)).raw("\"/>\n</svg>\n</figure>\n");
    }
}
