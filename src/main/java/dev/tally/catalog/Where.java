package dev.tally.catalog;

import dev.tally.report.Units;
import dev.tally.ir.UsageException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --where "acc1>=75 and macs<=2G"}: comparisons of a column with a value, joined by {@code and} (binding
 * tighter) and {@code or}. Counts take K, M, G, T; sizes take B, KB, MB, GB or KiB, MiB, GiB; metrics are decimals;
 * text columns (task, family, builder, weights) take a word and = or != only. A row without the value (a cost
 * that is absent) does not satisfy a comparison on it. A bad expression is refused with one sentence that names
 * the wrong token and where it starts.
 */
public final class Where {
    private static final Pattern TOKEN = Pattern.compile("\\s*(>=|<=|!=|==|=|>|<|[A-Za-z0-9_@.\\-]+|\\S)");
    private static final List<String> OPERATORS = List.of(">=", "<=", "!=", "==", "=", ">", "<");

    private final String text;
    private final Map<String, Column> columns;
    private final List<Token> tokens = new ArrayList<>();
    private int next;

    private record Token(String text, int start) {
    }

    private Where(String text, Map<String, Column> columns) {
        this.text = text;
        this.columns = columns;
        Matcher m = TOKEN.matcher(text);
        int at = 0;
        while (at < text.length() && m.find(at) && m.start() == at) {
            if (!m.group(1).isBlank()) {
                tokens.add(new Token(m.group(1), m.start(1)));
            }
            at = m.end();
        }
    }

    /** The rows {@code expression} keeps. */
    public static Predicate<CatalogRow> parse(String expression, Map<String, Column> columns) {
        Where where = new Where(expression, columns);
        if (where.tokens.isEmpty()) {
            throw new UsageException("The --where expression is empty; write comparisons like \"acc1>=75 and macs<=2G\".");
        }
        Predicate<CatalogRow> result = where.disjunction();
        if (where.next < where.tokens.size()) {
            throw where.error("expected 'and', 'or' or the end");
        }
        return result;
    }

    /** Whether {@code expression} names the column {@code key} (then every row needs that column's value). */
    static boolean mentions(String expression, String key) {
        return new Where(expression, Map.of()).tokens.stream().anyMatch(t -> t.text().equals(key));
    }

    private Predicate<CatalogRow> disjunction() {
        Predicate<CatalogRow> result = conjunction();
        while (accept("or")) {
            result = result.or(conjunction());
        }
        return result;
    }

    private Predicate<CatalogRow> conjunction() {
        Predicate<CatalogRow> result = comparison();
        while (accept("and")) {
            result = result.and(comparison());
        }
        return result;
    }

    private boolean accept(String word) {
        if (next < tokens.size() && tokens.get(next).text().equalsIgnoreCase(word)) {
            next++;
            return true;
        }
        return false;
    }

    private Predicate<CatalogRow> comparison() {
        if (next >= tokens.size()) {
            throw error("expected a column such as acc1 or macs");
        }
        Token keyToken = tokens.get(next);
        Column column = columns.get(keyToken.text());
        if (column == null) {
            throw error("expected a column (one of: " + String.join(", ", columns.keySet()) + ")");
        }
        next++;
        if (next >= tokens.size() || !OPERATORS.contains(tokens.get(next).text())) {
            throw error("expected an operator (>=, <=, >, <, =, !=) after '" + keyToken.text() + "'");
        }
        String operator = tokens.get(next++).text();
        if (next >= tokens.size()) {
            throw error("expected a value after '" + keyToken.text() + operator + "'");
        }
        Object value = value(column, operator);
        next++;
        return row -> {
            Optional<?> actual = column.value().apply(row);
            if (actual.isEmpty()) {
                return false;
            }
            int order = compare(actual.get(), value);
            return switch (operator) {
                case ">=" -> order >= 0;
                case "<=" -> order <= 0;
                case ">" -> order > 0;
                case "<" -> order < 0;
                case "!=" -> order != 0;
                default -> order == 0;
            };
        };
    }

    private Object value(Column column, String operator) {
        String token = tokens.get(next).text();
        try {
            return switch (column.kind()) {
                case COUNT_COST, COUNT_BENEFIT -> Units.parseCount(token);
                case BYTES_COST -> Units.parseBytes(token);
                case METRIC, ERROR -> new BigDecimal(token);
                case TEXT -> {
                    if (!operator.equals("=") && !operator.equals("==") && !operator.equals("!=")) {
                        next--;
                        throw error("text column '" + column.key() + "' takes = or != only");
                    }
                    yield token;
                }
            };
        } catch (NumberFormatException | Units.UnitFormatException e) {
            throw error("expected " + (column.kind() == Column.Kind.METRIC ? "a decimal number such as 75.5"
                    : column.kind() == Column.Kind.ERROR ? "a decimal number such as 1.5"
                    : column.kind() == Column.Kind.BYTES_COST ? "a size such as 60MB or 1.5GiB" : "a count such as 2G or 25M")
                    + " for '" + column.key() + "'");
        }
    }

    private static int compare(Object actual, Object wanted) {
        if (actual instanceof Long a && wanted instanceof Long b) {
            return Long.compare(a, b);
        }
        if (actual instanceof BigDecimal a && wanted instanceof BigDecimal b) {
            return a.compareTo(b);
        }
        return actual.toString().compareTo(wanted.toString());
    }

    private UsageException error(String expected) {
        if (next >= tokens.size()) {
            return new UsageException("Bad --where expression \"" + text + "\": it ends too early; " + expected + ".");
        }
        Token token = tokens.get(next);
        return new UsageException("Bad --where expression \"" + text + "\" at '" + token.text() + "' (character "
                + (token.start() + 1) + "): " + expected + ".");
    }
}
