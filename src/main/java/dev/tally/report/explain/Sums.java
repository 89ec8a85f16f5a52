package dev.tally.report.explain;

import dev.tally.analysis.Derivation;
import dev.tally.analysis.Expr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A total written out as the sum of its layers ({@code params = 23,296 + 307,392 + ... = 61,100,840}) when that fits
 * on a line, else as per-group subtotals (by top-level module, then by runs of layers) and the sum of those.
 */
final class Sums {
    private Sums() {
    }

    private record Item(String name, long value) {
    }

    /** Adds the lines of {@code label}'s total of {@code terms} (layer name to value; zeros left out by the caller). */
    static void write(Derivation.Builder lines, Derivation.Quantity quantity, String label, Map<String, Long> terms, String unit) {
        List<Item> items = new ArrayList<>();
        terms.forEach((name, value) -> items.add(new Item(name, value)));
        sum(lines, quantity, label, label, items, unit, true);
    }

    private static long sum(Derivation.Builder lines, Derivation.Quantity quantity, String label, String base, List<Item> items,
                            String unit, boolean topLevel) {
        // Three terms or fewer are written out even when a long label makes the line wide: splitting them gains nothing.
        if (items.size() <= 3 || fits(label, items)) {
            Expr expr = items.isEmpty() ? Expr.num(0) : Expr.sum(items.stream().map(i -> (Expr) Expr.num(i.value())).toList());
            lines.line(quantity, label, expr, unit);
            return expr.value();
        }
        List<List<Item>> groups = topLevel ? byModule(items) : List.of();
        if (groups.size() < 2 || groups.size() == items.size()) {
            groups = chunks(label, items);
        }
        if (groups.size() < 2) {
            int half = items.size() / 2;
            groups = List.of(items.subList(0, half), items.subList(half, items.size()));
        }
        List<Item> subtotals = new ArrayList<>();
        for (List<Item> group : groups) {
            String name = group.size() == 1 ? group.get(0).name()
                    : group.get(0).name() + " .. " + group.get(group.size() - 1).name();
            String groupName = topLevel && sameModule(group) ? module(group.get(0).name()) : name;
            long value = sum(lines, quantity, base + " (" + groupName + ")", base, group, unit, false);
            subtotals.add(new Item(groupName, value));
        }
        return sum(lines, quantity, label, base, subtotals, unit, false);
    }

    private static boolean fits(String label, List<Item> items) {
        int width = label.length() + 3;
        long total = 0;
        for (Item item : items) {
            width += number(item.value()).length() + 3;
            total += item.value();
        }
        return width + number(total).length() <= Explainer.LINE_WIDTH;
    }

    private static List<List<Item>> byModule(List<Item> items) {
        Map<String, List<Item>> groups = new LinkedHashMap<>();
        for (Item item : items) {
            groups.computeIfAbsent(module(item.name()), k -> new ArrayList<>()).add(item);
        }
        return new ArrayList<>(groups.values());
    }

    /** Runs of consecutive items whose subtotal line fits; at least two items per run so that every level shrinks. */
    private static List<List<Item>> chunks(String label, List<Item> items) {
        int room = Explainer.LINE_WIDTH - label.length() - 60;
        List<List<Item>> chunks = new ArrayList<>();
        List<Item> current = new ArrayList<>();
        int width = 0;
        for (Item item : items) {
            int w = number(item.value()).length() + 3;
            if (current.size() >= 2 && width + w > room) {
                chunks.add(current);
                current = new ArrayList<>();
                width = 0;
            }
            current.add(item);
            width += w;
        }
        if (current.size() == 1 && !chunks.isEmpty()) {
            chunks.get(chunks.size() - 1).add(current.get(0));
        } else if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    private static boolean sameModule(List<Item> group) {
        return group.stream().map(i -> module(i.name())).distinct().count() == 1 && group.get(0).name().contains(".");
    }

    private static String module(String layer) {
        int dot = layer.indexOf('.');
        return dot < 0 ? layer : layer.substring(0, dot);
    }

    private static String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
