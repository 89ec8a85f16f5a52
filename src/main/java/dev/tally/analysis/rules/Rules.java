package dev.tally.analysis.rules;

import dev.tally.analysis.RuleTable;

/**
 * The table of every op Tally knows: one line per op. Adding an op is one rule class and one line here. The counting
 * rule of each op is written in docs/conventions.md and in the Javadoc of its class.
 */
public final class Rules {
    private Rules() {
    }

    public static RuleTable standard() {
        return new RuleTable()
                // Multiply-accumulate ops: the only ones with MACs.
                .add("Conv", new ConvRule())
                .add("ConvTranspose", new ConvTransposeRule())
                .add("Gemm", new GemmRule())
                .add("Linear", new LinearRule())
                .add("MatMul", new MatMulRule())
                .add("Einsum", new EinsumRule())
                // Recurrent ops: ONNX's one-layer ops, and PyTorch's whole stacks and cells as TorchScript calls them.
                .add("LSTM", new LstmRule())
                .add("GRU", new GruRule())
                .add("RNN", new RnnRule())
                .add("LSTMLayers", RecurrentLayersRule.lstm())
                .add("GRULayers", RecurrentLayersRule.gru())
                .add("RNNTanhLayers", RecurrentLayersRule.rnnTanh())
                .add("RNNReluLayers", RecurrentLayersRule.rnnRelu())
                .add("LSTMCell", RecurrentCellRule.lstm())
                .add("GRUCell", RecurrentCellRule.gru())
                .add("RNNTanhCell", RecurrentCellRule.rnnTanh())
                .add("RNNReluCell", RecurrentCellRule.rnnRelu())
                // Pooling.
                .add("MaxPool", new MaxPoolRule())
                .add("AveragePool", new AveragePoolRule())
                .add("GlobalAveragePool", GlobalPoolRule.average())
                .add("GlobalMaxPool", GlobalPoolRule.max())
                .add("AdaptiveAveragePool", AdaptivePoolRule.average())
                .add("AdaptiveMaxPool", AdaptivePoolRule.max())
                // Normalisation and softmax.
                .add("BatchNormalization", new BatchNormalizationRule())
                .add("InstanceNormalization", new InstanceNormalizationRule())
                .add("LayerNormalization", new LayerNormalizationRule())
                .add("LRN", new LrnRule())
                .add("Softmax", SoftmaxRule.softmax())
                .add("LogSoftmax", SoftmaxRule.logSoftmax())
                // Clamps: a comparison and an assignment per element.
                .add("Relu", UnaryRule.steps(2, x -> Math.max(x, 0)))
                .add("LeakyRelu", UnaryRule.steps(2, null))
                .add("PRelu", ElementwiseRule.prelu())
                .add("Clip", new ClipRule())
                // Other elementwise functions of one input: one op per element.
                .add("Gelu", new GeluRule())
                .add("Mish", UnaryRule.steps(3, null))
                .add("Sigmoid", UnaryRule.function())
                .add("HardSigmoid", UnaryRule.function())
                .add("HardSwish", UnaryRule.function())
                .add("Tanh", UnaryRule.function())
                .add("Softplus", UnaryRule.function())
                .add("Elu", UnaryRule.function())
                .add("Selu", UnaryRule.function())
                .add("Erf", UnaryRule.function())
                .add("Exp", UnaryRule.function())
                .add("Log", UnaryRule.function())
                .add("Sqrt", UnaryRule.floating(Math::sqrt))
                .add("Reciprocal", UnaryRule.floating(x -> 1 / x))
                .add("Neg", UnaryRule.function(x -> -x))
                .add("Abs", UnaryRule.function(Math::abs))
                .add("Floor", UnaryRule.function(Math::floor))
                .add("Ceil", UnaryRule.function(Math::ceil))
                .add("Not", UnaryRule.not())
                // Elementwise ops of two or more inputs, with broadcasting: one op per element and step.
                .add("Add", ElementwiseRule.binary(Arithmetic.of(Math::addExact, Double::sum)))
                .add("Sub", ElementwiseRule.binary(Arithmetic.of(Math::subtractExact, (a, b) -> a - b)))
                .add("Mul", ElementwiseRule.binary(Arithmetic.of(Math::multiplyExact, (a, b) -> a * b)))
                .add("Div", ElementwiseRule.binary(Arithmetic.of(ElementwiseFunctions::divide, (a, b) -> a / b)))
                .add("Pow", ElementwiseRule.binary(Arithmetic.of(ElementwiseFunctions::power, Math::pow)))
                .add("Mod", ElementwiseRule.binary(ElementwiseFunctions::mod))
                .add("Max", ElementwiseRule.variadic(Arithmetic.of(Math::max, Math::max)))
                .add("Min", ElementwiseRule.variadic(Arithmetic.of(Math::min, Math::min)))
                .add("Sum", ElementwiseRule.variadic(Arithmetic.of(Math::addExact, Double::sum)))
                .add("Mean", ElementwiseRule.mean())
                .add("Equal", ElementwiseRule.binary(Arithmetic.predicate((a, b) -> a == b ? 1 : 0, (a, b) -> a == b ? 1 : 0)))
                .add("Less", ElementwiseRule.binary(Arithmetic.predicate((a, b) -> a < b ? 1 : 0, (a, b) -> a < b ? 1 : 0)))
                .add("LessOrEqual", ElementwiseRule.binary(Arithmetic.predicate((a, b) -> a <= b ? 1 : 0, (a, b) -> a <= b ? 1 : 0)))
                .add("Greater", ElementwiseRule.binary(Arithmetic.predicate((a, b) -> a > b ? 1 : 0, (a, b) -> a > b ? 1 : 0)))
                .add("GreaterOrEqual", ElementwiseRule.binary(Arithmetic.predicate((a, b) -> a >= b ? 1 : 0, (a, b) -> a >= b ? 1 : 0)))
                .add("And", ElementwiseRule.binary(Arithmetic.predicate((a, b) -> a != 0 && b != 0 ? 1 : 0, (a, b) -> a != 0 && b != 0 ? 1 : 0)))
                .add("Or", ElementwiseRule.binary(Arithmetic.predicate((a, b) -> a != 0 || b != 0 ? 1 : 0, (a, b) -> a != 0 || b != 0 ? 1 : 0)))
                .add("Where", new WhereRule())
                // Reductions and scans.
                .add("ReduceMean", new ReduceRule(ReduceRule.Kind.MEAN))
                .add("ReduceSum", new ReduceRule(ReduceRule.Kind.SUM))
                .add("ReduceMax", new ReduceRule(ReduceRule.Kind.MAX))
                .add("ReduceMin", new ReduceRule(ReduceRule.Kind.MIN))
                .add("ReduceProd", new ReduceRule(ReduceRule.Kind.PROD))
                .add("ReduceL2", new ReduceRule(ReduceRule.Kind.L2))
                .add("ArgMax", new ArgMaxRule())
                .add("ArgMin", new ArgMaxRule())
                .add("TopK", new TopKRule())
                .add("CumSum", new CumSumRule())
                .add("Resize", new ResizeRule())
                .add("Upsample", new ResizeRule())
                // Shapes, constants and data movement: no arithmetic, cost 0; values tracked for shape arithmetic.
                .add("Shape", new ShapeRule())
                .add("Size", new SizeRule())
                .add("Constant", new ConstantRule())
                .add("ConstantOfShape", new ConstantOfShapeRule())
                .add("Range", new RangeRule())
                .add("Cast", new CastRule())
                .add("Reshape", new ReshapeRule())
                .add("Flatten", new FlattenRule())
                .add("Squeeze", new SqueezeRule())
                .add("Unsqueeze", new UnsqueezeRule())
                .add("Transpose", new TransposeRule())
                .add("Concat", new ConcatRule())
                .add("Split", new SplitRule())
                .add("Slice", new SliceRule())
                .add("Gather", new GatherRule())
                .add("ScatterND", new ScatterNdRule())
                .add("Expand", new ExpandRule())
                .add("Tile", new TileRule())
                .add("Pad", new PadRule())
                .add("Trilu", new TriluRule())
                .add("Dropout", new DropoutRule())
                .ignore("Identity");
    }
}
