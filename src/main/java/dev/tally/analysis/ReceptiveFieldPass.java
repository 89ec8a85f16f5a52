package dev.tally.analysis;

import dev.tally.ir.Attribute;
import dev.tally.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Receptive fields ({@link ReceptiveField}) of every node's first output, composed from the model input through
 * the window ops (Conv, MaxPool, AveragePool, 1-D to 3-D, dilation included; ConvTranspose of stride 1) and passed
 * unchanged through ops that work position by position. Global pooling, Flatten, Gemm and the like see the whole
 * input. An op Tally has no receptive-field rule for leaves its output without one, and so everything after it.
 */
public final class ReceptiveFieldPass {
    /** Ops whose output position (n, c, x, y) depends only on input positions (., ., x, y). */
    private static final Set<String> POSITIONWISE = Set.of("Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid", "HardSigmoid",
            "HardSwish", "Tanh", "Softplus", "Elu", "Selu", "Erf", "Exp", "Log", "Sqrt", "Reciprocal", "Neg", "Abs",
            "Gelu", "Mish", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Where", "Concat",
            "BatchNormalization", "InstanceNormalization", "LRN", "Dropout", "Identity", "Cast");
    /** Ops after which one output sees every input position. */
    private static final Set<String> WHOLE = Set.of("GlobalAveragePool", "GlobalMaxPool", "Flatten", "Gemm", "Linear",
            "MatMul", "Reshape");
    private static final Set<String> WINDOWS = Set.of("Conv", "MaxPool", "AveragePool", "LpPool", "ConvTranspose");

    private ReceptiveFieldPass() {
    }

    /** How a node's field was composed, so that {@code tally explain --receptive-field} can show the arithmetic. */
    public enum Kind {
        /** A window op (Conv, pooling): the window's kernel, stride, begin padding and dilation per axis. */
        WINDOW,
        /** A ConvTranspose of stride 1: output o reads inputs o + P - D*(K-1) .. o + P. */
        TRANSPOSE,
        /** A Pad of the spatial axes: only the start moves, by the begin padding. */
        PAD,
        /** Position by position: the field of the (widest) input, unchanged. */
        SAME,
        /** Every input position (global pooling, flatten, a fully connected layer, or an input that already saw them). */
        WHOLE
    }

    /**
     * One node's composition: the field it got, the input field it composed from and the parameters it used.
     *
     * @param input      the input field composed from (the widest when several inputs have one)
     * @param inputName  the tensor that field belongs to
     * @param fieldInputs how many of the node's inputs had a field
     * @param kernel     per axis, for {@link Kind#WINDOW} and {@link Kind#TRANSPOSE}; empty otherwise
     * @param stride     per axis, likewise
     * @param padBegin   per axis, the padding before the first position ({@link Kind#PAD} too)
     * @param dilation   per axis, likewise
     */
    public record Step(Kind kind, ReceptiveField field, ReceptiveField input, String inputName, int fieldInputs,
                       List<Long> kernel, List<Long> stride, List<Long> padBegin, List<Long> dilation) {
        public Step {
            kernel = List.copyOf(kernel);
            stride = List.copyOf(stride);
            padBegin = List.copyOf(padBegin);
            dilation = List.copyOf(dilation);
        }

        static Step of(Kind kind, ReceptiveField field, Widest from) {
            return new Step(kind, field, from.field(), from.name(), from.count(), List.of(), List.of(), List.of(), List.of());
        }
    }

    private record Widest(ReceptiveField field, String name, int count) {
    }

    /** The receptive field of each node's first output, by index in {@link Analysis#nodes()}; empty where unknown. */
    public static List<Optional<ReceptiveField>> run(Analysis analysis) {
        return trace(analysis).stream().map(step -> step.map(Step::field)).toList();
    }

    /** Each node's composition, by index in {@link Analysis#nodes()}; empty where the field is unknown. */
    public static List<Optional<Step>> trace(Analysis analysis) {
        if (analysis.inputs().stream().noneMatch(input -> input.shape().rank() > 2)) {
            // No input has a spatial axis, so no value can get a field (fields flow only from the inputs): skip the
            // maps of every value, which a long chain of vectors (issue 14's million nodes) would fill for nothing.
            return java.util.Collections.nCopies(analysis.nodes().size(), Optional.empty());
        }
        int size = ShapePass.capacity(analysis.nodes().size() + analysis.model().graph().params().size()
                + analysis.model().graph().constants().size() + analysis.inputs().size());
        Map<String, ReceptiveField> fields = new HashMap<>(size);
        Map<String, TensorInfo> shapes = new HashMap<>(size);
        analysis.model().graph().params().forEach((name, param) -> shapes.put(name, TensorInfo.of(param.dtype(), param.shape())));
        analysis.model().graph().constants().forEach((name, constant) ->
                shapes.put(name, TensorInfo.constant(constant.dtype(), constant.shape(), constant.data())));
        for (ResolvedInput input : analysis.inputs()) {
            int axes = input.shape().rank() - 2;
            if (axes >= 1) {
                List<Long> ones = new ArrayList<>();
                List<Long> zeros = new ArrayList<>();
                for (int a = 0; a < axes; a++) {
                    ones.add(1L);
                    zeros.add(0L);
                }
                fields.put(input.name(), new ReceptiveField(ones, ones, zeros, false, false));
            }
            shapes.put(input.name(), TensorInfo.of(input.dtype(), input.shape()));
        }
        List<Optional<Step>> result = new ArrayList<>();
        for (NodeResult node : analysis.nodes()) {
            List<String> outputs = node.node().outputs().stream().filter(o -> !o.isEmpty()).toList();
            for (int o = 0; o < outputs.size() && o < node.outputs().size(); o++) {
                shapes.put(outputs.get(o), node.outputs().get(o));
            }
            Optional<Step> field = node.status() == NodeResult.Status.COUNTED
                    ? compose(node, fields, shapes) : Optional.empty();
            field.ifPresent(f -> outputs.forEach(output -> fields.put(output, f.field())));
            result.add(field);
        }
        return result;
    }

    private static Optional<Step> compose(NodeResult result, Map<String, ReceptiveField> fields,
                                          Map<String, TensorInfo> shapes) {
        Node node = result.node();
        List<ReceptiveField> known = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String input : node.inputs()) {
            ReceptiveField field = fields.get(input);
            if (field != null) {
                known.add(field);
                names.add(input);
            }
        }
        if (known.isEmpty()) {
            return Optional.empty();
        }
        int index = widestIndex(known);
        ReceptiveField widest = widest(known);
        Widest from = new Widest(known.get(index), names.get(index), known.size());
        if (widest.wholeInput()) {
            return Optional.of(Step.of(Kind.WHOLE, widest, from));
        }
        String op = node.opType();
        if (WHOLE.contains(op) || (op.equals("AdaptiveAveragePool") || op.equals("AdaptiveMaxPool"))
                && result.outputs().get(0).shape().numel() == result.outputs().get(0).shape().dim(0)
                        * result.outputs().get(0).shape().dim(1)) {
            // A Reshape that keeps the spatial axes (a channel shuffle) does not mix positions.
            if (op.equals("Reshape") && sameSpatial(shapes.get(node.inputs().get(0)), result.outputs().get(0))) {
                return Optional.of(Step.of(Kind.SAME, widest, from));
            }
            return Optional.of(Step.of(Kind.WHOLE, ReceptiveField.whole(widest.jumpsDiffer()), from));
        }
        if (POSITIONWISE.contains(op) || op.equals("Pad") || op.startsWith("Adaptive")) {
            TensorInfo in = shapes.get(node.inputs().get(0));
            if (!sameSpatial(in, result.outputs().get(0))) {
                return op.equals("Pad") ? pad(node, widest, in, shapes, from) : Optional.empty();
            }
            return Optional.of(Step.of(Kind.SAME, widest, from));
        }
        if (WINDOWS.contains(op)) {
            return window(node, widest, shapes, from);
        }
        return Optional.empty();
    }

    /** The field with the largest size (the first axis decides), noting when the inputs' jumps differ. */
    private static ReceptiveField widest(List<ReceptiveField> fields) {
        ReceptiveField widest = fields.get(widestIndex(fields));
        boolean differ = fields.get(0).jumpsDiffer();
        for (ReceptiveField field : fields.subList(1, fields.size())) {
            differ |= field.jumpsDiffer() || !field.jump().equals(fields.get(0).jump()) || field.wholeInput() != fields.get(0).wholeInput();
        }
        return new ReceptiveField(widest.size(), widest.jump(), widest.start(), widest.wholeInput(), differ);
    }

    /** Which field is the widest: the first whole input, else the largest size on the first axis, the first on ties. */
    private static int widestIndex(List<ReceptiveField> fields) {
        int widest = 0;
        for (int i = 1; i < fields.size(); i++) {
            ReceptiveField field = fields.get(i);
            ReceptiveField best = fields.get(widest);
            if (field.wholeInput() && !best.wholeInput() || !best.wholeInput() && field.axes() == best.axes() && field.axes() > 0
                    && field.size().get(0) > best.size().get(0)) {
                widest = i;
            }
        }
        return widest;
    }

    private static boolean sameSpatial(TensorInfo in, TensorInfo out) {
        if (in == null || out == null || in.rank() != out.rank() || in.rank() < 3) {
            return false;
        }
        for (int axis = 2; axis < in.rank(); axis++) {
            if (in.shape().dim(axis) != out.shape().dim(axis)) {
                return false;
            }
        }
        return true;
    }

    private static Optional<Step> window(Node node, ReceptiveField field, Map<String, TensorInfo> shapes, Widest from) {
        int n = field.axes();
        TensorInfo in = shapes.get(node.inputs().get(0));
        if (in == null || in.rank() != n + 2) {
            return Optional.empty();
        }
        long[] kernel;
        if (node.opType().equals("Conv") || node.opType().equals("ConvTranspose")) {
            TensorInfo weight = node.inputs().size() > 1 ? shapes.get(node.inputs().get(1)) : null;
            if (weight == null || weight.rank() != n + 2) {
                return Optional.empty();
            }
            kernel = new long[n];
            for (int a = 0; a < n; a++) {
                kernel[a] = weight.shape().dim(a + 2);
            }
        } else {
            kernel = ints(node, "kernel_shape", n, -1);
            if (kernel == null || kernel[0] < 0) {
                return Optional.empty();
            }
        }
        long[] strides = ints(node, "strides", n, 1);
        long[] dilations = ints(node, "dilations", n, 1);
        long[] begin = padsBegin(node, n, in, kernel, strides, dilations);
        if (strides == null || dilations == null || begin == null) {
            return Optional.empty();
        }
        List<Long> size = new ArrayList<>();
        List<Long> jump = new ArrayList<>();
        List<Long> start = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            long j = field.jump().get(a);
            long extent = Math.multiplyExact(dilations[a], kernel[a] - 1);
            size.add(Math.addExact(field.size().get(a), Math.multiplyExact(extent, j)));
            if (node.opType().equals("ConvTranspose")) {
                if (strides[a] != 1) {
                    // Output neurons of a strided transposed conv see different numbers of inputs: no one field.
                    return Optional.empty();
                }
                // Output o reads inputs o + P - D*(K-1) .. o + P.
                start.add(field.start().get(a) + (begin[a] - extent) * j);
                jump.add(j);
            } else {
                start.add(field.start().get(a) - begin[a] * j);
                jump.add(Math.multiplyExact(j, strides[a]));
            }
        }
        return Optional.of(new Step(node.opType().equals("ConvTranspose") ? Kind.TRANSPOSE : Kind.WINDOW,
                new ReceptiveField(size, jump, start, false, field.jumpsDiffer()), from.field(), from.name(), from.count(),
                list(kernel), list(strides), list(begin), list(dilations)));
    }

    private static List<Long> list(long[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    /** A Pad of the spatial axes moves the start back by the padding before it. */
    private static Optional<Step> pad(Node node, ReceptiveField field, TensorInfo in, Map<String, TensorInfo> shapes,
                                      Widest from) {
        TensorInfo pads = node.inputs().size() > 1 ? shapes.get(node.inputs().get(1)) : null;
        if (in == null || pads == null || pads.data().isEmpty() || pads.data().get().size() != 2 * in.rank()
                || in.rank() != field.axes() + 2) {
            return Optional.empty();
        }
        List<Long> start = new ArrayList<>();
        List<Long> begin = new ArrayList<>();
        for (int a = 0; a < field.axes(); a++) {
            begin.add(pads.data().get().longAt(a + 2));
            start.add(field.start().get(a) - pads.data().get().longAt(a + 2) * field.jump().get(a));
        }
        return Optional.of(new Step(Kind.PAD, new ReceptiveField(field.size(), field.jump(), start, false, field.jumpsDiffer()),
                from.field(), from.name(), from.count(), List.of(), List.of(), begin, List.of()));
    }

    private static long[] ints(Node node, String key, int n, long fallback) {
        Optional<Attribute> attribute = node.attribute(key);
        long[] values = new long[n];
        if (attribute.isEmpty()) {
            java.util.Arrays.fill(values, fallback);
            return values;
        }
        if (!(attribute.get() instanceof Attribute.Ints list) || list.values().size() != n) {
            return null;
        }
        for (int a = 0; a < n; a++) {
            values[a] = list.values().get(a);
        }
        return values;
    }

    private static long[] padsBegin(Node node, int n, TensorInfo in, long[] kernel, long[] strides, long[] dilations) {
        if (strides == null || dilations == null) {
            return null;
        }
        String autoPad = node.attribute("auto_pad").filter(a -> a instanceof Attribute.Str).map(a -> ((Attribute.Str) a).value())
                .orElse("NOTSET");
        long[] begin = new long[n];
        switch (autoPad) {
            case "NOTSET" -> {
                Optional<Attribute> pads = node.attribute("pads");
                if (pads.isPresent()) {
                    if (!(pads.get() instanceof Attribute.Ints list) || list.values().size() != 2 * n) {
                        return null;
                    }
                    for (int a = 0; a < n; a++) {
                        begin[a] = list.values().get(a);
                    }
                }
            }
            case "VALID" -> {
                // no padding
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int a = 0; a < n; a++) {
                    long size = in.shape().dim(a + 2);
                    long out = Math.floorDiv(size + strides[a] - 1, strides[a]);
                    long total = Math.max(0, (out - 1) * strides[a] + dilations[a] * (kernel[a] - 1) + 1 - size);
                    begin[a] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                }
            }
            default -> {
                return null;
            }
        }
        return begin;
    }
}
