package dev.tally;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ir.Shape;
import dev.tally.report.LayerSummary;
import dev.tally.report.Summary;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worksheet's AlexNet-like network (shared/reference/worksheet-alexnet.md), exported by real PyTorch as a flat
 * nn.Sequential, must reproduce every row of the worksheet's answer table under the {@code ops} convention.
 * Module paths are the Sequential's indices: rows 1 to 13 are layers "0" to "12", the Dropout is "13", the
 * export's nn.Flatten is "14", and rows 15 to 20 keep their numbers.
 */
class WorksheetTest {
    /** The answer table, copied from the worksheet: layer index, the worksheet's layer, output per sample, params, ops. */
    private static final Object[][] ROWS = {
        {"0", "Conv2d", "64x56x56", 23296L, 73056256L},
        {"1", "ReLU", "64x56x56", 0L, 401408L},
        {"2", "MaxPool2d", "64x28x28", 0L, 150528L},
        {"3", "Conv2d", "192x28x28", 307392L, 240995328L},
        {"4", "ReLU", "192x28x28", 0L, 301056L},
        {"5", "MaxPool2d", "192x14x14", 0L, 112896L},
        {"6", "Conv2d", "384x14x14", 663936L, 130131456L},
        {"7", "ReLU", "384x14x14", 0L, 150528L},
        {"8", "Conv2d", "256x14x14", 884992L, 173458432L},
        {"9", "ReLU", "256x14x14", 0L, 100352L},
        {"10", "Conv2d", "256x14x14", 590080L, 115655680L},
        {"11", "ReLU", "256x14x14", 0L, 100352L},
        {"12", "MaxPool2d", "256x6x6", 0L, 138240L},
        {"15", "Linear", "4096", 37752832L, 37752832L},
        {"16", "ReLU", "4096", 0L, 8192L},
        {"18", "Linear", "4096", 16781312L, 16781312L},
        {"19", "ReLU", "4096", 0L, 8192L},
        {"20", "Linear", "1000", 4097000L, 4097000L},
    };

    @ParameterizedTest
    @ValueSource(strings = {"onnx", "traced", "scripted", "shipped"})
    void everyWorksheetRowIsReproducedUnderTheOpsConvention(String form) {
        Path file = form.equals("shipped") ? Fixtures.root().resolve("models/worksheet.onnx")
                : Fixtures.expected("worksheet").file(form);
        // TorchScript files do not record an input shape; the worksheet's is 3x227x227.
        Summary summary = Tally.analyze(file, Tally.Options.defaults().withInput("1x3x227x227")).check();
        Map<String, LayerSummary> layers = new HashMap<>();
        summary.layers().forEach(layer -> layers.put(layer.name(), layer));

        for (Object[] row : ROWS) {
            LayerSummary layer = layers.get((String) row[0]);
            assertThat(layer).as("layer %s", row[0]).isNotNull();
            Shape shape = layer.outputShape().orElseThrow();
            assertThat(shape.dim(0)).as("batch of %s", row[0]).isEqualTo(1);
            assertThat(new Shape(shape.dims().subList(1, shape.rank())).toDisplayString()).as("output of %s", row[0]).isEqualTo(row[2]);
            assertThat(layer.params()).as("params of %s", row[0]).isEqualTo(row[3]);
            assertThat(layer.ops()).as("ops of %s", row[0]).isEqualTo(row[4]);
        }
        // Rows the worksheet lists with 0 params and 0 ops (Dropout, and a Flatten) either are absent (the ONNX
        // exporter drops eval-mode Dropout) or count nothing.
        for (String zero : new String[] {"13", "14", "17"}) {
            LayerSummary layer = layers.get(zero);
            if (layer != null) {
                assertThat(layer.params()).isZero();
                assertThat(layer.ops()).isZero();
            }
        }
        assertThat(summary.totals().params()).isEqualTo(61_100_840L);
        assertThat(summary.totals().ops()).isEqualTo(793_400_040L);
    }
}
