package dev.tally.budget;

import dev.tally.report.Units;
import dev.tally.ir.UsageException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** {@code --max-growth} as the command line takes it: {@code 2%} for every figure, {@code macs=1%} for one. */
public final class GrowthLimits {
    private GrowthLimits() {
    }

    /** One growth limit for every figure a baseline has (all but the file size). */
    public static List<GrowthLimit> everyFigure(BigDecimal percent) {
        List<GrowthLimit> limits = new ArrayList<>();
        for (Figure figure : Figure.values()) {
            if (figure.summaryJsonName().isPresent()) {
                limits.add(new GrowthLimit(figure, percent));
            }
        }
        return limits;
    }

    /**
     * Growth limits from {@code --max-growth} values; a per-figure value overrides a general one whatever the
     * order ({@code --max-growth 2% --max-growth params=0%}).
     */
    public static List<GrowthLimit> parse(List<String> specs) {
        Map<Figure, GrowthLimit> general = new EnumMap<>(Figure.class);
        Map<Figure, GrowthLimit> specific = new EnumMap<>(Figure.class);
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            try {
                if (eq < 0) {
                    everyFigure(Units.parsePercent(spec)).forEach(g -> general.put(g.figure(), g));
                } else {
                    Figure figure = Figure.parse(spec.substring(0, eq).strip());
                    if (figure.summaryJsonName().isEmpty()) {
                        throw new UsageException("--max-growth '" + spec + "': a summary JSON has no " + figure.displayName()
                                + " to grow from; limit it with --max-" + figure.displayName() + " instead.");
                    }
                    specific.put(figure, new GrowthLimit(figure, Units.parsePercent(spec.substring(eq + 1))));
                }
            } catch (Units.UnitFormatException e) {
                throw new UsageException("--max-growth " + e.getMessage() + ".");
            }
        }
        general.putAll(specific);
        return new ArrayList<>(general.values());
    }
}
