package dev.tally.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.Tally;
import dev.tally.ir.Shape;
import dev.tally.ir.TallyException;
import dev.tally.report.DataDependence;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import dev.tally.report.Units;
import dev.tally.report.TensorSummary;
import dev.tally.report.UnsupportedOp;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every model of {@code scripts/export_zoo.py} (the rest of torchvision's model list and torchaudio's models) in
 * every form PyTorch could make, against PyTorch's own figures in {@code zoo/<name>.expected.json}.
 *
 * <p>Where Tally is exact it must stay exact: params and buffers equal PyTorch's (for ONNX, after the exporter's
 * BatchNorm folding, which the export script computes from the model's modules), every final output shape equals
 * PyTorch's, and MACs equal the aten-level counter's. Where it is not, the difference must be a named gap, and the
 * gaps allowed are narrow: an op without a rule (listed in {@code unsupported}, never zero silently, and then the
 * counted MACs stay at or below PyTorch's), or a one-sentence {@link TallyException} from the loader (never an
 * internal error). The README's zoo table is this test's result ({@code -Dtally.updateGolden=true} rewrites it).
 */
class ZooFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BEGIN = "<!-- zoo-table: made by ZooFixturesTest; -Dtally.updateGolden=true rewrites it -->";
    private static final String END = "<!-- /zoo-table -->";
    private static final String OVER_BUDGET = "not made: over the CI budget";
    /** The op type the TorchScript loader gives code it cannot follow. */
    private static final String UNFOLLOWED = "TorchScript code Tally cannot follow";
    /** How a node whose size comes from data values with no stated bound is listed. */
    private static final String UNBOUNDED = dev.tally.report.Cells.UNBOUNDED;
    /** family -> form -> model -> cell. */
    private static final Map<String, Map<String, Map<String, String>>> CELLS = new ConcurrentHashMap<>();
    /** family -> form -> models whose archive the export script re-wrote (weights zeroed, entries DEFLATE-compressed). */
    private static final Map<String, Map<String, java.util.Set<String>>> RECOMPRESSED = new ConcurrentHashMap<>();

    /**
     * A subset for working on a few models: {@code -Dtally.zoo.models=mvit_v1_b,raft_small} (names as in index.json)
     * and {@code -Dtally.zoo.forms=onnx}. A subset's table is written to target/ only, never into the README.
     */
    private static final java.util.Set<String> ONLY_MODELS = listProperty("tally.zoo.models");
    private static final java.util.Set<String> ONLY_FORMS = listProperty("tally.zoo.forms");

    private static java.util.Set<String> listProperty(String key) {
        String value = System.getProperty(key, "").trim();
        return value.isEmpty() ? java.util.Set.of() : java.util.Set.of(value.split("\\s*,\\s*"));
    }

    @TestFactory
    Stream<DynamicTest> everyZooModelInEveryFormIsExactOrNamesItsGap() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        // zoo/ from export_zoo.py; detection/ from export_detection.py (fcos, maskrcnn, keypointrcnn at opset 11).
        for (String folder : List.of("zoo", "detection")) {
            Path dir = Fixtures.dir().resolve(folder);
            if (!Files.isRegularFile(dir.resolve("index.json"))) {
                throw new IllegalStateException("No " + folder + " fixtures in " + dir + "; make them with: /usr/bin/python3 scripts/export_"
                        + folder + ".py (scripts/test does it for you).");
            }
            // The opset-11 detection exports share their names with the zoo's opset-17 ones: the table tells them apart.
            addTests(dir, folder.equals("detection") ? " (opset 11)" : "", tests);
        }
        assertThat(tests).as("zoo forms to check").isNotEmpty();
        return tests.stream();
    }

    private static void addTests(Path dir, String label, List<DynamicTest> tests) throws IOException {
        JsonNode index = JSON.readTree(dir.resolve("index.json").toFile());
        for (JsonNode name : index.get("models")) {
            if (!ONLY_MODELS.isEmpty() && !ONLY_MODELS.contains(name.asText())) {
                continue;
            }
            Path json = dir.resolve(name.asText() + ".expected.json");
            if (!Files.isRegularFile(json)) {
                throw new IllegalStateException(json + " is listed in " + dir.resolve("index.json") + " but missing; make it again with: "
                        + "/usr/bin/python3 scripts/export_" + dir.getFileName() + ".py --force --models " + name.asText());
            }
            com.fasterxml.jackson.databind.node.ObjectNode expected = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(json.toFile());
            expected.put("name", expected.get("name").asText() + label);
            for (String form : List.of("onnx", "traced", "scripted")) {
                if (!ONLY_FORMS.isEmpty() && !ONLY_FORMS.contains(form)) {
                    continue;
                }
                JsonNode file = expected.path("files").path(form);
                if (!file.isTextual()) {
                    record(expected, form, "not made: " + shortError(expected.path("errors").path(form).asText()));
                    assertThat(expected.path("errors").path(form).asText()).as(name + " " + form + " has no file, so PyTorch's reason").isNotBlank();
                    continue;
                }
                boolean recompressed = false;
                for (JsonNode made : expected.path("recompressed")) {
                    recompressed |= made.asText().equals(form);
                }
                if (recompressed) {
                    // Not torch.jit.save's bytes: the script zeroed the weights and re-wrote the entries DEFLATE-compressed.
                    RECOMPRESSED.computeIfAbsent(expected.get("family").asText(), f -> new ConcurrentHashMap<>())
                            .computeIfAbsent(form, f -> ConcurrentHashMap.newKeySet()).add(expected.get("name").asText());
                    tests.add(DynamicTest.dynamicTest(expected.get("name").asText() + " " + form + " (re-compressed archive: weights zeroed, DEFLATE entries)", () -> {
                        assertThat(deflatedEntries(dir.resolve(file.asText()))).as(name + " " + form + ": DEFLATE entries").isPositive();
                        check(dir.resolve(file.asText()), form, expected);
                    }));
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(expected.get("name").asText() + " " + form, () -> check(dir.resolve(file.asText()), form, expected)));
            }
        }
    }

    /** How many entries of the zip are DEFLATE-compressed (torch.jit.save stores every entry uncompressed). */
    private static long deflatedEntries(Path file) throws IOException {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            return zip.stream().filter(e -> e.getMethod() == java.util.zip.ZipEntry.DEFLATED).count();
        }
    }

    private static void check(Path file, String form, JsonNode expected) {
        String what = expected.get("name").asText() + " " + form;
        boolean onnx = form.equals("onnx");
        boolean detection = expected.get("family").asText().equals("detection");
        List<String> inputs = new ArrayList<>();
        if (!onnx) {
            // TorchScript records no input shapes; a lone input is given unnamed (traced code may rename it).
            for (JsonNode input : expected.get("inputs")) {
                List<Long> dims = longs(input.get("shape"));
                // Detection models take a list of images: the TorchScript forward's List[Tensor] holds one [C, H, W].
                String shape = (detection ? dims.subList(1, dims.size()) : dims).stream().map(String::valueOf)
                        .collect(Collectors.joining("x"));
                if (input.path("dtype").asText().equals("int64")) {
                    shape += ":int64";
                    if (input.get("torchName").asText().equals("lengths")) {
                        // torchaudio's contract: sequence lengths are at most the padded length, axis 1 of the model's first
                        // input ([batch, time, ...]). The file cannot state it; the test does, as a user would (:maxN).
                        shape += ":max" + expected.get("inputs").get(0).get("shape").get(1).asLong();
                    }
                }
                inputs.add(expected.get("inputs").size() == 1 ? shape : input.get("torchName").asText() + "=" + shape);
            }
        }
        Summary summary;
        try {
            summary = Tally.analyze(file, Tally.Options.defaults().withInputs(inputs));
        } catch (TallyException e) {
            // Scripted detection code the interpreter cannot follow is a listed gap at its line, not a failed load.
            assertThat(detection && form.equals("scripted")).as(what + ": " + e.getMessage()).isFalse();
            // A one-sentence error naming the place is a gap; anything else (an internal error) fails the test.
            assertThat(e.getMessage()).as(what).contains(file.getFileName().toString()).endsWith(".");
            record(expected, form, "load: " + shortError(e.getMessage().replace(file.getFileName() + ": ", "")));
            return;
        }
        if (detection && form.equals("scripted")) {
            summary.unsupported().stream().filter(op -> op.opType().equals(UNFOLLOWED)).forEach(op -> assertThat(op.nodes())
                    .as(what + ": the gap names its line").allMatch(node -> node.matches("code/.+\\.py:\\d+/.*")));
            batchedNmsLoopBounded(summary, expected, what);
            sameBoundedMacsAsTheOnnxForm(file, summary, expected, what);
        }
        List<String> gaps = new ArrayList<>();
        List<String> unsupported = summary.unsupported().stream().map(UnsupportedOp::opType).distinct().sorted().toList();
        List<String> unbounded = summary.dataDependence().sources().stream()
                .filter(source -> source.note().startsWith(UNBOUNDED)).map(DataDependence.Source::op).distinct().sorted().toList();
        if (unsupported.isEmpty() && unbounded.isEmpty()) {
            assertThat(summary.unresolvedNodes()).as(what + ": nodes without a count but no unsupported op listed").isZero();
        } else if (unsupported.isEmpty()) {
            gaps.add("no bound: " + String.join(", ", unbounded));
        } else {
            gaps.add("no rule: " + String.join(", ", unsupported));
        }
        // ONNX: what the exporter stores (BatchNorm folded); TorchScript: the saved module's own figures where the export
        // recorded them (scripting wav2vec2 and hubert removes their weight norm first: 128 params fewer than the model).
        JsonNode own = onnx ? expected.path("onnx") : expected.path("torchscript").path(form);
        long params = own.path("params").isNumber() ? own.get("params").asLong() : expected.get("params").asLong();
        long buffers = own.path("buffers").isNumber() ? own.get("buffers").asLong() : expected.get("buffers").asLong();
        if (summary.totals().params() != params || summary.totals().buffers() != buffers) {
            gaps.add("params " + summary.totals().params() + "+" + summary.totals().buffers() + " vs " + params + "+" + buffers);
        }
        long macs = expected.get("macs").asLong();
        DataDependence dependent = summary.dataDependence();
        if (dependent.any()) {
            // Counted at the bounds: the total is an upper bound on what PyTorch ran, and the part that does not
            // depend on the data cannot exceed it.
            assertThat(summary.totals().macs()).as(what + ": MACs at the bounds")
                    .isGreaterThanOrEqualTo(summary.isComplete() ? macs : 0);
            assertThat(summary.totals().macs() - dependent.macs()).as(what + ": MACs not data-dependent").isLessThanOrEqualTo(macs);
            assertThat(dependent.sources()).as(what + ": the bounds stated").isNotEmpty();
            String cell = "data-dependent: " + Units.count(dependent.macs()) + " MACs bounded";
            if (!detection && unsupported.isEmpty() && unbounded.isEmpty()) {
                // Sequence lengths (packed LSTMs, padding masks): the export's lengths are all the padded length, so the
                // bound is what ran and the total must equal PyTorch's; the parts no data-dependent size reaches are exact.
                assertThat(summary.totals().macs()).as(what + ": MACs at the bound, every length the padded one").isEqualTo(macs);
                cell += (dependent.macs() > 0 ? ", reached (every length the padded one)" : "")
                        + (exactModules(summary, expected) > 0 ? "; the rest exact" : "");
            }
            gaps.add(cell);
        } else if (summary.totals().macs() != macs) {
            if (unsupported.isEmpty()) {
                gaps.add("MACs " + summary.totals().macs() + " vs " + macs);
            } else {
                assertThat(summary.totals().macs()).as(what + ": MACs counted beside unsupported ops").isLessThanOrEqualTo(macs);
                gaps.add("MACs partial");
            }
        }
        List<List<Long>> shapes = new ArrayList<>();
        expected.get("outputShapes").forEach(s -> shapes.add(longs(s)));
        List<Optional<List<Long>>> actual = summary.outputs().stream().map(TensorSummary::shape).map(s -> s.map(Shape::dims)).toList();
        if (actual.stream().anyMatch(Optional::isEmpty) || actual.isEmpty() && !shapes.isEmpty()) {
            gaps.add("output shape unresolved");
        } else if (!actual.stream().map(Optional::get).toList().equals(shapes) && !withinBounds(summary.outputs(), shapes)) {
            gaps.add("output shapes differ");
        }
        JsonNode perImage = expected.path("detectionsPerImg");
        long boxesBound = perImage.isNumber() ? perImage.asLong() : detection ? builderDetectionsPerImg(expected.get("name").asText()) : 0;
        if (detection && form.equals("scripted")) {
            // The scripted postprocess is followed at the bounds, as the ONNX form's is: its boxes are bounded too.
            assertThat(dependent.any()).as(what + ": the postprocess counted at its bounds").isTrue();
            assertThat(summary.outputs()).as(what + ": outputs").isNotEmpty();
            assertThat(summary.outputs().get(0).shape()).as(what + ": the boxes' bound").isPresent();
        }
        if (boxesBound > 0 && !summary.outputs().isEmpty() && summary.outputs().get(0).shape().isPresent()) {
            // The boxes: at most detections_per_img, the bound the model states, and shown as data-dependent.
            assertThat(summary.outputs().get(0).shape().get().dim(0)).as(what + ": boxes bound").isEqualTo(boxesBound);
            assertThat(summary.outputs().get(0).origin()).as(what + ": boxes marked").isEqualTo(SummaryBuilder.DATA_DEPENDENT_OUTPUT);
        }
        if (detection && (onnx || form.equals("scripted"))) {
            // Every size in an exported or scripted detector has a bound: torchvision's masks and keypoint heatmaps are
            // resized to sizes computed from box coordinates clamped to the image (docs/conventions.md, "Value bounds");
            // the scripted masks are pasted into the image by a loop over the boxes ("Data-dependent sizes").
            assertThat(unbounded).as(what + ": ops whose sizes have no bound").isEmpty();
            assertThat(actual).as(what + ": every output shape resolved").allMatch(Optional::isPresent);
        }
        if (boxesBound > 0) {
            // Each resolved output is one row per detection: at most detections_per_img rows (torchvision's builder
            // default), and per row what PyTorch gave per row (a mask of the input image's size, 17 keypoints).
            for (int i = 0; i < actual.size() && i < shapes.size(); i++) {
                if (actual.get(i).isEmpty()) {
                    continue;
                }
                List<Long> bound = actual.get(i).get();
                assertThat(bound.size()).as(what + ": rank of output " + i).isEqualTo(shapes.get(i).size());
                assertThat(bound.get(0)).as(what + ": rows of output " + i).isEqualTo(boxesBound);
                assertThat(bound.subList(1, bound.size())).as(what + ": output " + i + " per detection, as PyTorch's")
                        .isEqualTo(shapes.get(i).subList(1, shapes.get(i).size()));
                assertThat(summary.outputs().get(i).origin()).as(what + ": output " + i + " marked").isEqualTo(SummaryBuilder.DATA_DEPENDENT_OUTPUT);
            }
        }
        if (expected.get("name").asText().startsWith("maskrcnn") && (onnx || form.equals("scripted"))) {
            // The masks: [detections_per_img, 1, H, W], H x W the fixture's input image (PyTorch pastes each mask into it).
            JsonNode image = expected.get("inputs").get(0).get("shape");
            assertThat(actual.get(3)).as(what + ": the masks' bound").contains(List.of(boxesBound, 1L, image.get(2).asLong(), image.get(3).asLong()));
        }
        // The interpreter goes on past code it cannot follow, so the parts that do not depend on it are checked too.
        if (detection) {
            gaps.addAll(detectionParts(summary, expected));
            roiHeadsPerBox(summary, expected, what);
        }
        if (onnx && expected.has("onnxExport")) {
            // Exported without torch.onnx's constant folding and shape inference (mvit_v2_s: each needs over 8 GB), so
            // every shape is worked out from the graph's own shape arithmetic: it must come out exact, as the folded
            // files do (params all of PyTorch's, the output shape PyTorch's, MACs the counter's, nothing unsupported).
            assertThat(gaps).as(what + " (ONNX exported without constant folding and shape inference)").isEmpty();
        }
        record(expected, form, gaps.isEmpty() ? "exact" : String.join("; ", gaps));
    }

    /**
     * The parts of a detection model that do not depend on the data: the backbone (with its FPN) and the RPN or
     * detection head convolutions, whose MACs must equal the counter's for the same modules, whatever the boxes
     * (asserted; the cell then names them as exact beside the data-dependent gaps).
     */
    private static List<String> detectionParts(Summary summary, JsonNode expected) {
        List<String> parts = new ArrayList<>();
        for (JsonNode module : expected.get("modules")) {
            String name = module.get("name").asText();
            if (!List.of("backbone", "rpn.head", "head").contains(name)) {
                continue;
            }
            long macs = summary.layers().stream().filter(l -> l.name().equals(name) || l.name().startsWith(name + "."))
                    .mapToLong(dev.tally.report.LayerSummary::macs).sum();
            // Every form, scripted included: code the interpreter cannot follow lies after these parts (the transform's
            // resize scale is computed from the image size), so a partial count here is a regression, not a gap.
            assertThat(macs).as(expected.get("name").asText() + ": MACs of module '" + name + "'").isEqualTo(module.get("macs").asLong());
            parts.add(name);
        }
        assertThat(parts.size()).as(expected.get("name").asText() + ": detection parts compared").isPositive();
        List<String> cells = new ArrayList<>();
        if (!parts.isEmpty()) {
            cells.add(String.join(", ", parts) + " exact");
        }
        return cells;
    }

    /**
     * torchvision's batched_nms loops over the distinct labels ({@code for class_id in torch.unique(idxs)}), a count of
     * the data: no gap may be left in its file, and the loop is counted at a bound the report states (docs/conventions.md,
     * "Data-dependent sizes"). The bound must be one: at least the number of object classes PyTorch's classifier scores
     * (the class head's last output dim in the oracle, less the background column for the R-CNNs), the most labels a
     * run can hold.
     */
    private static void batchedNmsLoopBounded(Summary summary, JsonNode expected, String what) {
        assertThat(summary.unsupported().stream().filter(op -> op.opType().equals(UNFOLLOWED)).flatMap(op -> op.nodes().stream()))
                .as(what + ": no gap left in batched_nms's file").noneMatch(node -> node.startsWith("code/__torch__/torchvision/ops/boxes.py:"));
        java.util.regex.Pattern loop = java.util.regex.Pattern.compile(
                "the loop at code/__torch__/torchvision/ops/boxes\\.py:\\d+ runs a number of times that depends on the data, at most (\\d+) ");
        List<Long> bounds = summary.dataDependence().sources().stream().map(s -> loop.matcher(s.note())).filter(java.util.regex.Matcher::find)
                .map(m -> Long.parseLong(m.group(1))).toList();
        assertThat(bounds).as(what + ": batched_nms's per-class loop counted at a stated bound").isNotEmpty();
        long classes = 0;
        for (JsonNode module : expected.get("modules")) {
            String name = module.get("name").asText();
            JsonNode shape = module.path("outputShape");
            if (shape.isArray() && (name.equals("roi_heads.box_predictor.cls_score") || name.equals("head.classification_head"))) {
                classes = shape.get(shape.size() - 1).asLong() - (name.startsWith("roi_heads") ? 1 : 0);
            }
        }
        assertThat(classes).as(what + ": the oracle's class count").isPositive();
        assertThat(java.util.Collections.max(bounds)).as(what + ": the per-class loop's bound, at least PyTorch's " + classes + " classes")
                .isGreaterThanOrEqualTo(classes);
    }

    /**
     * A cross-check of the two forms of one detector: the scripted postprocess, loops over data counted at their bounds,
     * must give the ONNX export's MACs, all and data-dependent, to the MAC (the loops' bodies have none: batched_nms's
     * per-class loop is nms and indexing). The ops differ (docs/conventions.md, "Data-dependent sizes"): batched_nms runs
     * both its paths in the scripted form, the coordinate trick alone in the traced ONNX export.
     */
    private static void sameBoundedMacsAsTheOnnxForm(Path scripted, Summary summary, JsonNode expected, String what) {
        JsonNode onnx = expected.path("files").path("onnx");
        if (!onnx.isTextual()) {
            return;
        }
        Summary exported = Tally.analyze(scripted.resolveSibling(onnx.asText()), Tally.Options.defaults());
        assertThat(summary.totals().macs()).as(what + ": MACs, the ONNX form's").isEqualTo(exported.totals().macs());
        assertThat(summary.dataDependence().macs()).as(what + ": data-dependent MACs, the ONNX form's").isEqualTo(exported.dataDependence().macs());
    }

    /**
     * detections_per_img of a zoo detection model, whose expected.json (export_zoo.py) does not record it: torchvision
     * 0.14.1's builder defaults, which export_zoo.py keeps (it sets only min_size and max_size): faster_rcnn.py's
     * box_detections_per_img=100 (Faster, Mask and Keypoint R-CNN), retinanet.py 300, fcos.py 100, ssd.py 200 and
     * ssdlite.py 300. These are PyTorch's numbers, read from torchvision's source, never Tally's.
     */
    private static long builderDetectionsPerImg(String name) {
        Map<String, Long> defaults = new java.util.LinkedHashMap<>();
        defaults.put("ssdlite", 300L);
        defaults.put("ssd", 200L);
        defaults.put("retinanet", 300L);
        defaults.put("fcos", 100L);
        defaults.put("fasterrcnn", 100L);
        defaults.put("maskrcnn", 100L);
        defaults.put("keypointrcnn", 100L);
        return defaults.entrySet().stream().filter(e -> name.startsWith(e.getKey())).map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new IllegalStateException("No detections_per_img known for the detection model '" + name
                        + "': add its torchvision default to ZooFixturesTest.builderDetectionsPerImg."));
    }

    /**
     * The R-CNN heads that run once per box (the box head's Linear layers, the mask head's and keypoint head's convs):
     * where a form counts them at a bound, they are counted per box as PyTorch ran them. From the oracle's module
     * figures, PyTorch's MACs per box are its MACs over the boxes it ran (the module's first output dim); Tally's count
     * must be a whole number of those, for at least as many boxes as PyTorch ran, and at least PyTorch's count. A head
     * PyTorch ran on no box has no per-box figure: it must still be counted (above 0) where the form bounds it.
     */
    private static void roiHeadsPerBox(Summary summary, JsonNode expected, String what) {
        for (JsonNode module : expected.get("modules")) {
            String name = module.get("name").asText();
            if (!List.of("roi_heads.box_head", "roi_heads.mask_head", "roi_heads.keypoint_head").contains(name)
                    || !module.path("outputShape").isArray() || !summary.dataDependence().any()) {
                continue;
            }
            long counted = summary.layers().stream().filter(l -> l.name().equals(name) || l.name().startsWith(name + "."))
                    .mapToLong(dev.tally.report.LayerSummary::macs).sum();
            long ran = module.get("macs").asLong();
            long boxes = module.get("outputShape").get(0).asLong();
            assertThat(counted).as(what + ": MACs of '" + name + "' at the bound, at least PyTorch's " + ran).isGreaterThanOrEqualTo(ran);
            if (boxes == 0) {
                assertThat(counted).as(what + ": '" + name + "' counted at its bound").isPositive();
                continue;
            }
            assertThat(ran % boxes).as(what + ": PyTorch's MACs of '" + name + "' per box").isZero();
            long perBox = ran / boxes;
            assertThat(counted % perBox).as(what + ": '" + name + "' counted per box (" + perBox + " MACs each)").isZero();
            assertThat(counted / perBox).as(what + ": boxes '" + name + "' is counted for").isGreaterThanOrEqualTo(boxes);
        }
    }

    /**
     * Asserts that every module of PyTorch's whose rows Tally counts without a data-dependent node has PyTorch's MACs
     * (Tacotron2's convolutions before its packed LSTM, Conformer's feed-forward modules before the padding mask), and
     * returns how many there are.
     */
    private static int exactModules(Summary summary, JsonNode expected) {
        int exact = 0;
        for (JsonNode module : expected.get("modules")) {
            String name = module.get("name").asText();
            List<dev.tally.report.LayerSummary> rows = summary.layers().stream()
                    .filter(l -> l.name().equals(name) || l.name().startsWith(name + ".")).toList();
            if (rows.isEmpty() || rows.stream().anyMatch(dev.tally.report.LayerSummary::isDataDependent)) {
                continue;
            }
            long macs = rows.stream().mapToLong(dev.tally.report.LayerSummary::macs).sum();
            assertThat(macs).as(expected.get("name").asText() + ": MACs of module '" + name + "', which no data-dependent size reaches")
                    .isEqualTo(module.get("macs").asLong());
            exact++;
        }
        return exact;
    }

    /**
     * Whether PyTorch's output shapes "match the bound": each output Tally marks data-dependent has the rank PyTorch's
     * has and no axis larger than Tally's bound; the others are equal.
     */
    private static boolean withinBounds(List<TensorSummary> outputs, List<List<Long>> shapes) {
        if (outputs.size() != shapes.size()) {
            return false;
        }
        for (int i = 0; i < outputs.size(); i++) {
            List<Long> bound = outputs.get(i).shape().get().dims();
            List<Long> ran = shapes.get(i);
            boolean dependent = outputs.get(i).origin().equals(SummaryBuilder.DATA_DEPENDENT_OUTPUT);
            if (bound.size() != ran.size() || !dependent && !bound.equals(ran)) {
                return false;
            }
            for (int axis = 0; axis < bound.size(); axis++) {
                if (ran.get(axis) > bound.get(axis)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void record(JsonNode expected, String form, String cell) {
        CELLS.computeIfAbsent(expected.get("family").asText(), f -> new ConcurrentHashMap<>())
                .computeIfAbsent(form, f -> new ConcurrentHashMap<>()).put(expected.get("name").asText(), cell);
    }

    private static String shortError(String message) {
        String line = message.lines().findFirst().orElse("");
        return line.length() > 120 ? line.substring(0, 117) + "..." : line;
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asLong()));
        return values;
    }

    /** The table: one row per family and form; "exact (n)" or, per model, its gap. */
    static String table() {
        StringBuilder out = new StringBuilder("| family | form | exact | gaps |\n|---|---|---|---|\n");
        for (Map.Entry<String, Map<String, Map<String, String>>> family : new TreeMap<>(CELLS).entrySet()) {
            for (String form : List.of("onnx", "traced", "scripted")) {
                Map<String, String> cells = new TreeMap<>(family.getValue().getOrDefault(form, Map.of()));
                long exact = cells.values().stream().filter("exact"::equals).count();
                int recompressed = RECOMPRESSED.getOrDefault(family.getKey(), Map.of()).getOrDefault(form, java.util.Set.of()).size();
                long overBudget = cells.values().stream().filter(c -> c.startsWith(OVER_BUDGET)).count();
                String gaps = (overBudget == 0 ? "" : overBudget + " not made, weights over the CI budget" + (overBudget < cells.size() - exact ? "<br>" : ""))
                        + cells.entrySet().stream().filter(e -> !e.getValue().equals("exact") && !e.getValue().startsWith(OVER_BUDGET))
                        .map(e -> "`" + e.getKey() + "`: " + e.getValue().replace("|", "\\|")).collect(Collectors.joining("<br>"));
                out.append("| ").append(family.getKey()).append(" | ").append(form).append(" | ").append(exact).append(" of ")
                        .append(cells.size()).append(recompressed == 0 ? "" : " (" + recompressed + " re-compressed)").append(" | ").append(gaps).append(" |\n");
            }
        }
        return out.toString();
    }

    /**
     * Writes the table to {@code target/zoo-table.md}; with {@code -Dtally.updateGolden=true} also into README.md
     * between its markers. It is not compared with the README: the table depends on which models the export made.
     */
    @AfterAll
    static void writeTheTable() throws IOException {
        String table = table();
        Files.createDirectories(Fixtures.root().resolve("target"));
        Files.writeString(Fixtures.root().resolve("target/zoo-table.md"), table);
        if (Boolean.parseBoolean(System.getProperty("tally.updateGolden")) && ONLY_MODELS.isEmpty() && ONLY_FORMS.isEmpty()) {
            Path readme = Fixtures.root().resolve("README.md");
            String text = Files.readString(readme);
            int begin = text.indexOf(BEGIN);
            int end = text.indexOf(END);
            String block = BEGIN + "\n" + table + END;
            Files.writeString(readme, begin >= 0 && end > begin
                    ? text.substring(0, begin) + block + text.substring(end + END.length()) : text + "\n" + block + "\n");
        }
    }
}
