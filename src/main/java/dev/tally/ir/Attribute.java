package dev.tally.ir;

import java.util.List;

/** A typed node attribute, as ONNX defines them; TorchScript arguments that are constants become these too. */
public sealed interface Attribute {

    record Int(long value) implements Attribute {}

    record Float(double value) implements Attribute {}

    record Str(String value) implements Attribute {}

    record Ints(List<Long> values) implements Attribute {
        public Ints {
            values = List.copyOf(values);
        }
    }

    record Floats(List<Double> values) implements Attribute {
        public Floats {
            values = List.copyOf(values);
        }
    }

    record Strs(List<String> values) implements Attribute {
        public Strs {
            values = List.copyOf(values);
        }
    }

    record Tensor(ConstTensor value) implements Attribute {}

    /** A subgraph (ONNX If/Loop bodies). */
    record SubGraph(Graph value) implements Attribute {}

    /** A kind Tally does not interpret (sparse tensors, type protos); kept so the node still loads. */
    record Opaque(String kind) implements Attribute {}

    static Ints ints(long... values) {
        return new Ints(java.util.Arrays.stream(values).boxed().toList());
    }
}
