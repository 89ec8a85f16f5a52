package dev.tally.ir;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tally's errors stay one printable line whatever the file they quote holds (the code parser's fuzz finding). */
class TallyExceptionTest {
    @Test
    void controlAndFormatCharactersInAMessageAreEscaped() {
        assertThat(new ModelException("fuzz.pt: code/__torch__/fuzz.py:1: cannot interpret '\u0000'.").getMessage())
                .isEqualTo("fuzz.pt: code/__torch__/fuzz.py:1: cannot interpret '\\x00'.");
        assertThat(new UsageException("a\nb\u001b[31m \u202e.").getMessage()).isEqualTo("a\\x0ab\\x1b[31m \\u202e.");
    }

    @Test
    void printableTextIsKeptAsItIs() {
        String message = "Node 'features.0' (Conv): input 'W' has rank 3, expected 4; größe ≥ 1 (日本).";
        assertThat(new ModelException(message).getMessage()).isSameAs(message);
        assertThat(TallyException.printable(null)).isNull();
    }
}
