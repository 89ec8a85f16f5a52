package dev.tally.report.html;

import dev.tally.report.LayerSummary;
import dev.tally.report.Units;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * One SVG bar chart with a bar per layer, in layer order, as on the lecture slides: a y axis with readable units
 * and a hover title with the exact value on every bar.
 */
final class BarChart {
    static final int WIDTH = 1100;
    static final int HEIGHT = 300;
    static final int LEFT = 78;
    static final int RIGHT = 12;
    static final int TOP = 12;
    static final int BOTTOM = 118;
    private static final int TICKS = 4;

    private BarChart() {
    }

    static void render(Html html, String id, String title, List<LayerSummary> rows, ToLongFunction<LayerSummary> value,
                       boolean bytes) {
        long max = rows.stream().mapToLong(value).max().orElse(0);
        long top = bytes ? niceBinaryCeiling(max) : niceCeiling(max);
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        double slot = plotWidth / Math.max(1, rows.size());
        html.raw("<figure>\n<figcaption>").text(title).raw("</figcaption>\n<svg class=\"chart ").raw(id)
                .raw("\" id=\"chart-").raw(id).raw("\" data-chart=\"").raw(id).raw("\" viewBox=\"0 0 ").raw(Integer.toString(WIDTH))
                .raw(" ").raw(Integer.toString(HEIGHT)).raw("\" role=\"img\" aria-label=\"").text(title).raw("\">\n");
        for (int tick = 0; tick <= TICKS; tick++) {
            long tickValue = top / TICKS * tick;
            double y = TOP + plotHeight - plotHeight * tick / TICKS;
            html.raw("<line class=\"grid\" x1=\"").raw(fmt(LEFT)).raw("\" x2=\"").raw(fmt(WIDTH - RIGHT)).raw("\" y1=\"")
                    .raw(fmt(y)).raw("\" y2=\"").raw(fmt(y)).raw("\"/>")
                    .raw("<text x=\"").raw(fmt(LEFT - 6)).raw("\" y=\"").raw(fmt(y + 3)).raw("\" text-anchor=\"end\">")
                    .text(bytes ? Units.bytes(tickValue) : Units.count(tickValue)).raw("</text>\n");
        }
        html.raw("<line class=\"axis\" x1=\"").raw(fmt(LEFT)).raw("\" x2=\"").raw(fmt(LEFT)).raw("\" y1=\"").raw(fmt(TOP))
                .raw("\" y2=\"").raw(fmt(TOP + plotHeight)).raw("\"/>\n");
        boolean labelEvery = rows.size() <= 80;
        for (int i = 0; i < rows.size(); i++) {
            LayerSummary layer = rows.get(i);
            long v = value.applyAsLong(layer);
            double height = top == 0 ? 0 : plotHeight * ((double) v / top);
            double x = LEFT + slot * i + slot * 0.12;
            double y = TOP + plotHeight - height;
            html.raw("<rect class=\"bar\" data-layer=\"").text(layer.name()).raw("\" data-value=\"").raw(Long.toString(v))
                    .raw("\" x=\"").raw(fmt(x)).raw("\" y=\"").raw(fmt(y)).raw("\" width=\"").raw(fmt(slot * 0.76))
                    .raw("\" height=\"").raw(fmt(height)).raw("\"><title>").text(layer.name() + " (" + layer.type() + "): "
                            + Units.exact(v) + (bytes ? " B = " + Units.bytes(v) : " = " + Units.count(v))).raw("</title></rect>\n");
            if (labelEvery) {
                double labelX = LEFT + slot * i + slot / 2;
                double labelY = TOP + plotHeight + 8;
                html.raw("<text x=\"").raw(fmt(labelX)).raw("\" y=\"").raw(fmt(labelY)).raw("\" text-anchor=\"end\" transform=\"rotate(-60 ")
                        .raw(fmt(labelX)).raw(" ").raw(fmt(labelY)).raw(")\">").text(shorten(layer.name())).raw("</text>\n");
            }
        }
        html.raw("<line class=\"axis\" x1=\"").raw(fmt(LEFT)).raw("\" x2=\"").raw(fmt(WIDTH - RIGHT)).raw("\" y1=\"")
                .raw(fmt(TOP + plotHeight)).raw("\" y2=\"").raw(fmt(TOP + plotHeight)).raw("\"/>\n</svg>\n</figure>\n");
    }

    /** The smallest tick step of 1, 2, 3, 4, 5, 6 or 8 times a power of ten whose four ticks reach {@code max}. */
    static long niceCeiling(long max) {
        if (max <= 0) {
            return TICKS;
        }
        long step = 1;
        while (true) {
            for (long factor : new long[] {1, 2, 3, 4, 5, 6, 8}) {
                long candidate = step * factor;
                if (candidate * TICKS >= max) {
                    return candidate * TICKS;
                }
            }
            if (step > Long.MAX_VALUE / 100) {
                return max;
            }
            step *= 10;
        }
    }

    /**
     * For byte charts: a round ceiling in the binary unit the axis labels use, so ticks read 200 KB, 400 KB, not
     * 195.3 KB.
     */
    static long niceBinaryCeiling(long max) {
        long unit = 1;
        while (unit <= Long.MAX_VALUE / 1024 && unit * 1024 <= max) {
            unit *= 1024;
        }
        long scaled = (max + unit - 1) / unit;
        long top = niceCeiling(scaled);
        return top <= Long.MAX_VALUE / unit ? top * unit : max;
    }

    static String shorten(String name) {
        return name.length() <= 22 ? name : "\u2026" + name.substring(name.length() - 21);
    }

    static String fmt(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
