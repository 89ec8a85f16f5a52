package dev.tally.load.torchscript;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.Tally;
import dev.tally.ir.Shape;
import dev.tally.report.Summary;
import dev.tally.report.TensorSummary;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The small nets of {@code scripts/export_aten_ops.py}, one per TorchScript construct a zoo model needed (Swin's mask
 * filled slice by slice, F.normalize, swapaxes, tensor_split, repeat_interleave, RAFT's instance norm, linspace grid,
 * grid_sample, split_with_sizes and unfold, MultiheadAttention's baddbmm with GLU and max, Emformer's empty memory,
 * an embedding, the R-CNN transform's resize scale and MultiScaleRoIAlign's levels computed from shapes through
 * tensors: torch.tensor, min, max, float32 reciprocals, log2, round, floor, ceil, item; HDemucs's spectrogram: stft,
 * view_as_real, std, view_as_complex, istft, eye; Tacotron2's packed LSTM; Conformer's padding mask read with
 * item(); the R-CNN postprocess's indexing, and a postprocess whose counts depend on the data, with torchvision's nms
 * and roi_align, on an input whose every box PyTorch keeps, so its run is the bound), traced and scripted: nothing
 * unsupported, params and buffers PyTorch's {@code sum(numel)}, every output shape PyTorch's, MACs exactly the
 * aten-level counter's, and data-dependent exactly in the forms the export names (the packed LSTM, the scripted
 * padding mask: counted at the padded length, which every export length is; the box postprocess).
 */
class AtenOpFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The export script's input kinds as {@code --input}'s element types. */
    private static final Map<String, String> DTYPES = Map.of("float", "", "long", ":int64", "labels", ":int64", "bool", ":bool", "boxes", "",
            "scores", "");

    @TestFactory
    Stream<DynamicTest> everyConstructNetMatchesPyTorchTracedAndScripted() throws IOException {
        Path dir = Fixtures.dir().resolve("aten-ops");
        if (!Files.isRegularFile(dir.resolve("index.json"))) {
            throw new IllegalStateException("No aten-ops fixtures in " + dir + "; make them with: /usr/bin/python3 scripts/export_aten_ops.py (scripts/test does it for you).");
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode name : JSON.readTree(dir.resolve("index.json").toFile()).get("models")) {
            JsonNode expected = JSON.readTree(dir.resolve(name.asText() + ".expected.json").toFile());
            for (String form : List.of("traced", "scripted")) {
                JsonNode file = expected.path("files").path(form);
                tests.add(DynamicTest.dynamicTest(name.asText() + " " + form, () -> {
                    assertThat(file.isTextual()).as(form + " file (PyTorch's error: " + expected.path("errors").path(form).asText() + ")").isTrue();
                    check(dir.resolve(file.asText()), expected, form);
                }));
            }
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(36);
        for (String net : List.of("per_class_loop", "masked_fill_in_place")) {
            assertThat(Files.isRegularFile(dir.resolve(net + ".expected.json"))).as("aten-ops/" + net + ".expected.json; re-make the"
                    + " folder with: /usr/bin/python3 scripts/export_aten_ops.py").isTrue();
        }
        assertThat(JSON.readTree(dir.resolve("masked_fill_in_place.expected.json").toFile()).path("peakInferenceBytes").isNumber())
                .as("PyTorch's peak of masked_fill_in_place; re-make it with: /usr/bin/python3 scripts/export_aten_ops.py --force").isTrue();
        return tests.stream();
    }

    private static void check(Path file, JsonNode expected, String form) {
        List<String> inputs = new ArrayList<>();
        for (JsonNode input : expected.get("inputs")) {
            String kind = input.get("dtype").asText();
            // "lengths:T": sequence lengths, every one T in the export; at most the padded length T is the contract the
            // file cannot state, so the test states it as a user would (:maxT).
            String shape = longs(input.get("shape")).stream().map(String::valueOf).collect(Collectors.joining("x"))
                    + (kind.startsWith("lengths:") ? ":int64:max" + kind.substring("lengths:".length()) : DTYPES.get(kind));
            inputs.add(expected.get("inputs").size() == 1 ? shape : input.get("torchName").asText() + "=" + shape);
        }
        Summary summary = Tally.analyze(file, Tally.Options.defaults().withInputs(inputs));
        String what = file.getFileName().toString();
        assertThat(summary.unsupported()).as(what + " unsupported ops").isEmpty();
        assertThat(summary.totals().params()).as(what + " params").isEqualTo(expected.get("params").asLong());
        assertThat(summary.totals().buffers()).as(what + " buffers").isEqualTo(expected.get("buffers").asLong());
        // A packed sequence's sizes come from the lengths' values: marked data-dependent, counted at the bound (every row
        // the padded length), which is what the export ran, so the MACs are still equal.
        boolean dependent = false;
        for (JsonNode dependentForm : expected.path("dataDependent")) {
            dependent |= dependentForm.asText().equals(form);
        }
        assertThat(summary.dataDependence().any()).as(what + " data-dependent").isEqualTo(dependent);
        assertThat(summary.totals().macs()).as(what + " MACs").isEqualTo(expected.get("macs").asLong());
        List<Optional<List<Long>>> shapes = summary.outputs().stream().map(TensorSummary::shape).map(s -> s.map(Shape::dims)).toList();
        List<Optional<List<Long>>> pytorch = new ArrayList<>();
        expected.get("outputShapes").forEach(s -> pytorch.add(Optional.of(longs(s))));
        assertThat(shapes).as(what + " output shapes").isEqualTo(pytorch);
        if (expected.has("peakInferenceBytes")) {
            // PyTorch's own peak (export_memory_oracle.py's storage tracker): an in-place op shares its self's storage.
            assertThat(summary.totals().peakActivationBytes()).as(what + " peak inference bytes, PyTorch's")
                    .isEqualTo(expected.get("peakInferenceBytes").asLong());
        }
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asLong()));
        return values;
    }
}
