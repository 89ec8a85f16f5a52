package dev.tally.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.load.ModelLoader;
import dev.tally.testing.Fixtures;
import dev.tally.util.SecondThread;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A large graph's fused ops (GELU, SiLU, Linear as the exporter took them apart) are found on a second thread while
 * the free points are (MemoryPass.twoThreads, lowered here): the memory run must be the very one found on one thread.
 */
class FusedBesideTest {
    @AfterEach
    void restore() {
        MemoryPass.twoThreads = SecondThread.GRAPH_NODES;
    }

    /**
     * Exports whose parts the memory run counts as PyTorch's one call (GELU in swin_t, vit_b_16 and convnext_tiny, SiLU
     * in efficientnet_b0, Linear), and two with none (mobilenet_v3's HardSwish is an ONNX op of its own).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"swin_t.onnx", "vit_b_16.onnx", "efficientnet_b0.onnx", "mobilenet_v3_large.onnx",
        "convnext_tiny.onnx", "resnet18.onnx"})
    void theMemoryRunIsTheOneFoundOnOneThread(String file) {
        Analysis analysis = new Analyzer().analyze(ModelLoader.load(Fixtures.file(file), Map.of()), Map.of(), false);

        MemoryPass.Prepared alone = MemoryPass.prepare(analysis);
        MemoryPass.twoThreads = 2;
        MemoryPass.Prepared beside = MemoryPass.prepare(analysis);

        assertThat(beside.fusedParts()).as("found beside the free points").isNotNull();
        assertThat(alone.fusedParts()).isNull();
        if (!java.util.Set.of("resnet18.onnx", "mobilenet_v3_large.onnx").contains(file)) {
            assertThat(beside.fusedParts()).as("the export's fused ops").isNotEmpty();
        }
        assertThat(MemoryPass.run(beside, false)).isEqualTo(MemoryPass.run(alone, false));
        assertThat(MemoryPass.run(beside, true)).isEqualTo(MemoryPass.run(alone, true));
    }
}
