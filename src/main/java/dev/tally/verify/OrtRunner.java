package dev.tally.verify;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs an ONNX model in ONNX Runtime and reports the shape of every value it was asked for. */
final class OrtRunner {
    private final OrtEnvironment environment;

    OrtRunner(OrtEnvironment environment) {
        this.environment = environment;
    }

    /** The shapes ONNX Runtime produced, by value name in output order, and how long loading and running took. */
    record Result(Map<String, Shape> shapes, double loadMillis, double inferenceMillis) {
    }

    /**
     * Runs an edited copy saved as a file (ONNX Runtime 1.20 resolves external data beside the model file; from
     * bytes it would look in the working folder instead). Graph optimizations stay at the basic level so that every
     * requested value is computed as the graph states it, not fused away.
     */
    Result runEdited(String file, Path copy, List<RandomInput> inputs) {
        return run(file, inputs, options -> environment.createSession(copy.toString(), options));
    }

    private Result run(String file, List<RandomInput> inputs, SessionFactory factory) {
        long start = System.nanoTime();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
            try (OrtSession session = open(file, () -> factory.create(options))) {
                return run(file, session, inputs, PtRunner.millisSince(start));
            }
        } catch (OrtException e) {
            throw new ModelException(file + " cannot be run by ONNX Runtime (" + EngineCache.oneLine(e) + ").");
        }
    }

    private interface SessionFactory {
        OrtSession create(OrtSession.SessionOptions options) throws OrtException;
    }

    private interface SessionOpener {
        OrtSession open() throws OrtException;
    }

    private static OrtSession open(String file, SessionOpener opener) {
        try {
            return opener.open();
        } catch (OrtException e) {
            throw new ModelException(file + " cannot be loaded by ONNX Runtime (" + EngineCache.oneLine(e)
                    + "); check that the export is complete and its opset is one ONNX Runtime supports.");
        }
    }

    private Result run(String file, OrtSession session, List<RandomInput> inputs, double loadMillis) throws OrtException {
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            for (RandomInput input : inputs) {
                feeds.put(input.name(), tensor(input));
            }
            long start = System.nanoTime();
            try (OrtSession.Result result = session.run(feeds)) {
                double inferenceMillis = PtRunner.millisSince(start);
                Map<String, Shape> shapes = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> entry : result) {
                    if (entry.getValue() instanceof OnnxTensor tensor) {
                        shapes.put(entry.getKey(), Shape.of(tensor.getInfo().getShape()));
                    }
                }
                return new Result(shapes, loadMillis, inferenceMillis);
            } catch (OrtException e) {
                throw new ModelException(file + " fails to run in ONNX Runtime on inputs " + PtRunner.shapes(inputs)
                        + " (" + EngineCache.oneLine(e) + "); check the input shape with --input.");
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor tensor(RandomInput input) throws OrtException {
        long[] shape = input.shape().toArray();
        switch (input.dtype()) {
            case FLOAT32:
                return OnnxTensor.createTensor(environment, FloatBuffer.wrap(input.floats()), shape);
            case INT64:
                return OnnxTensor.createTensor(environment, LongBuffer.wrap(input.longs()), shape);
            default:
                throw new UsageException("Input '" + input.name() + "' has type " + input.dtype().displayName()
                        + ", which verify cannot make random values for yet; float32 and int64 inputs are supported.");
        }
    }
}
