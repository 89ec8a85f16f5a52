package dev.tally.ir;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reading a name the user typed (a convention, an optimizer, a figure) into one of a fixed set of choices: the one
 * place that decides how names are matched (case and surrounding blanks ignored) and what a miss says
 * ({@code Unknown convention 'mac'. Use one of: macs, flops, ops.}).
 */
public final class Names {
    private Names() {
    }

    /**
     * @param what    how the message names the kind of thing ({@code convention}, {@code --by})
     * @param text    what the user typed
     * @param choices the valid choices, in the order a miss lists them
     * @param name    each choice's name as the user types it (lower case)
     */
    public static <T> T parse(String what, String text, List<T> choices, Function<T, String> name) {
        String wanted = text.strip().toLowerCase(Locale.ROOT);
        for (T choice : choices) {
            if (name.apply(choice).equals(wanted)) {
                return choice;
            }
        }
        throw new UsageException("Unknown " + what + " '" + text + "'. Use one of: " + list(choices, name) + ".");
    }

    /** {@code macs, flops, ops}: the names of {@code choices}, for messages and help texts. */
    public static <T> String list(List<T> choices, Function<T, String> name) {
        return choices.stream().map(name).collect(Collectors.joining(", "));
    }
}
