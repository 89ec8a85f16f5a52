package dev.tally.analysis;

import java.util.List;

/**
 * Which input rows a neuron sees, per spatial axis, relative to the model input: neuron {@code i} of the axis
 * sees input positions {@code jump * i + start .. jump * i + start + size - 1} (docs/conventions.md, "Receptive
 * field"). Composed through a window op of kernel K, stride S, padding P and dilation D below it:
 * {@code size += D*(K-1) * jump; start -= P * jump; jump *= S}.
 *
 * @param size        per spatial axis, the number of input positions seen
 * @param jump        per spatial axis, the input distance between neighbouring neurons (the effective stride)
 * @param start       per spatial axis, the first input position neuron 0 sees (negative in the padding)
 * @param wholeInput  after a global pool, a flatten or a fully connected layer: every input position; then the
 *                    lists are empty
 * @param jumpsDiffer a node with several inputs (add, concat) whose inputs have different jumps; the widest is kept
 */
public record ReceptiveField(List<Long> size, List<Long> jump, List<Long> start, boolean wholeInput,
                             boolean jumpsDiffer) {
    public ReceptiveField {
        size = List.copyOf(size);
        jump = List.copyOf(jump);
        start = List.copyOf(start);
        if (size.size() != jump.size() || size.size() != start.size()) {
            throw new IllegalArgumentException("A receptive field needs size, jump and start for each axis.");
        }
    }

    /** The whole input. */
    public static ReceptiveField whole(boolean jumpsDiffer) {
        return new ReceptiveField(List.of(), List.of(), List.of(), true, jumpsDiffer);
    }

    public int axes() {
        return size.size();
    }

    /** The rows one neuron sees on an axis, as the assignment writes them: {@code 2i-2..2i+3}; "whole input" after global pooling. */
    public String describe(int axis) {
        if (wholeInput) {
            return "whole input";
        }
        long first = start.get(axis);
        long last = first + size.get(axis) - 1;
        String i = jump.get(axis) == 1 ? "i" : jump.get(axis) + "i";
        return i + offset(first) + ".." + i + offset(last);
    }

    private static String offset(long value) {
        return value == 0 ? "" : value > 0 ? "+" + value : Long.toString(value);
    }
}
