package dev.tally.analysis.rules;

import dev.tally.analysis.Cost;
import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.ShapePass;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.ConstTensor;
import dev.tally.ir.DType;
import dev.tally.ir.Dim;
import dev.tally.ir.Node;
import dev.tally.ir.Shape;
import dev.tally.ir.TensorType;
import dev.tally.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One node built by hand and run through its rule from {@link Rules#standard()}, as the passes run it. */
final class Op {
    static final String FILE = "test.onnx";

    private final String opType;
    private final List<String> inputs = new ArrayList<>();
    private final Map<String, TensorInfo> values = new HashMap<>();
    private final Map<String, Attribute> attributes = new LinkedHashMap<>();
    private int outputs = 1;

    private Op(String opType) {
        this.opType = opType;
    }

    static Op of(String opType) {
        return new Op(opType);
    }

    /** A float32 input of the given dims. */
    Op input(long... dims) {
        return input(TensorInfo.of(DType.FLOAT32, Shape.of(dims)));
    }

    Op input(TensorInfo info) {
        String name = "in" + inputs.size();
        inputs.add(name);
        values.put(name, info);
        return this;
    }

    /** A 1-D int64 input with known values (a shape, axes, pads). */
    Op ints(long... values) {
        return input(TensorInfo.ints(values));
    }

    /** An int64 scalar input with a known value. */
    Op scalar(long value) {
        return input(TensorInfo.constant(DType.INT64, Shape.scalar(), ConstData.ofInts(value)));
    }

    /** An omitted optional input. */
    Op omitted() {
        inputs.add("");
        return this;
    }

    Op attr(String key, long value) {
        attributes.put(key, new Attribute.Int(value));
        return this;
    }

    Op attrs(String key, long... values) {
        attributes.put(key, Attribute.ints(values));
        return this;
    }

    Op attr(String key, String value) {
        attributes.put(key, new Attribute.Str(value));
        return this;
    }

    Op attr(String key, double value) {
        attributes.put(key, new Attribute.Float(value));
        return this;
    }

    Op attr(String key, ConstTensor value) {
        attributes.put(key, new Attribute.Tensor(value));
        return this;
    }

    Op attr(String key, Attribute value) {
        attributes.put(key, value);
        return this;
    }

    Op outputs(int count) {
        outputs = count;
        return this;
    }

    Node node() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < outputs; i++) {
            names.add("out" + i);
        }
        return new Node("n", opType, inputs, names, attributes, "layer");
    }

    OpRule rule() {
        return Rules.standard().lookup(opType).orElseThrow(() -> new AssertionError("No rule for " + opType));
    }

    /** The node's outputs as the shape pass infers them (errors wrapped as the pass wraps them). */
    List<TensorInfo> infer() {
        return ShapePass.inferNode(FILE, node(), rule(), values).subList(0, outputs);
    }

    TensorInfo output() {
        return infer().get(0);
    }

    Shape shape() {
        return output().shape();
    }

    /** The known values of output 0, as longs. */
    long[] longs() {
        ConstData data = output().data().orElseThrow(() -> new AssertionError("Output values of " + opType + " are not known."));
        long[] result = new long[data.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = data.longAt(i);
        }
        return result;
    }

    double[] doubles() {
        ConstData data = output().data().orElseThrow(() -> new AssertionError("Output values of " + opType + " are not known."));
        double[] result = new double[data.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = data.doubleAt(i);
        }
        return result;
    }

    Cost cost() {
        OpContext ctx = new OpContext(FILE, node(), rule().inputs(), values, infer());
        return rule().cost(ctx);
    }

    long ops() {
        return cost().ops();
    }

    /** The rule's derivation, with the outputs known as when costing. */
    dev.tally.analysis.Derivation derivation() {
        return rule().derive(new OpContext(FILE, node(), rule().inputs(), values, infer()));
    }

    long macs() {
        return cost().macs();
    }

    static Shape dims(long... dims) {
        return Shape.of(dims);
    }

    /** A graph input declared with these sizes, for tests that build a whole graph. */
    static Value graphInput(String name, DType dtype, long... sizes) {
        List<Dim> declared = new ArrayList<>();
        for (long size : sizes) {
            declared.add(Dim.of(size));
        }
        return new Value(name, new TensorType(dtype, declared));
    }

    @Override
    public String toString() {
        return opType + " " + inputs + " " + Arrays.toString(attributes.keySet().toArray());
    }
}
