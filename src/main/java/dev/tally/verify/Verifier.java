package dev.tally.verify;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import dev.tally.analysis.Analysis;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import dev.tally.ir.Value;
import dev.tally.load.onnx.proto.Onnx;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;


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
            case CHECKPOINT, SAFETENSORS:
                // The matched catalog graph is structure only; running it would mean handing the engine the
                // checkpoint's weights, which no runner here does yet, so nothing would check the file itself.
                throw new ModelException(model.path().getFileName() + " is a " + model.format().displayName()
                        + ", counted through its matched catalog graph, which is structure only and cannot run with the"
                        + " checkpoint's weights here; export the model to ONNX or TorchScript and verify that file.");
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
        Set<String> inList = new LinkedHashSet<>();
        analysis.model().graph().inputs().stream().filter(Value::inList).forEach(v -> inList.add(v.name()));
        PtRunner.Result run = new PtRunner(engine).run(path, inputs, inList);
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
        for (String input : inList) {
            notes.add("forward takes '" + input + "' as a List[Tensor]: the engine was given a one-item list holding the input.");
        }
        return report(analysis, name, inputs, checks, timings, notes);
    }

    /**
     * One ONNX Runtime session of a copy of the model with every value as an output serves both checks: the graph
     * outputs for the output shapes, every other value for the intermediate shapes. The copy holds no weights (see
     * {@link #writeEveryValueCopy}), and the parsed file is dropped before the engine loads.
     */
    private VerificationReport verifyOnnx(Analysis analysis, List<RandomInput> inputs) {
        Path path = analysis.model().path();
        List<VerificationReport.Timing> timings = new ArrayList<>();
        long start = System.nanoTime();
        OnnxFile onnx = OnnxFile.read(path);
        // Before any engine starts: a structure-only file (external data absent) cannot run, exit 2.
        List<StoredWeights.Stored> stored = StoredWeights.of(onnx);
        timings.add(new VerificationReport.Timing("read stored weight sizes", PtRunner.millisSince(start)));

        start = System.nanoTime();
        Path[] copy = writeEveryValueCopy(onnx);
        onnx = null; // the mapped file and its parse are not needed any more
        timings.add(new VerificationReport.Timing("expose every value as an output", PtRunner.millisSince(start)));
        OrtRunner.Result all;
        String engine;
        try {
            start = System.nanoTime();
            OrtEnvironment environment = cache.onnxRuntime();
            timings.add(new VerificationReport.Timing("engine start", PtRunner.millisSince(start)));
            engine = "ONNX Runtime " + Objects.toString(OrtEnvironment.class.getPackage().getImplementationVersion(), "");
            all = new OrtRunner(environment).runEdited(path.getFileName().toString(), copy[1], inputs);
        } finally {
            deleteQuietly(copy[0]);
        }
        timings.add(new VerificationReport.Timing("load", all.loadMillis()));
        timings.add(new VerificationReport.Timing("inference", all.inferenceMillis()));
        List<Shape> outputs = new ArrayList<>();
        for (Analysis.Output output : analysis.outputs()) {
            outputs.add(all.shapes().get(output.name()));
        }
        List<Check> checks = new ArrayList<>(CrossChecks.outputShapes(analysis, outputs, "ONNX Runtime"));
        checks.addAll(CrossChecks.storedParams(analysis, stored));
        List<String> notes = new ArrayList<>();
        checks.add(CrossChecks.intermediateShapes(analysis, all.shapes(), "ONNX Runtime", notes));
        notes.add("ONNX Runtime does not show its weights: params are counted from the bytes each stored tensor holds.");
        notes.add("One run at ONNX Runtime's basic optimization level, with every value as an output, gives both the"
                + " output and the intermediate shapes; its inference time includes copying out every value.");
        return report(analysis, engine, inputs, checks, timings, notes);
    }

    /**
     * Writes the copy with every value as an output. With external weights it goes beside the original (ONNX
     * Runtime 1.20 resolves external data relative to the model file). With weights inside the file it goes into
     * a temporary folder beside a symbolic link to the original, and its initializers point at their raw bytes in
     * the original through that link as external data: the copy is a few KB, ONNX Runtime reads the weights once,
     * and this process never touches them. Returns the folder or file to delete afterwards, and the copy.
     */
    private static Path[] writeEveryValueCopy(OnnxFile onnx) {
        Path path = onnx.path();
        String file = path.getFileName().toString();
        Path copy;
        Path remove;
        Onnx.ModelProto edited;
        if (onnx.hasExternalData()) {
            Path folder = path.toAbsolutePath().getParent();
            try {
                copy = Files.createTempFile(folder, "." + file + ".", ".tally-verify.onnx");
            } catch (IOException e) {
                throw new UsageException(file + " keeps its weights in external files, so verify writes a small copy"
                        + " beside it, but " + folder + " is not writable (" + EngineCache.oneLine(e) + "); copy the model"
                        + " and its data files to a writable folder.");
            }
            remove = copy;
            edited = onnx.withEveryValueAsOutput();
        } else {
            try {
                remove = Files.createTempDirectory("tally-verify-");
                Files.createSymbolicLink(remove.resolve("weights"), path.toAbsolutePath());
            } catch (IOException e) {
                throw new UsageException("verify cannot create its small copy of " + file + " in the temporary folder "
                        + System.getProperty("java.io.tmpdir") + " (" + EngineCache.oneLine(e)
                        + "); set TMPDIR to a writable folder.");
            }
            copy = remove.resolve("every-value.onnx");
            edited = onnx.withEveryValueAsOutputReading("weights");
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(copy), 1 << 16)) {
            edited.writeTo(out);
        } catch (IOException e) {
            deleteQuietly(remove);
            throw new UsageException(file + ": the copy " + copy + " cannot be written (" + EngineCache.oneLine(e)
                    + "); check the free space of its folder.");
        }
        return new Path[] {remove, copy};
    }

    /** Deletes a file, or a folder and the files and links directly in it. */
    private static void deleteQuietly(Path path) {
        try {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> entries = Files.list(path)) {
                    for (Path entry : entries.toList()) {
                        Files.deleteIfExists(entry);
                    }
                }
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            path.toFile().deleteOnExit();
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
