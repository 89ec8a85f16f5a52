package dev.tally.verify;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import dev.tally.analysis.Analysis;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;


/**
 * Runs a model for real and cross-checks its static {@link Analysis}: TorchScript in DJL's PyTorch engine, ONNX
 * in ONNX Runtime, on seeded random inputs of the analyzed shapes.
 */
public final class Verifier {
    private final EngineCache cache;

    public Verifier(EngineCache cache) {
        this.cache = cache;
    }

    /** Verifies the model the analysis was made from, on the input shapes the analysis resolved. */
    public VerificationReport verify(Analysis analysis) {
        Model model = analysis.model();
        List<RandomInput> inputs = RandomInput.of(analysis.inputs());
        switch (model.format()) {
            case TORCHSCRIPT:
                EngineCache.requirePyTorch();
                return verifyTorchScript(analysis, inputs);
            case ONNX:
                EngineCache.requireOnnxRuntime();
                return verifyOnnx(analysis, inputs);
            default:
                throw new ModelException(model.path().getFileName() + " is a " + model.format().displayName()
                        + ", which holds no graph to run; verify runs TorchScript (.pt) and ONNX (.onnx) files.");
        }
    }

    private VerificationReport verifyTorchScript(Analysis analysis, List<RandomInput> inputs) {
        Path path = analysis.model().path();
        List<VerificationReport.Timing> timings = new ArrayList<>();
        long start = System.nanoTime();
        Engine engine = cache.pytorch();
        timings.add(new VerificationReport.Timing("engine start", PtRunner.millisSince(start)));
        PtRunner.Result run = new PtRunner(engine).run(path, inputs);
        timings.add(new VerificationReport.Timing("load", run.loadMillis()));
        timings.add(new VerificationReport.Timing("inference", run.inferenceMillis()));
        String name = "DJL " + engine.getEngineName() + " " + engine.getVersion();
        List<Check> checks = new ArrayList<>(CrossChecks.outputShapes(analysis, run.outputs(), "DJL"));
        checks.add(CrossChecks.engineParams(analysis, run.parameters()));
        List<String> notes = new ArrayList<>();
        long buffers = CrossChecks.Tally.of(analysis).buffers();
        if (buffers > 0) {
            notes.add("DJL shows the module's parameters (named_parameters()) but not its buffers, so the "
                    + CrossChecks.count(buffers) + " buffer elements of the static tally are not compared.");
        }
        notes.add("The module ran once, in eval mode; TorchScript's first forward pass includes its profiling, so it is slower than later ones.");
        return report(analysis, name, inputs, checks, timings, notes);
    }

    private VerificationReport verifyOnnx(Analysis analysis, List<RandomInput> inputs) {
        Path path = analysis.model().path();
        String file = path.getFileName().toString();
        List<VerificationReport.Timing> timings = new ArrayList<>();
        long start = System.nanoTime();
        OnnxFile onnx = OnnxFile.read(path);
        // Before any engine starts: a structure-only file (external data absent) cannot run, exit 2.
        List<StoredWeights.Stored> stored = StoredWeights.of(onnx);
        timings.add(new VerificationReport.Timing("read stored weight sizes", PtRunner.millisSince(start)));

        start = System.nanoTime();
        OrtEnvironment environment = cache.onnxRuntime();
        timings.add(new VerificationReport.Timing("engine start", PtRunner.millisSince(start)));
        OrtRunner runner = new OrtRunner(environment);

        OrtRunner.Result plain = runner.runFile(path, inputs);
        timings.add(new VerificationReport.Timing("load", plain.loadMillis()));
        timings.add(new VerificationReport.Timing("inference", plain.inferenceMillis()));
        List<Shape> outputs = new ArrayList<>();
        for (Analysis.Output output : analysis.outputs()) {
            outputs.add(plain.shapes().get(output.name()));
        }
        List<Check> checks = new ArrayList<>(CrossChecks.outputShapes(analysis, outputs, "ONNX Runtime"));
        checks.addAll(CrossChecks.storedParams(analysis, stored));

        // Serialized once; the edited copy shares the original's weight bytes (aliased from the mapped file).
        start = System.nanoTime();
        byte[] edited = onnx.withEveryValueAsOutput().toByteArray();
        timings.add(new VerificationReport.Timing("expose every value as an output", PtRunner.millisSince(start)));
        OrtRunner.Result all = onnx.hasExternalData() ? runBesideOriginal(runner, path, edited, inputs)
                : runner.runEdited(file, edited, inputs);
        timings.add(new VerificationReport.Timing("load with every value as an output", all.loadMillis()));
        timings.add(new VerificationReport.Timing("inference with every value as an output", all.inferenceMillis()));
        List<String> notes = new ArrayList<>();
        checks.add(CrossChecks.intermediateShapes(analysis, all.shapes(), "ONNX Runtime", notes));
        notes.add("ONNX Runtime does not show its weights: params are counted from the bytes each stored tensor holds.");
        String version = OrtEnvironment.class.getPackage().getImplementationVersion();
        return report(analysis, "ONNX Runtime " + (version == null ? "" : version), inputs, checks, timings, notes);
    }

    /**
     * Runs the edited copy of a model with external weights from a hidden file beside the original, where ONNX
     * Runtime finds the weights by their relative location; the copy holds no weights, so it is small.
     */
    private static OrtRunner.Result runBesideOriginal(OrtRunner runner, Path path, byte[] edited, List<RandomInput> inputs) {
        String file = path.getFileName().toString();
        Path folder = path.toAbsolutePath().getParent();
        Path copy;
        try {
            copy = Files.createTempFile(folder, "." + file + ".", ".tally-verify.onnx");
        } catch (IOException e) {
            throw new UsageException(file + " keeps its weights in external files, so verify writes a small copy"
                    + " beside it, but " + folder + " is not writable (" + EngineCache.oneLine(e) + "); copy the model"
                    + " and its data files to a writable folder.");
        }
        try {
            Files.write(copy, edited);
            return runner.runEdited(file, copy, inputs);
        } catch (IOException e) {
            throw new UsageException(file + ": the copy " + copy + " cannot be written (" + EngineCache.oneLine(e) + ").");
        } finally {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException e) {
                copy.toFile().deleteOnExit();
            }
        }
    }

    private static VerificationReport report(Analysis analysis, String engine, List<RandomInput> inputs,
                                             List<Check> checks, List<VerificationReport.Timing> timings,
                                             List<String> notes) {
        return new VerificationReport(analysis.model().path().toString(), analysis.model().format().displayName(),
                engine.strip(), inputs.stream().map(RandomInput::describe).toList(), checks, timings, peakRssBytes(), notes);
    }

    /** The process's peak resident set (VmHWM in /proc/self/status), or -1 where that file does not exist. */
    static long peakRssBytes() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

}
