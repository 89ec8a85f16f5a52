package dev.tally.analysis.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.RuleTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulesTableTest {
    /**
     * Every op in torch 1.13.1's ONNX exports (opsets 13 and 17) of alexnet, vgg11, resnet18, resnext50_32x4d, googlenet,
     * inception_v3, squeezenet1_1, densenet121, mobilenet_v2, mobilenet_v3_small, shufflenet_v2_x0_5, mnasnet0_5,
     * efficientnet_b0, regnet_x_400mf, convnext_tiny, vit_b_16 and swin_t, listed by exporting them with onnx 1.12.
     */
    private static final List<String> TORCHVISION_ONNX_OPS = List.of("Add", "AveragePool", "BatchNormalization", "Cast",
            "Clip", "Concat", "Constant", "ConstantOfShape", "Conv", "Div", "Dropout", "Equal", "Erf", "Expand", "Flatten",
            "Gather", "Gemm", "GlobalAveragePool", "HardSigmoid", "HardSwish", "Identity", "LayerNormalization", "MatMul",
            "MaxPool", "Mod", "Mul", "Not", "Pad", "Pow", "Range", "ReduceMean", "Relu", "Reshape", "ScatterND", "Shape",
            "Sigmoid", "Slice", "Softmax", "Sqrt", "Sub", "Transpose", "Unsqueeze", "Where");

    /** The IR ops the TorchScript loader emits and the other ops the issue names, spelled exactly. */
    private static final List<String> NAMED_OPS = List.of("Linear", "AdaptiveAveragePool", "AdaptiveMaxPool", "Gelu",
            "LayerNormalization", "BatchNormalization", "Softmax", "LogSoftmax", "MaxPool", "AveragePool", "Conv", "Flatten",
            "Reshape", "Einsum", "MatMul", "Transpose", "Concat", "Split", "Mean", "Sum", "Pad", "Resize", "Upsample", "Tile",
            "TopK", "ArgMax", "Clip", "HardSigmoid", "HardSwish", "Sigmoid", "Tanh", "Relu", "LeakyRelu", "Elu", "Selu",
            "PRelu", "Erf", "Exp", "Log", "Sqrt", "Pow", "Reciprocal", "Neg", "Abs", "Mul", "Add", "Sub", "Div",
            "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "GlobalAveragePool", "GlobalMaxPool",
            "InstanceNormalization", "LRN", "Dropout", "Identity", "Cast", "CumSum", "Trilu", "Not", "And", "Or", "Where",
            "Equal", "Less", "Greater", "Softplus", "Mish", "Shape", "Size", "Gather", "Unsqueeze", "Squeeze", "Slice",
            "ConstantOfShape", "Range", "Expand", "Constant", "Floor", "Ceil", "Max", "Min", "ConvTranspose", "Gemm");

    @Test
    void everyOpOfTheTorchvisionExportsHasARule() {
        RuleTable table = Rules.standard();
        assertThat(TORCHVISION_ONNX_OPS).allSatisfy(op -> assertThat(table.lookup(op)).as(op).isPresent());
    }

    @Test
    void everyOpTheIssueNamesHasARule() {
        RuleTable table = Rules.standard();
        assertThat(NAMED_OPS).allSatisfy(op -> assertThat(table.lookup(op)).as(op).isPresent());
    }

    @Test
    void onlyTruePassThroughsAreIgnoredAndUnknownOpsStayUnsupported() {
        RuleTable table = Rules.standard();
        assertThat(table.isIgnored("Identity")).isTrue();
        assertThat(table.isIgnored("Dropout")).as("Dropout has its own rule for the mask output").isFalse();
        assertThat(table.lookup("NoSuchOp")).isEmpty();
    }

    @Test
    void everyRuleClassEndsInRule() {
        RuleTable table = Rules.standard();
        for (String op : table.supportedOps()) {
            if (!table.isIgnored(op)) {
                assertThat(table.lookup(op).orElseThrow().getClass().getSimpleName()).as(op).endsWith("Rule");
            }
        }
    }
}
