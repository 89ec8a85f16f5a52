package dev.tally.analysis.rules;

import static dev.tally.analysis.rules.Op.dims;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.TensorInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ops whose arguments moved from attributes to inputs between opsets: both forms are read, and the input wins. */
class OpsetFormsTest {
    @Test
    void reduceMeanAxesAsAnAttributeBeforeOpset18AndAsAnInputAfter() {
        assertThat(Op.of("ReduceMean").input(2, 3, 4).attrs("axes", 1).shape()).isEqualTo(dims(2, 1, 4));
        assertThat(Op.of("ReduceMean").input(2, 3, 4).ints(2).shape()).isEqualTo(dims(2, 3, 1));
        assertThat(Op.of("ReduceMean").input(2, 3, 4).ints(2).attrs("axes", 1).shape()).isEqualTo(dims(2, 3, 1));
    }

    @Test
    void clipBoundsAsAttributesBeforeOpset11() {
        assertThat(Op.of("Clip").ints(-5, 3, 9).attr("min", 0.0).attr("max", 6.0).longs()).containsExactly(0, 3, 6);
        assertThat(Op.of("Clip").ints(-5, 3, 9).omitted().scalar(4).longs()).as("max only").containsExactly(-5, 3, 4);
    }

    @Test
    void topKTakesKFromAnAttributeBeforeOpset10() {
        List<TensorInfo> topK = Op.of("TopK").input(3, 10).attr("k", 4).outputs(2).infer();
        assertThat(topK.get(0).shape()).isEqualTo(dims(3, 4));
    }

    @Test
    void splitSizesAsAnInputWinOverTheAttribute() {
        List<TensorInfo> parts = Op.of("Split").input(6).ints(1, 5).attrs("split", 3, 3).outputs(2).infer();
        assertThat(parts).extracting(TensorInfo::shape).containsExactly(dims(1), dims(5));
    }

    @Test
    void squeezeAndUnsqueezeInputAxesWinOverTheAttribute() {
        assertThat(Op.of("Squeeze").input(1, 2, 1).ints(2).attrs("axes", 0).shape()).isEqualTo(dims(1, 2));
        assertThat(Op.of("Unsqueeze").input(2).ints(0).attrs("axes", 1).shape()).isEqualTo(dims(1, 2));
    }

    @Test
    void padsAsAnAttributeBeforeOpset11AndWithAxesFromOpset18() {
        assertThat(Op.of("Pad").input(1, 3, 4, 4).attrs("pads", 0, 0, 2, 2, 0, 0, 2, 2).shape()).isEqualTo(dims(1, 3, 8, 8));
        assertThat(Op.of("Pad").input(1, 3, 4, 4).ints(1, 1).omitted().ints(-1).shape()).isEqualTo(dims(1, 3, 4, 6));
    }
}
