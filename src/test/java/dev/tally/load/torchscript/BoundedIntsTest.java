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

    @Test
    void anIntKnownByARangeBelowZeroKeepsItsIntervalAndMaxWithAPositiveIntMakesItASizeAgain() {
        // paste_mask_in_image at 256 x 256: w = int(box[2] - box[0] + 1) of an expanded box lies in [-529, 531], and
        // max(w, 1) in [1, 531]: a size at most 531. Worked out by hand over each interval.
        Values.Ranged w = new Values.Ranged(-529, 531);
        assertThat(BoundedInts.call("max", List.of(w, 1L))).isEqualTo(new Bounded(531));
        assertThat(BoundedInts.call("max", List.of(List.of(w, 0L)))).isEqualTo(new Bounded(531));
        // y_1 = min(int(box[3] + 1), 256) with box[3] + 1 in [-136, 394]: [-136, 256], still below 0.
        assertThat(BoundedInts.call("min", List.of(new Values.Ranged(-136, 394), 256L))).isEqualTo(new Values.Ranged(-136, 256));
        assertThat(BoundedInts.call("add", List.of(w, 10L))).isEqualTo(new Values.Ranged(-519, 541));
        assertThat(BoundedInts.call("sub", List.of(w, new Bounded(6)))).isEqualTo(new Values.Ranged(-535, 531));
        assertThat(BoundedInts.call("neg", List.of(w))).isEqualTo(new Values.Ranged(-531, 529));
        assertThat(BoundedInts.call("mul", List.of(w, -2L))).isEqualTo(new Values.Ranged(-1062, 1058));
        assertThat(BoundedInts.call("Int", List.of(w))).isEqualTo(w);
        // A range that closes on one value is that int.
        assertThat(BoundedInts.call("max", List.of(new Values.Ranged(-3, 2), 2L))).isEqualTo(2L);
    }

    @Test
    void anIntKnownByARangeIsNeverComparedOrUsedBeyondIntervalArithmetic() {
        Values.Ranged w = new Values.Ranged(-529, 531);
        assertThat(BoundedInts.call("gt", List.of(w, 0L))).isEqualTo(Unknown.VALUE);
        assertThat(BoundedInts.call("eq", List.of(w, 3L))).isEqualTo(Unknown.VALUE);
        assertThat(BoundedInts.call("floordiv", List.of(w, 2L))).isEqualTo(Unknown.VALUE);
        assertThat(BoundedInts.call("Float", List.of(w))).isEqualTo(Unknown.VALUE);
        assertThat(BoundedInts.call("add", List.of(w, Unknown.VALUE))).isEqualTo(Unknown.VALUE);
        assertThat(BoundedInts.call("mul", List.of(w, Long.MAX_VALUE))).isEqualTo(Unknown.VALUE);
        // A list holds it as any other item.
        assertThat(BoundedInts.call("append", List.of(new java.util.ArrayList<>(), w))).isSameAs(AtenOps.NOT_HANDLED);
    }
}
