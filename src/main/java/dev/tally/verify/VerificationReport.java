package dev.tally.verify;

import dev.tally.ir.Shape;
import java.util.List;

/**
 * What {@code tally verify} found for one model: the checks, the time each phase took and the peak memory.
 * The JSON form ({@link VerificationRenderer#json}) is what {@code summary --verify} and the HTML report read.
 *
 * @param engine       the engine that ran the model, with its version ({@code ONNX Runtime 1.20.0})
 * @param inputs       the seeded random inputs the model ran on
 * @param timings      phases in the order they ran; {@code inference} is one forward pass of the model as it is
 * @param peakRssBytes the process's peak resident memory after verification (Linux VmHWM), or -1 when unknown
 * @param notes        facts the reader needs to judge the checks (e.g. that the engine shows no buffers)
 */
public record VerificationReport(String path, String format, String engine, List<Input> inputs, List<Check> checks,
                                 List<Timing> timings, long peakRssBytes, List<String> notes) {
    public VerificationReport {
        inputs = List.copyOf(inputs);
        checks = List.copyOf(checks);
        timings = List.copyOf(timings);
        notes = List.copyOf(notes);
    }

    /** Whether every check passed; a report without checks has verified nothing and does not pass. */
    public boolean passed() {
        return !checks.isEmpty() && checks.stream().allMatch(Check::pass);
    }

    public List<Check> failures() {
        return checks.stream().filter(c -> !c.pass()).toList();
    }

    /** A graph input and the shape and seed of the random tensor fed to it. */
    public record Input(String name, String dtype, Shape shape, long seed) {
    }

    /** How long one phase took, in milliseconds. */
    public record Timing(String phase, double millis) {
    }
}
