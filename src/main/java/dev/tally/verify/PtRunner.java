package dev.tally.verify;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import dev.tally.ir.UsageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a TorchScript file in DJL's PyTorch engine, in eval mode, and reports what the engine saw. */
final class PtRunner {
    private final Engine engine;

    PtRunner(Engine engine) {
        this.engine = engine;
    }

    /** What one TorchScript run showed. */
    record Result(List<Shape> outputs, List<Tensor> parameters, double loadMillis, double inferenceMillis) {
    }

    /** A named tensor the engine holds, by element count. */
    record Tensor(String name, long numel) {
    }

    Result run(Path path, List<RandomInput> inputs) {
        String file = path.getFileName().toString();
        try (NDManager manager = engine.newBaseManager(Device.cpu());
             Model model = Model.newInstance(file, Device.cpu(), engine.getEngineName())) {
            long start = System.nanoTime();
            try {
                model.load(path);
            } catch (IOException | MalformedModelException | EngineException e) {
                throw new ModelException(file + " cannot be loaded by DJL's PyTorch engine (" + EngineCache.oneLine(e)
                        + "); check that it is a TorchScript file saved by torch.jit.save.");
            }
            double loadMillis = millisSince(start);
            Block block = model.getBlock();
            List<Tensor> parameters = new ArrayList<>();
            for (Pair<String, Parameter> pair : block.getParameters()) {
                NDArray array = pair.getValue().getArray();
                parameters.add(new Tensor(pair.getKey(), array.getShape().size()));
            }
            NDList input = new NDList();
            for (RandomInput random : inputs) {
                input.add(create(manager, random));
            }
            start = System.nanoTime();
            NDList output;
            try {
                // training = false: DJL switches the module to eval mode (module.eval()) before this forward pass.
                output = block.forward(new ParameterStore(manager, false), input, false);
            } catch (EngineException e) {
                throw new ModelException(file + " fails to run in DJL's PyTorch engine on inputs " + shapes(inputs)
                        + " (" + EngineCache.oneLine(e) + "); check the input shape with --input.");
            }
            double inferenceMillis = millisSince(start);
            List<Shape> outputs = new ArrayList<>();
            for (NDArray array : output) {
                outputs.add(Shape.of(array.getShape().getShape()));
            }
            return new Result(outputs, parameters, loadMillis, inferenceMillis);
        }
    }

    private static NDArray create(NDManager manager, RandomInput input) {
        ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(input.shape().toArray());
        switch (input.dtype()) {
            case FLOAT32:
                return manager.create(input.floats(), shape);
            case INT64:
                return manager.create(input.longs(), shape);
            default:
                throw new UsageException("Input '" + input.name() + "' has type " + input.dtype().displayName()
                        + ", which verify cannot make random values for yet; float32 and int64 inputs are supported.");
        }
    }

    static String shapes(List<RandomInput> inputs) {
        List<String> parts = new ArrayList<>();
        for (RandomInput input : inputs) {
            parts.add(input.name() + "=" + input.shape());
        }
        return String.join(", ", parts);
    }

    static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
