package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** A block big enough for two threads lays out as one thread would: widths from every row, lines in order. */
class TextTableTest {
    private static final int ROWS = TextTable.TWO_THREADS + 12_345;

    /** Row i: its number, and a name whose width peaks late in the second half (so that half sets the column). */
    private static String[] row(int i) {
        return new String[] {"layer" + i, i == ROWS - 7 ? "x".repeat(40) : "y".repeat(i % 5), Integer.toString(i * 3)};
    }

    @Test
    void aBigBlockIsTheSameTextAsItsRowsOneByOne() throws Exception {
        TextTable big = new TextTable("Layer", "Name", "Count").alignRight(2);
        big.rows(ROWS, TextTableTest::row).rule().row("Total", "", "0");
        TextTable small = new TextTable("Layer", "Name", "Count").alignRight(2);
        for (int i = 0; i < ROWS; i++) {
            small.row(row(i)); // rows held one by one: the one-thread path
        }
        small.rule().row("Total", "", "0");
        StringWriter out = new StringWriter();

        big.writeText(out);

        assertThat(out.toString()).isEqualTo(small.renderText());
        assertThat(out.toString()).contains("layer" + (ROWS - 7) + "  " + "x".repeat(40));
        assertThat(out.toString().lines().count()).isEqualTo(ROWS + 4);
    }

    @Test
    void aBadRowInTheSecondHalfFailsAsItWouldOnOneThread() {
        TextTable table = new TextTable("Layer", "Count");
        table.rows(ROWS, i -> i == ROWS - 3 ? new String[] {"only one"} : new String[] {"n" + i, "1"});

        assertThatThrownBy(() -> table.writeText(new StringWriter()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A row of 1 cells in a table of 2 columns.");
    }

    @Test
    void aFailingWriteStopsTheHelperAndFails() {
        TextTable table = new TextTable("Layer", "Count");
        table.rows(ROWS, i -> new String[] {"n" + i, "1"});
        Appendable broken = new Appendable() {
            private int calls;

            @Override
            public Appendable append(CharSequence text) throws java.io.IOException {
                if (++calls > 3) {
                    throw new java.io.IOException("disk full");
                }
                return this;
            }

            @Override
            public Appendable append(CharSequence text, int start, int end) throws java.io.IOException {
                return append(text.subSequence(start, end));
            }

            @Override
            public Appendable append(char c) throws java.io.IOException {
                return append(String.valueOf(c));
            }
        };

        assertThatThrownBy(() -> table.writeText(broken)).isInstanceOf(java.io.IOException.class).hasMessage("disk full");
    }
}
