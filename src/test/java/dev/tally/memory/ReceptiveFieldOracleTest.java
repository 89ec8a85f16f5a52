package dev.tally.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.Tally;
import dev.tally.analysis.ReceptiveField;
import dev.tally.report.Summary;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Tally's receptive fields against PyTorch's autograd (scripts/export_memory_oracle.py): with every weight and the
 * input set to positive constants, the input positions with a non-zero gradient of one output neuron are exactly
 * those it sees. For a few neurons of every conv and avg-pool layer, per spatial axis, the first and last such
 * position must be Tally's {@code jump * i + start .. jump * i + start + size - 1}, cut to the input. The nets: LeNet-5
 * (a fixture), and rfnet2d / rfnet1d, written by the oracle script, whose kernels, strides, padding and dilation
 * differ per axis.
 */
class ReceptiveFieldOracleTest {
    @Test
    void lenet5SeesWhatItsInputGradientsSay() {
        compare("lenet5", Fixtures.expected("lenet5").file("traced"));
    }

    @Test
    void aNetWithStridesDilationAndPaddingThatDifferPerAxisSeesWhatItsInputGradientsSay() {
        compare("rfnet2d", Fixtures.dir().resolve("memory/rfnet2d.traced.pt"));
    }

    @Test
    void theOneDimensionalFormsSeeWhatTheirInputGradientsSay() {
        compare("rfnet1d", Fixtures.dir().resolve("memory/rfnet1d.traced.pt"));
    }

    private static void compare(String name, Path file) {
        JsonNode oracle = PeakMemoryOracleTest.oracle(name);
        List<Long> input = new ArrayList<>();
        oracle.get("inputShape").forEach(d -> input.add(d.asLong()));
        Summary summary = Tally.analyze(file, Tally.Options.defaults()
                .withInput(input.stream().map(String::valueOf).collect(Collectors.joining("x"))));
        Map<String, ReceptiveField> fields = summary.receptiveFields();
        List<String> failures = new ArrayList<>();
        int neurons = 0;
        int interior = 0;
        JsonNode layers = oracle.get("receptiveField");
        for (Iterator<String> it = layers.fieldNames(); it.hasNext(); ) {
            String layer = it.next();
            ReceptiveField field = fields.get(layer);
            assertThat(field).as("Tally's receptive field of " + name + " layer " + layer + " (layers: " + fields.keySet() + ")").isNotNull();
            assertThat(field.wholeInput()).isFalse();
            for (JsonNode neuron : layers.get(layer).get("neurons")) {
                JsonNode at = neuron.has("at") ? neuron.get("at") : null;
                for (int axis = 0; axis < field.axes(); axis++) {
                    long i = at != null ? at.get(axis).asLong() : neuron.get(axis == 0 ? "i" : "j").asLong();
                    JsonNode seen = at != null ? neuron.get("axes").get(axis) : neuron.get(axis == 0 ? "rows" : "cols");
                    long extent = input.get(2 + axis);
                    long first = field.jump().get(axis) * i + field.start().get(axis);
                    long last = first + field.size().get(axis) - 1;
                    List<Long> tally = List.of(Math.max(0, first), Math.min(extent - 1, last));
                    long low = seen.get(0).asLong();
                    long high = seen.get(1).asLong();
                    neurons++;
                    // Where the field runs past the input's edge, a window of a later layer can lie in an earlier
                    // layer's zero padding, which stands for input positions the gradient never reaches: PyTorch's
                    // support may stop inside Tally's cut range there (docs/conventions.md, "Receptive field"). An
                    // edge the field does not cross must be exact.
                    boolean lowOk = first >= 0 ? low == first : low >= 0 && low <= high;
                    boolean highOk = last <= extent - 1 ? high == last : high <= extent - 1 && high >= low;
                    if (first >= 0 && last <= extent - 1) {
                        interior++;
                    }
                    if (!lowOk || !highOk) {
                        failures.add(String.format("%s %s neuron %d axis %d: Tally sees %s (%s), PyTorch's gradient [%d, %d]",
                                name, layer, i, axis, tally, field.describe(axis), low, high));
                    }
                }
            }
        }
        assertThat(neurons).as("neuron axes compared").isGreaterThanOrEqualTo(layers.size() * 3);
        assertThat(interior).as("neuron axes whose field lies inside the input, compared exactly").isGreaterThanOrEqualTo(layers.size());
        assertThat(failures).isEmpty();
    }
}
