package dev.tally.load.torchscript;

import dev.tally.analysis.InputShapes;
import dev.tally.analysis.RuleTable;
import dev.tally.analysis.rules.Rules;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.load.pytorch.PickleReader;
import dev.tally.load.pytorch.TensorRef;
import dev.tally.load.pytorch.TorchArchive;
import dev.tally.load.pytorch.TorchObject;
import dev.tally.load.torchscript.Values.ModuleValue;
import dev.tally.load.torchscript.Values.TensorValue;
import dev.tally.load.torchscript.Values.TupleValue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;

/**
 * Reads a TorchScript archive ({@code torch.jit.save}, traced or scripted, PyTorch 1.x and 2.x) into the IR,
 * following PyTorch's own steps: {@code version}, {@code data.pkl} as the module tree (unpickled by the
 * restricted {@link PickleReader}), {@code constants.pkl} as the constant table, and the {@code code/} sources,
 * whose {@code forward} is interpreted to build the graph. Tensor bytes ({@code data/<key>}) are never read.
 */
public final class TorchScriptLoader {
    private final RuleTable rules;

    public TorchScriptLoader() {
        this(Rules.standard());
    }

    public TorchScriptLoader(RuleTable rules) {
        this.rules = rules;
    }

    /** Loads without input shapes: the graph input is left undeclared, so the analysis needs --input. */
    public Model load(Path path) {
        return load(path, Map.of());
    }

    /**
     * Loads with the shapes of {@code forward}'s tensor arguments (by name, or {@link InputShapes#UNNAMED} for a
     * lone input), so that shape-dependent code ({@code if x.dim() == 4}, {@code x.size(0)}) is resolved exactly.
     */
    public Model load(Path path, Map<String, Shape> inputShapes) {
        String file = path.getFileName().toString();
        try (TorchArchive archive = TorchArchive.open(path)) {
            // PyTorch 1.x writes <archive>/version; 2.x writes .data/version as well (and sometimes only).
            String version = archive.has("version") ? archive.readText("version").trim()
                    : archive.has(".data/version") ? archive.readText(".data/version").trim() : "";
            PickleReader pickles = new PickleReader(file, "data.pkl", PickleReader.Mode.STRICT,
                    key -> archive.size("data/" + key));
            Object root = pickles.read(archive.read("data.pkl"));
            if (!(root instanceof TorchObject module)) {
                throw new ModelException(file + ": 'data.pkl' holds a " + (root == null ? "None" : root.getClass().getSimpleName())
                        + " instead of a TorchScript module; it is not a torch.jit.save archive (run 'tally audit " + file
                        + "' to see what it holds, without loading it).");
            }
            List<Object> constants = List.of();
            if (archive.has("constants.pkl")) {
                PickleReader constantReader = new PickleReader(file, "constants.pkl", PickleReader.Mode.STRICT,
                        key -> archive.size("constants/" + key).isPresent() ? archive.size("constants/" + key) : archive.size("data/" + key));
                Object table = constantReader.read(archive.read("constants.pkl"));
                if (table instanceof Object[] tuple) {
                    constants = new ArrayList<>();
                    for (Object constant : tuple) {
                        constants.add(smallConstant(archive, constant));
                    }
                }
            }
            CodeLibrary library = new CodeLibrary(archive);
            IdentityHashMap<TorchObject, Map<String, Param>> stored = new IdentityHashMap<>();
            Map<TensorKey, Param> seen = new LinkedHashMap<>();
            Map<String, String> classes = new LinkedHashMap<>();
            collectTensors(file, library, module, "", stored, seen, classes, Collections.newSetFromMap(new IdentityHashMap<>()));
            GraphBuilder graph = new GraphBuilder(file, rules);
            for (Param param : seen.values()) {
                // In module-tree order, as state_dict() lists them; constants enter the graph only when code reads them.
                if (param.role() != Role.CONSTANT) {
                    graph.param(param);
                }
            }
            Interpreter interpreter = new Interpreter(file, library, graph, stored, constants);
            Optional<String> gap = runForward(file, library, interpreter, new ModuleValue(module, ""), inputShapes,
                    floatingType(seen.values()));
            Graph built = graph.build(simpleName(module.className()));
            List<String> notes = new ArrayList<>();
            gap.ifPresent(notes::add);
            String producer = version.isEmpty() ? "torchscript" : "torchscript (archive version " + version + ")";
            return new Model(path, ModelFormat.TORCHSCRIPT, producer, built, notes, null, classes);
        }
    }

    /**
     * Gives every stored tensor of the module tree a Param named by its module path ({@code features.0.weight}).
     * The class code says which attributes are parameters and which are buffers; a tensor reached twice (a
     * shared weight) keeps its first name, so it is counted once.
     */
    private static void collectTensors(String file, CodeLibrary library, TorchObject module, String path,
                                       IdentityHashMap<TorchObject, Map<String, Param>> stored, Map<TensorKey, Param> seen,
                                       Map<String, String> classes, Set<TorchObject> visited) {
        if (!visited.add(module)) {
            return;
        }
        if (QuantizedState.isTorchClass(module)) {
            // Packed params (torch.classes.quantized.*): no code, only the weight and bias they pack, read as data.
            QuantizedState.applyPacked(module);
            stored.put(module, packedTensors(module, path, seen));
            return;
        }
        // __torch__.torchvision.models.resnet.Bottleneck (a mangled one has ___torch_mangle_N before the name).
        classes.put(path, simpleName(module.className()));
        CodeLibrary.ClassInfo info = library.classInfo(module.className()).orElseThrow(() -> new ModelException(
                file + ": the code of class '" + module.className() + "' (module '" + (path.isEmpty() ? "(root)" : path)
                        + "') is missing from the archive; re-save the model with torch.jit.save."));
        QuantizedState.apply(module, info.methods().get("__setstate__"));
        Map<String, Param> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Object> attribute : module.attributes().entrySet()) {
            String name = attribute.getKey();
            Object value = attribute.getValue();
            String childPath = path.isEmpty() ? name : path + "." + name;
            if (value instanceof TensorRef tensor) {
                Role role = info.parameters().contains(name) ? Role.PARAM : info.buffers().contains(name) ? Role.BUFFER : Role.CONSTANT;
                TensorKey key = new TensorKey(tensor.storage().key(), tensor.offset(), tensor.sizes(), tensor.strides());
                Param param = seen.get(key);
                if (param == null) {
                    // torch.jit.save pickles each tensor's requires_grad: False on a parameter is a frozen one.
                    param = new Param(childPath, childPath, tensor.shape(), tensor.dtype(), role, !tensor.requiresGrad());
                    seen.put(key, param);
                }
                tensors.put(name, param);
            } else if (value instanceof TorchObject child) {
                collectTensors(file, library, child, childPath, stored, seen, classes, visited);
            }
        }
        stored.put(module, tensors);
    }

    /** The weight and bias a packed params object holds, as params named by its path ({@code fc._packed_params._packed_params.weight}). */
    private static Map<String, Param> packedTensors(TorchObject packed, String path, Map<TensorKey, Param> seen) {
        Map<String, Param> tensors = new LinkedHashMap<>();
        for (String name : List.of("weight", "bias")) {
            if (packed.attributes().get(name) instanceof TensorRef tensor) {
                TensorKey key = new TensorKey(tensor.storage().key(), tensor.offset(), tensor.sizes(), tensor.strides());
                String full = path + "." + name;
                Param param = seen.computeIfAbsent(key, k -> new Param(full, full, tensor.shape(), tensor.dtype(), Role.PARAM, !tensor.requiresGrad()));
                tensors.put(name, param);
            }
        }
        return tensors;
    }

    /** Constant tensors up to this many elements have their values read: shape arithmetic needs them. */
    private static final long SMALL_CONSTANT = 64;

    /**
     * A constant of {@code constants.pkl} as the interpreter uses it: a small tensor's values are read (traced
     * code divides sizes by {@code CONSTANTS.c0}, a 0-dim tensor holding 2), a 0-dim one becomes a Python number.
     * Larger tensors stay descriptors; their bytes are not read.
     */
    private static Object smallConstant(TorchArchive archive, Object constant) {
        if (!(constant instanceof TensorRef tensor) || tensor.shape().numel() > SMALL_CONSTANT) {
            return constant;
        }
        DType dtype = tensor.dtype();
        String key = tensor.storage().key();
        String record = archive.has("constants/" + key) ? "constants/" + key : "data/" + key;
        long needed = (tensor.offset() + tensor.shape().numel()) * dtype.byteSize();
        if (!archive.has(record) || archive.size(record).orElse(0) < needed || dtype.byteSize() == 0
                || !tensor.strides().equals(contiguousStrides(tensor.sizes()))) {
            return constant;
        }
        ByteBuffer bytes = ByteBuffer.wrap(archive.read(record)).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) tensor.shape().numel();
        int start = (int) (tensor.offset() * dtype.byteSize());
        ConstData data;
        if (dtype.isIntegral()) {
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                int at = start + i * dtype.byteSize();
                values[i] = switch (dtype) {
                    case INT64, UINT64 -> bytes.getLong(at);
                    case INT32, UINT32 -> bytes.getInt(at);
                    case INT16, UINT16 -> bytes.getShort(at);
                    default -> bytes.get(at);
                };
            }
            data = ConstData.ofInts(values);
        } else if (dtype == DType.FLOAT32 || dtype == DType.FLOAT64) {
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                int at = start + i * dtype.byteSize();
                values[i] = dtype == DType.FLOAT32 ? bytes.getFloat(at) : bytes.getDouble(at);
            }
            data = ConstData.ofFloats(values);
        } else {
            return constant;
        }
        if (tensor.shape().rank() == 0) {
            if (dtype == DType.BOOL) {
                return data.longAt(0) != 0;
            }
            return data.isIntegral() ? (Object) data.longAt(0) : (Object) data.doubleAt(0);
        }
        return new ConstTensor(dtype, tensor.shape(), data);
    }

    private static List<Long> contiguousStrides(List<Long> sizes) {
        Long[] strides = new Long[sizes.size()];
        long stride = 1;
        for (int i = sizes.size() - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= sizes.get(i);
        }
        return Arrays.asList(strides);
    }

    /** Whether a parameter is annotated {@code List[Tensor]}. */
    private static boolean isTensorList(Ast.Expr annotation) {
        return annotation instanceof Ast.Subscript subscript && subscript.target() instanceof Ast.Name list
                && list.id().equals("List") && subscript.index() instanceof Ast.Name element && element.id().equals("Tensor");
    }

    /** Two tensors are one weight when they view the same storage the same way. */
    private record TensorKey(String storage, long offset, List<Long> sizes, List<Long> strides) {}

    /**
     * The element type of an input given without {@code :dtype}: the floating type of the model's stored floating
     * tensors when they all have one (a {@code model.half()} file takes float16 input, as PyTorch requires), else
     * float32. Quantized models keep float32: their quantize stub takes float input.
     */
    static DType floatingType(java.util.Collection<Param> stored) {
        Set<DType> floating = new java.util.HashSet<>();
        for (Param param : stored) {
            if (param.dtype().isFloatingPoint() && param.role() != Role.CONSTANT) {
                floating.add(param.dtype());
            }
        }
        return floating.size() == 1 ? floating.iterator().next() : DType.FLOAT32;
    }

    /** The op type of the gap left where the interpreter stops: reported as an op without a rule, never zero. */
    static final String UNFOLLOWED = "TorchScript code Tally cannot follow";

    /** Interprets forward into the graph; returns the note of the gap when the code could not be followed to its end. */
    private static Optional<String> runForward(String file, CodeLibrary library, Interpreter interpreter, ModuleValue root,
                                               Map<String, Shape> inputShapes, DType defaultType) {
        CodeLibrary.ClassInfo info = library.classInfo(root.object().className()).orElseThrow();
        Ast.FunctionDef forward = info.methods().get("forward");
        if (forward == null) {
            throw new ModelException(file + ": the root module (" + root.object().className()
                    + ") has no forward method in " + info.record() + "; it cannot be counted.");
        }
        List<Ast.Parameter> parameters = forward.parameters().subList(1, forward.parameters().size());
        List<Object> args = new ArrayList<>();
        for (Ast.Parameter parameter : parameters) {
            if (parameter.defaultValue() != null && !inputShapes.containsKey(parameter.name()) && !args.isEmpty()) {
                // An optional argument no --input names keeps its default (detection's targets=None in eval mode).
                break;
            }
            String key = parameter.name();
            if (!inputShapes.containsKey(key) && parameters.stream().filter(p -> p.defaultValue() == null).count() == 1) {
                key = InputShapes.UNNAMED;
            }
            DType dtype = InputShapes.dtypeOf(inputShapes, key).orElse(defaultType);
            // torchvision's detection models take List[Tensor] (one image per entry): the input given is one image.
            boolean inList = isTensorList(parameter.annotation());
            TensorValue input = interpreter.graph().input(parameter.name(), inputShapes.get(key), dtype, inList);
            // An integer input whose values the user bounds (:maxN): a size the code reads from them is at most that.
            InputShapes.valueBound(inputShapes, key).ifPresent(max -> interpreter.graph().boundValues(input.name(), max));
            args.add(inList ? new ArrayList<>(List.of(input)) : input);
        }
        if (!inputShapes.isEmpty()) {
            // With the input shapes given, code that still cannot be followed is data-dependent or unknown to Tally:
            // a listed gap at its line, and the rest of forward still runs.
            interpreter.followGaps();
        }
        Object result;
        try {
            result = interpreter.callMethod(root, "forward", args, Map.of(),
                    new Interpreter.Site(info.record(), forward.line(), ""));
        } catch (StackOverflowError e) {
            // The parser bounds nesting (CodeParser.MAX_DEPTH); a chain of 100,000 operators or self-calling methods still recurses here.
            throw new ModelException(file + ": the model's code recurses or chains operators deeper than Tally follows; the archive is damaged or hostile.");
        } catch (Interpreter.RaisedException e) {
            throw new ModelException(file + ": the model's own code raises '" + e.getMessage()
                    + "' for this input; check the input shape given with --input.");
        } catch (Interpreter.ShapeDependentException e) {
            if (!inputShapes.isEmpty()) {
                // With the input shapes given, code that still cannot be followed (a value computed from data, an op
                // on a value not known statically) is a listed gap at its line: what ran before it is counted.
                String where = e.getMessage().startsWith(file + ": ") ? e.getMessage().substring(file.length() + 2) : e.getMessage();
                int colon = where.indexOf(": ");
                String source = colon > 0 ? where.substring(0, colon) : "";
                interpreter.graph().emit(UNFOLLOWED, List.of(), Map.of(), 0, source, source);
                return Optional.of("The TorchScript interpreter cannot follow " + where.substring(colon + 2)
                        .replaceAll("\\.$", "") + " (at " + source + "); the rest of forward is not counted and the outputs"
                        + " are unresolved: only the nodes before that line are in the totals.");
            }
            // Without input shapes, code that computes with sizes cannot be followed; say so with the fix.
            String message = e.getMessage().endsWith(".") ? e.getMessage().substring(0, e.getMessage().length() - 1) : e.getMessage();
            throw new ModelException(message + "; TorchScript files do not record input shapes, so pass one with --input, e.g. --input "
                    + (parameters.size() == 1 ? "" : parameters.get(0).name() + "=") + "1x3x224x224.", e);
        }
        addOutputs(interpreter.graph(), result);
        return gapNote(interpreter.gaps());
    }

    /** How many gaps to describe one by one in the note; the rest are counted. */
    private static final int GAPS_NAMED = 3;

    private static Optional<String> gapNote(List<Gaps.Gap> gaps) {
        if (gaps.isEmpty()) {
            return Optional.empty();
        }
        // One entry per line of code (a loop's body fails at the same line on every step), in the order first met.
        Map<String, Integer> times = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        for (Gaps.Gap gap : gaps) {
            times.merge(gap.source(), 1, Integer::sum);
            // The input shapes were given: the fix the interpreter's message suggests for their absence does not apply.
            String reason = gap.reason().replaceAll("\\.$", "").replaceAll("[;,] give the input shape.*$", "");
            String at = gap.source() + ": ";
            reasons.putIfAbsent(gap.source(), reason.startsWith(at) ? reason.substring(at.length()) : reason);
        }
        StringBuilder note = new StringBuilder("The TorchScript interpreter cannot follow ").append(gaps.size())
                .append(gaps.size() == 1 ? " statement" : " statements").append(" (");
        int named = 0;
        for (Map.Entry<String, Integer> line : times.entrySet()) {
            if (named == GAPS_NAMED) {
                note.append("; and ").append(times.size() - GAPS_NAMED).append(" more lines");
                break;
            }
            note.append(named++ == 0 ? "" : "; ").append(line.getKey())
                    .append(line.getValue() == 1 ? "" : " (" + line.getValue() + " times)").append(": ")
                    .append(reasons.get(line.getKey()));
        }
        return Optional.of(note.append("); each is listed as not counted, what it computes has no known shape, and"
                + " every node that depends on it is left out of the totals; the rest of forward is counted.").toString());
    }

    private static void addOutputs(GraphBuilder graph, Object result) {
        if (result instanceof TensorValue tensor) {
            graph.output(tensor.name());
        } else if (result instanceof TupleValue tuple) {
            for (Object item : tuple.items()) {
                addOutputs(graph, item);
            }
        } else if (result instanceof List<?> list) {
            for (Object item : list) {
                addOutputs(graph, item);
            }
        } else if (result instanceof Map<?, ?> map) {
            for (Object item : map.values()) {
                addOutputs(graph, item);
            }
        }
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
