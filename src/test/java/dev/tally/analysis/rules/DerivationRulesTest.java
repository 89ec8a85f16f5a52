package dev.tally.analysis.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.Cost;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.Derivation.Quantity;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.DType;
import dev.tally.ir.Shape;
import dev.tally.report.explain.Arithmetic;
import dev.tally.report.explain.ExprFormat;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Derivations of ops and settings the fixture models do not have (transposed, dilated and ceil-mode windows, grouped
 * convs, TopK, CumSum, normalisations, variadic elementwise ops): each printed line re-evaluates to its value, the
 * count lines equal the rule's cost, and the window sizes are worked out by hand here.
 */
class DerivationRulesTest {

    @Test
    void aDilatedGroupedConvWritesTheDilationIntoItsSize() {
        Op conv = Op.of("Conv").input(1, 4, 7, 7).input(6, 2, 3, 3).input(6).attr("group", 2).attrs("dilations", 2, 2);
        Derivation d = checked(conv);
        // floor((7 + 0 - (2 x (3 - 1) + 1)) / 1) + 1 = 3
        assertThat(text(d, "H_out")).isEqualTo("H_out = floor((H + 2 x P - (D x (K - 1) + 1)) / S) + 1"
                + " = floor((7 + 2 x 0 - (2 x (3 - 1) + 1)) / 1) + 1 = 3");
        assertThat(text(d, "params")).isEqualTo("params = (K_h x K_w x C_in/g + 1) x C_out = (3 x 3 x 2 + 1) x 6 = 114");
    }

    @Test
    void ceilModeDropsALastWindowThatStartsInThePadding() {
        // PyTorch: MaxPool2d(2, 2, padding=1, ceil_mode=True) on 5x5 gives 3x3, not ceil(5/2) + 1 = 4.
        Op pool = Op.of("MaxPool").input(1, 1, 5, 5).attrs("kernel_shape", 2, 2).attrs("strides", 2, 2)
                .attrs("pads", 1, 1, 1, 1).attr("ceil_mode", 1);
        Derivation d = checked(pool);
        assertThat(text(d, "H_out")).isEqualTo("H_out = ceil((H + 2 x P - K) / S) + 1 - 1 = ceil((5 + 2 x 1 - 2) / 2) + 1 - 1 = 3");
        assertThat(d.line(Quantity.SIZE, "H_out").orElseThrow().note()).contains("dropped");
    }

    @Test
    void asymmetricPadsAndPerAxisSettingsAreWrittenPerAxis() {
        Op conv = Op.of("Conv").input(1, 1, 9, 8).input(2, 1, 3, 2).attrs("strides", 2, 1).attrs("pads", 1, 0, 0, 1);
        Derivation d = checked(conv);
        assertThat(text(d, "H_out")).isEqualTo("H_out = floor((H + P_hb + P_he - K_h) / S_h) + 1 = floor((9 + 1 + 0 - 3) / 2) + 1 = 4");
        assertThat(text(d, "W_out")).isEqualTo("W_out = floor((W + P_wb + P_we - K_w) / S_w) + 1 = floor((8 + 0 + 1 - 2) / 1) + 1 = 8");
    }

    @Test
    void everyRuleWithACountDerivesIt() {
        List<Op> ops = List.of(
                Op.of("ConvTranspose").input(1, 4, 5, 5).input(4, 3, 3, 3).input(3).attrs("strides", 2, 2).attrs("pads", 1, 1, 1, 1),
                Op.of("ConvTranspose").input(1, 4, 5, 5).input(4, 1, 2, 2).attr("group", 2).attrs("output_padding", 1, 1).attrs("strides", 2, 2),
                Op.of("Gemm").input(3, 5).input(5, 7).input(7),
                Op.of("Gemm").input(5, 3).input(7, 5).attr("transA", 1).attr("transB", 1),
                Op.of("MatMul").input(2, 3, 4).input(4, 6),
                Op.of("Linear").input(2, 3, 4).input(6, 4).input(6),
                Op.of("AveragePool").input(1, 1, 5, 5).attrs("kernel_shape", 3, 3).attrs("strides", 2, 2).attrs("pads", 1, 1, 1, 1),
                Op.of("AveragePool").input(1, 2, 4, 4).attrs("kernel_shape", 2, 2).attrs("strides", 2, 2),
                Op.of("GlobalAveragePool").input(2, 3, 4, 5),
                Op.of("GlobalMaxPool").input(2, 3, 4, 5),
                Op.of("AdaptiveAveragePool").input(1, 2, 7, 7).attrs("output_size", 3, 3),
                Op.of("AdaptiveMaxPool").input(1, 2, 8, 8).attrs("output_size", 4, 4),
                Op.of("BatchNormalization").input(1, 3, 4, 4).input(3).input(3).input(3).input(3),
                Op.of("InstanceNormalization").input(2, 3, 4, 4).input(3).input(3),
                Op.of("LayerNormalization").input(2, 5, 8).input(8).input(8),
                Op.of("Softmax").input(2, 3, 5),
                Op.of("LogSoftmax").input(2, 3, 5).attr("axis", 1),
                Op.of("Relu").input(2, 3),
                Op.of("Mish").input(2, 3),
                Op.of("Clip").input(4, 4),
                Op.of("Gelu").input(2, 8).attr("approximate", "tanh"),
                Op.of("Add").input(2, 3, 4).input(4),
                Op.of("PRelu").input(1, 3, 4, 4).input(3, 1, 1),
                Op.of("Sum").input(2, 3).input(2, 3).input(2, 3),
                Op.of("Mean").input(2, 3).input(2, 3).input(2, 3),
                Op.of("Max").input(2, 3),
                Op.of("Where").input(TensorInfo.of(DType.BOOL, Shape.of(2, 3))).input(2, 3).input(2, 3),
                Op.of("ReduceMean").input(2, 3, 4).attrs("axes", 2),
                Op.of("ReduceMax").input(2, 3, 4).attrs("axes", 1).attr("keepdims", 0),
                Op.of("ReduceL2").input(2, 3, 4).attrs("axes", -1),
                Op.of("ArgMax").input(2, 3, 4).attr("axis", 2),
                Op.of("TopK").input(3, 10).ints(4),
                Op.of("CumSum").input(3, 10).scalar(1),
                Op.of("LRN").input(1, 4, 2, 2).attr("size", 5),
                Op.of("Resize").input(1, 3, 8, 8).omitted().omitted().ints(1, 3, 16, 16).attr("mode", "linear"),
                Op.of("Resize").input(1, 3, 8, 8).omitted().omitted().ints(1, 3, 16, 16).attr("mode", "cubic"),
                Op.of("Einsum").input(2, 3, 5, 8).input(2, 3, 7, 8).attr("equation", "bhqd,bhkd->bhqk"),
                Op.of("Einsum").input(4, 2, 3).input(3, 5).attr("equation", "...ij,...jk"),
                Op.of("Einsum").input(6, 4).attr("equation", "ij->i"),
                Op.of("Einsum").input(2, 3).input(3, 4).input(4, 5).attr("equation", "ij,jk,kl->il"));
        for (Op op : ops) {
            checked(op);
        }
    }

    /** Checks the derivation against the rule's cost and re-evaluates every line as printed. */
    private static Derivation checked(Op op) {
        Derivation d = op.derivation();
        assertThat(d.isPresent()).as(op + ": " + d.missing().orElse("")).isTrue();
        Cost cost = op.cost();
        assertThat(d.line(Quantity.OPS).orElseThrow().value()).as(op + " ops").isEqualTo(cost.ops());
        assertThat(d.line(Quantity.MACS).map(Derivation.Line::value).orElse(0L)).as(op + " macs").isEqualTo(cost.macs());
        for (Derivation.Line line : d.lines()) {
            String printed = ExprFormat.TEXT.line(line);
            String[] parts = printed.split(" = ");
            BigInteger value = Arithmetic.evaluate(parts[parts.length - 1]);
            assertThat(value.longValueExact()).as(printed).isEqualTo(line.value());
            assertThat(Arithmetic.evaluate(ExprFormat.TEXT.substituted(line.expr())).longValueExact()).as(printed).isEqualTo(line.value());
        }
        return d;
    }

    private static String text(Derivation d, String label) {
        return ExprFormat.TEXT.line(d.lines().stream().filter(l -> l.label().equals(label)).findFirst().orElseThrow());
    }
}
