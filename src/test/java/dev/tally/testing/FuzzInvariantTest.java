package dev.tally.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.ModelException;
import org.junit.jupiter.api.Test;

/** The fuzz tests' invariant fails on what it must: a foreign throwable, or an error that is not one sentence. */
class FuzzInvariantTest {
    @Test
    void aOneSentenceTallyErrorPasses() {
        assertThatCode(() -> FuzzInvariant.holds(() -> {
            throw new ModelException("x.onnx is truncated; re-export it.");
        })).doesNotThrowAnyException();
    }

    @Test
    void anyOtherThrowableIsAFinding() {
        assertThatThrownBy(() -> FuzzInvariant.holds(() -> {
            throw new IndexOutOfBoundsException("3");
        })).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> FuzzInvariant.holds(() -> {
            throw new StackOverflowError();
        })).isInstanceOf(StackOverflowError.class);
    }

    @Test
    void aTallyErrorThatIsNotOneSentenceIsAFinding() {
        assertThatThrownBy(() -> FuzzInvariant.holds(() -> {
            throw new ModelException("no period");
        })).isInstanceOf(AssertionError.class).hasMessageContaining("does not end with a period");
        assertThatThrownBy(() -> FuzzInvariant.holds(() -> {
            throw new ModelException("x".repeat(FuzzInvariant.MAX_MESSAGE_CHARS) + ".");
        })).isInstanceOf(AssertionError.class).hasMessageContaining("characters long");
    }
}
