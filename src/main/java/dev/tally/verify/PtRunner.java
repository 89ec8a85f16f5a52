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
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
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
            List<Shape> outputs = new ArrayList<>();
            forward((PtSymbolBlock) block, (PtNDManager) manager, input, outputs, file, inputs);
            double inferenceMillis = millisSince(start);
            return new Result(outputs, parameters, loadMillis, inferenceMillis);
        }
    }

    /**
     * One forward pass in eval mode without autograd, collecting the shape of every tensor the module returns.
     * DJL's own {@code Block.forward} cannot convert a tuple holding {@code None} (scripted GoogLeNet returns
     * {@code GoogLeNetOutputs(logits, None, None)} in eval mode), so the result is walked here: tensors in
     * tuples, lists and dicts are outputs, in order; None and other non-tensors are not.
     */
    private static void forward(PtSymbolBlock block, PtNDManager manager, NDList input, List<Shape> outputs, String file,
                                List<RandomInput> inputs) {
        IValue[] arguments = new IValue[input.size()];
        for (int i = 0; i < arguments.length; i++) {
            arguments[i] = IValue.from((PtNDArray) input.get(i));
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.enableInferenceMode(block);
        JniUtils.setGradMode(false);
        try (IValue result = block.forward(arguments)) {
            collect(result, manager, outputs);
        } catch (EngineException e) {
            throw new ModelException(file + " fails to run in DJL's PyTorch engine on inputs " + shapes(inputs)
                    + " (" + EngineCache.oneLine(e) + "); check the input shape with --input.");
        } finally {
            JniUtils.setGradMode(gradMode);
            for (IValue argument : arguments) {
                argument.close();
            }
        }
    }

    private static void collect(IValue value, PtNDManager manager, List<Shape> outputs) {
        if (value.isTensor()) {
            try (PtNDArray tensor = value.toTensor(manager)) {
                outputs.add(Shape.of(tensor.getShape().getShape()));
            }
        } else if (value.isTuple()) {
            collectAll(value.toIValueTuple(), manager, outputs);
        } else if (value.isList()) {
            collectAll(value.toIValueArray(), manager, outputs);
        } else if (value.isMap()) {
            collectAll(value.toIValueMap().values().toArray(new IValue[0]), manager, outputs);
        }
    }

    private static void collectAll(IValue[] values, PtNDManager manager, List<Shape> outputs) {
        for (IValue value : values) {
            try (value) {
                collect(value, manager, outputs);
            }
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
