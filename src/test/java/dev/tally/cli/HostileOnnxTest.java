package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tiny ONNX files (made with the onnx package's helper, 100-120 bytes each, in src/test/resources) whose Tile,
 * Range, Reshape, Expand or ConstantOfShape values are huge, negative or zero: each is refused with exit 2 and one
 * sentence naming the node, never an internal error (range_huge.onnx used to give exit 70).
 */
class HostileOnnxTest {
    @ParameterizedTest
    @ValueSource(strings = {"tile_huge", "tile_neg", "range_huge", "range_zero_delta", "reshape_neg", "expand_huge", "constshape_huge"})
    void hugeOrNegativeShapeValuesAreOneSentenceAndExitTwo(String name) throws URISyntaxException {
        Path file = Path.of(HostileOnnxTest.class.getResource("/dev/tally/hostile/" + name + ".onnx").toURI());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "summary", file.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith(name + ".onnx: Node '").endsWith(".\n").doesNotContain("internal error");
        assertThat(err.toString().lines().count()).isEqualTo(1);
    }
}
