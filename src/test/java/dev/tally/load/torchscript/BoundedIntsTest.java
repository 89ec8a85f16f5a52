package dev.tally.load.torchscript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.load.torchscript.Values.Bounded;
import dev.tally.load.torchscript.Values.Undecided;
import dev.tally.load.torchscript.Values.Unknown;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Python int arithmetic on sizes known only up to a bound, each case worked out by hand over the range [0, bound]. */
class BoundedIntsTest {
    private static final Bounded KEPT = new Bounded(3008);

    @Test
    void sumsProductsQuotientsMinimaAndMaximaOfSizesAreSizesWithTheirBound() {
        // RPN: the boxes kept, summed over images; RetinaNet: min(topk_candidates, kept.size(0)).
        assertThat(BoundedInts.call("add", List.of(0L, KEPT))).isEqualTo(new Bounded(3008));
        assertThat(BoundedInts.call("mul", List.of(KEPT, 4L))).isEqualTo(new Bounded(12032));
        assertThat(BoundedInts.call("floordiv", List.of(KEPT, 5L))).isEqualTo(new Bounded(601));
        assertThat(BoundedInts.call("min", List.of(1000L, KEPT))).isEqualTo(new Bounded(1000));
        assertThat(BoundedInts.call("min", List.of(List.of(9223372036854775807L, KEPT)))).isEqualTo(KEPT);
        assertThat(BoundedInts.call("max", List.of(KEPT, new Bounded(5000)))).isEqualTo(new Bounded(5000));
        assertThat(BoundedInts.call("Int", List.of(KEPT))).isEqualTo(KEPT);
    }

    @Test
    void whatCouldLeaveTheRangeIsUnknownNeverAGuess() {
        assertThat(BoundedInts.call("sub", List.of(KEPT, 1L))).isEqualTo(Unknown.VALUE);
        assertThat(BoundedInts.call("add", List.of(KEPT, -1L))).isEqualTo(Unknown.VALUE);
        assertThat(BoundedInts.call("mul", List.of(new Bounded(Long.MAX_VALUE), 2L))).isEqualTo(Unknown.VALUE);
        assertThat(BoundedInts.call("Float", List.of(KEPT))).isEqualTo(Unknown.VALUE);
    }

    @Test
    void aComparisonIsDecidedWhenTheWholeRangeAgreesElseItKeepsItsValueAtTheBound() {
        // batched_nms: boxes.numel() > 4000 with at most 12,032 elements: true at the bound, false at 0.
        assertThat(BoundedInts.call("gt", List.of(new Bounded(12032), 4000L))).isEqualTo(new Undecided(true));
        assertThat(BoundedInts.call("gt", List.of(new Bounded(3000), 4000L))).isEqualTo(false);
        assertThat(BoundedInts.call("ge", List.of(KEPT, 0L))).isEqualTo(true);
        assertThat(BoundedInts.call("lt", List.of(-1L, KEPT))).isEqualTo(true);
        // boxes.numel() == 0: false at the bound; == 4000 cannot hold for a size of at most 3,008.
        assertThat(BoundedInts.call("eq", List.of(KEPT, 0L))).isEqualTo(new Undecided(false));
        assertThat(BoundedInts.call("eq", List.of(KEPT, 4000L))).isEqualTo(false);
        assertThat(BoundedInts.call("ne", List.of(KEPT, 4000L))).isEqualTo(true);
        assertThat(BoundedInts.call("eq", List.of(new Bounded(0), 0L))).isEqualTo(true);
        // check_roi_boxes_shape: rois.size(1) == 5 with a bound of 5 (every axis of a data-dependent tensor is bounded).
        assertThat(BoundedInts.call("eq", List.of(new Bounded(5), 5L))).isEqualTo(new Undecided(true));
    }

    @Test
    void notAndOrOfAnUndecidedConditionAreDecidedOnlyByTheOtherSide() {
        Undecided empty = new Undecided(false);
        assertThat(BoundedInts.call("__not__", List.of(empty))).isEqualTo(new Undecided(true));
        assertThat(BoundedInts.call("__and__", List.of(empty, false))).isEqualTo(false);
        assertThat(BoundedInts.call("__or__", List.of(empty, true))).isEqualTo(true);
        assertThat(BoundedInts.call("__and__", List.of(new Undecided(true), true))).isEqualTo(new Undecided(true));
        assertThat(BoundedInts.call("add", List.of(3L, 4L))).isSameAs(AtenOps.NOT_HANDLED);
    }
}
