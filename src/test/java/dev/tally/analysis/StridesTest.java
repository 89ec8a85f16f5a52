package dev.tally.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ir.Shape;
import org.junit.jupiter.api.Test;

/** Strides and views as PyTorch 1.13 computes them, with the cases worked out by hand (and checked in torch). */
class StridesTest {
    @Test
    void contiguousStridesAreRowMajorAndSizeOneAxesPlaceNothing() {
        assertThat(Strides.contiguous(Shape.of(2, 3, 4))).containsExactly(12, 4, 1);
        assertThat(Strides.isContiguous(Shape.of(2, 1, 4), new long[] {4, 99, 1})).isTrue();
        assertThat(Strides.isContiguous(Shape.of(2, 3), new long[] {1, 2})).isFalse();
    }

    @Test
    void aViewSplitsOrMergesOnlyAxesThatFollowEachOtherInMemory() {
        // Contiguous [4, 6] -> [2, 2, 6]: a view.
        assertThat(Strides.view(new long[] {4, 6}, new long[] {6, 1}, new long[] {2, 2, 6})).containsExactly(12, 6, 1);
        // torch.randn(2, 3, 4).transpose(1, 2).reshape(2, 12) copies ...
        assertThat(Strides.view(new long[] {2, 4, 3}, new long[] {12, 1, 4}, new long[] {2, 12})).isNull();
        // ... while .reshape(2, 4, 3, 1) or merging the untouched leading axis with nothing is a view.
        assertThat(Strides.view(new long[] {2, 4, 3}, new long[] {12, 1, 4}, new long[] {2, 4, 3, 1})).isNotNull();
        // k of swin's qkv at window batch 1: [1, 3, 32, 49] strides (14112, 32, 1, 288) -> [3, 32, 49] is a view.
        assertThat(Strides.view(new long[] {1, 3, 32, 49}, new long[] {14_112, 32, 1, 288}, new long[] {3, 32, 49}))
                .containsExactly(32, 1, 288);
        // At window batch 4 it is not.
        assertThat(Strides.view(new long[] {4, 3, 32, 49}, new long[] {14_112, 32, 1, 288}, new long[] {12, 32, 49})).isNull();
    }
}
