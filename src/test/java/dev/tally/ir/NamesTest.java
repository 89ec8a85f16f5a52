package dev.tally.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.analysis.Convention;
import dev.tally.analysis.Mode;
import dev.tally.analysis.Optimizer;
import dev.tally.budget.BatchFit;
import dev.tally.budget.Figure;
import org.junit.jupiter.api.Test;

/** Every name the user types into a fixed set is read by one helper: blanks and case ignored, a miss lists the choices. */
class NamesTest {
    @Test
    void everyChoiceIsReadTheSameWayAndAMissListsTheValidNames() {
        assertThat(Convention.parse(" FLOPS ")).isEqualTo(Convention.FLOPS);
        assertThat(Optimizer.parse("AdamW")).isEqualTo(Optimizer.ADAMW);
        assertThat(Figure.parse("macs")).isEqualTo(Figure.MACS);
        assertThat(BatchFit.By.parse("Largest")).isEqualTo(BatchFit.By.LARGEST);
        assertThat(Mode.parse("--mode", "training")).isEqualTo(Mode.TRAINING);
        assertThatThrownBy(() -> Convention.parse("mac")).isInstanceOf(UsageException.class)
                .hasMessage("Unknown convention 'mac'. Use one of: macs, flops, ops.");
        assertThatThrownBy(() -> Figure.parse("fit-memory")).hasMessageStartingWith("Unknown figure 'fit-memory'. Use one of: params,")
                .hasMessageNotContaining("fit-memory,");
        assertThatThrownBy(() -> BatchFit.By.parse("training")).hasMessage("Unknown --by 'training'. Use one of: peak, largest.");
        assertThatThrownBy(() -> Mode.parse("fit-mode", "eval")).hasMessage("Unknown fit-mode 'eval'. Use one of: inference, training.");
    }
}
