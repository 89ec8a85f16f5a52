package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
                }, out);
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

    /**
     * To an output that takes encoded text, each piece is encoded by the thread that made it: the bytes must be those of
     * the same text encoded at once, in UTF-8 and in ISO-8859-1 (where the CJK and the emoji become '?').
     */
    @Test
    void piecesGivenEncodedAreTheTextsBytes() throws Exception {
        String[] names = {"n%d", "caf\u00e9.%d", "\u5c42%d", "\ud83d\ude00%d"};
        for (Charset charset : List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1)) {
            for (int perPiece : new int[] {1, 3, ROWS}) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                Recorder out = new Recorder(charset, bytes);
                out.append("head\n");
                Pieces.write(ROWS, perPiece, (from, to, piece) -> {
                    for (int i = from; i < to; i++) {
                        piece.append(String.format(names[i % names.length], i)).append('\n');
                    }
                }, out);
                StringBuilder text = new StringBuilder("head\n");
                for (int i = 0; i < ROWS; i++) {
                    text.append(String.format(names[i % names.length], i)).append('\n');
                }
                assertThat(out.encodedPieces).as("%s, %d a piece", charset, perPiece).isPositive();
                assertThat(bytes.toByteArray()).as("%s, %d a piece", charset, perPiece)
                        .isEqualTo(text.toString().getBytes(charset));
            }
        }
    }

    /** Text and encoded pieces into one byte stream, text encoded as it comes. */
    private static final class Recorder implements Appendable, EncodedOutput {
        private final Charset charset;
        private final ByteArrayOutputStream bytes;
        int encodedPieces;

        Recorder(Charset charset, ByteArrayOutputStream bytes) {
            this.charset = charset;
            this.bytes = bytes;
        }

        @Override
        public Charset charset() {
            return charset;
        }

        @Override
        public void appendEncoded(byte[] piece) {
            encodedPieces++;
            bytes.writeBytes(piece);
        }

        @Override
        public Appendable append(CharSequence text) {
            bytes.writeBytes(text.toString().getBytes(charset));
            return this;
        }

        @Override
        public Appendable append(CharSequence text, int start, int end) {
            return append(text.subSequence(start, end));
        }

        @Override
        public Appendable append(char c) {
            return append(String.valueOf(c));
        }
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }
}
