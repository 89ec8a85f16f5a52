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
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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

    /**
     * Loads and runs the file once on {@code inputs}; an input named in {@code inList} goes to the engine as the one
     * item of a list ({@link dev.tally.ir.Value#inList}: a forward parameter annotated {@code List[Tensor]}).
     */
    Result run(Path path, List<RandomInput> inputs, Set<String> inList) {
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
            forward((PtSymbolBlock) block, (PtNDManager) manager, input, outputs, file, inputs, inList);
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
                                List<RandomInput> inputs, Set<String> inList) {
        IValue[] arguments = new IValue[input.size()];
        for (int i = 0; i < arguments.length; i++) {
            PtNDArray tensor = (PtNDArray) input.get(i);
            arguments[i] = inList.contains(inputs.get(i).name()) ? IValue.listFrom(tensor) : IValue.from(tensor);
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
            collectAll(dictValues(value), manager, outputs);
        }
    }

    /**
     * A dict's values in the dict's own order: insertion order, as Python and libtorch's c10::Dict keep it (SSD's boxes,
     * scores, labels), which the static analysis' outputs follow. DJL's {@code IValue.toIValueMap} puts them into a
     * ConcurrentHashMap, ordered by the keys' hashes, so the key and value pairs are read through the JNI call it wraps,
     * {@code PyTorchLibrary.iValueToMap}, which DJL does not make public (reflection; DJL is pinned in the pom). Should
     * another DJL not have that call, the values come in DJL's hash order.
     */
    private static IValue[] dictValues(IValue dict) {
        try {
            Class<?> library = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
            Field instance = library.getDeclaredField("LIB");
            instance.setAccessible(true);
            Method toMap = library.getDeclaredMethod("iValueToMap", long.class);
            toMap.setAccessible(true);
            Constructor<IValue> wrap = IValue.class.getDeclaredConstructor(long.class);
            wrap.setAccessible(true);
            long[] handles = (long[]) toMap.invoke(instance.get(null), dict.getHandle());
            IValue[] values = new IValue[handles.length / 2];
            for (int i = 0; i + 1 < handles.length; i += 2) {
                wrap.newInstance(handles[i]).close(); // the key
                values[i / 2] = wrap.newInstance(handles[i + 1]);
            }
            return values;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return dict.toIValueMap().values().toArray(new IValue[0]);
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
