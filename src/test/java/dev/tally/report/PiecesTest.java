package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Pieces are made on two threads (the helper the even ones, the caller the odd ones) and written in order, as one
 * thread would write them; a row that fails ends the text just before it, whichever thread made its piece, and the
 * failure is the caller's.
 */
class PiecesTest {
    private static final int ROWS = 42;

    @Test
    void piecesAreWrittenInOrderAndAFailingRowEndsTheTextBeforeIt() throws Exception {
        for (int perPiece : new int[] {1, 2, 3, 7, ROWS, ROWS + 5}) {
            for (int failAt : new int[] {-1, 0, 1, 5, 6, 20, 21, ROWS - 1}) {
                StringBuilder out = new StringBuilder();
                StringBuilder expected = new StringBuilder();
                for (int i = 0; i < (failAt < 0 ? ROWS : failAt); i++) {
                    expected.append(i).append('\n');
                }
                ThrowingCall call = () -> Pieces.write(ROWS, perPiece, (from, to, piece) -> {
                    for (int i = from; i < to; i++) {
                        if (i == failAt) {
                            throw new IllegalStateException("row " + i);
                        }
                        piece.append(i).append('\n');
                    }
                }, out::append);
                if (failAt < 0) {
                    call.run();
                } else {
                    assertThatThrownBy(call::run).as("%d a piece, row %d fails", perPiece, failAt)
                            .isInstanceOf(IllegalStateException.class).hasMessage("row " + failAt);
                }
                assertThat(out.toString()).as("%d a piece, row %d fails", perPiece, failAt).isEqualTo(expected.toString());
            }
        }
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }
}
