package dev.tally.formats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.Tally;
import dev.tally.report.Summary;
import dev.tally.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture model (the core and coverage lists) gives the same params, buffers and MACs whether it was
 * exported to ONNX, traced or scripted, and these are PyTorch's own figures ({@code sum(p.numel())} over
 * parameters and buffers, hook MACs, from {@code <model>.expected.json}). The only differences allowed are
 * those below, each one a thing the exporter did that the report names:
 *
 * <table>
 *   <tr><th>form</th><th>models</th><th>difference</th><th>reason</th></tr>
 *   <tr><td>ONNX</td><td>every model with BatchNorm after a bias-free Conv</td><td>params lower by C per
 *       BatchNorm of C channels; buffers lower by 2C</td><td>torch.onnx in eval mode folds each BatchNorm into the
 *       Conv before it (weight and bias, 2C, become a Conv bias of C); the report names the BatchNorms folded and
 *       their channels</td></tr>
 *   <tr><td>ONNX</td><td>vgg16_bn</td><td>params lower by 2C</td><td>the same fold, but VGG's Convs had a bias of
 *       their own, which the fold replaced</td></tr>
 *   <tr><td>ONNX</td><td>every model with BatchNorm</td><td>buffers lower by the num_batches_tracked
 *       counters</td><td>eval-mode forward never reads them, so torch.onnx does not export them</td></tr>
 *   <tr><td>ONNX</td><td>swin_t</td><td>params lower by 23,322, buffers by 28,812</td><td>the exporter computed
 *       the relative position bias (table gathered by the index) ahead of time as constants; the report's note
 *       on tensors computed from parameters says so</td></tr>
 * </table>
 */
class FiguresAcrossFormatsTest {
    /** A difference one model's ONNX file may have that no general rule explains. */
    record Allowed(long params, long buffers, String noteSays) {
    }

    /** Models whose folded Convs had a bias of their own, so the fold removed 2C params, not C. */
    private static final java.util.Set<String> CONVS_WITH_BIAS = java.util.Set.of("vgg16_bn");

    private static final Map<String, Allowed> ONNX_SPECIFIC = Map.of(
            // 12 blocks' relative_position_bias_table (169 x heads: 3,3,6,6,12x6,24,24) and their index buffers.
            "swin_t", new Allowed(23_322, 28_812, "computed"));

    static Stream<String> models() {
        return Fixtures.models().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void onnxTracedAndScriptedFilesGivePyTorchsParamsBuffersAndMacsOrNameWhyNot(String model) {
        Fixtures.Expected pytorch = Fixtures.expected(model);
        String input = pytorch.inputShape().stream().map(String::valueOf).collect(Collectors.joining("x"));
        List<String> forms = new ArrayList<>();
        for (String form : List.of("traced.pt", "scripted.pt")) {
            Path file = Fixtures.dir().resolve(model + "." + form);
            if (Files.isRegularFile(file)) {
                Summary summary = Tally.analyze(file, Tally.Options.defaults().withInput(input));
                assertThat(summary.totals().params()).as("%s.%s params", model, form).isEqualTo(pytorch.params());
                assertThat(summary.totals().buffers()).as("%s.%s buffers", model, form).isEqualTo(pytorch.buffers());
                assertThat(summary.totals().macs()).as("%s.%s MACs", model, form).isEqualTo(pytorch.macs());
                assertThat(summary.model().foldedBatchNorms()).isZero();
                forms.add(form);
            }
        }

        Summary onnx = Tally.analyze(Fixtures.file(model + ".onnx"), Tally.Options.defaults().withInput(input));
        forms.add("onnx");
        assertThat(onnx.totals().macs()).as("%s.onnx MACs", model).isEqualTo(pytorch.macs());
        Allowed specific = ONNX_SPECIFIC.getOrDefault(model, new Allowed(0, 0, ""));
        long foldedChannels = onnx.model().foldedChannels();
        long removedPerChannel = CONVS_WITH_BIAS.contains(model) ? 2 : 1;
        assertThat(onnx.totals().params()).as("%s.onnx params", model)
                .isEqualTo(pytorch.params() - removedPerChannel * foldedChannels - specific.params());
        if (onnx.model().foldedBatchNorms() > 0) {
            assertThat(onnx.notes()).as("%s.onnx notes", model)
                    .anySatisfy(n -> assertThat(n).startsWith("BatchNorm folded into " + onnx.model().foldedBatchNorms() + " Conv node")
                            .contains(String.format(java.util.Locale.ROOT, "(%,d channels)", foldedChannels)));
        } else {
            assertThat(foldedChannels).isZero();
        }
        long numBatchesTracked = pytorch.json().get("numBatchesTracked").asLong();
        assertThat(onnx.totals().buffers()).as("%s.onnx buffers", model)
                .isEqualTo(pytorch.buffers() - 2 * foldedChannels - numBatchesTracked - specific.buffers());
        if (!specific.noteSays().isEmpty()) {
            assertThat(onnx.notes()).anySatisfy(n -> assertThat(n).contains(specific.noteSays()));
        }
        assertThat(forms).as("forms checked for %s", model).contains("onnx");
    }
}
