package dev.tally.formats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.cli.Main;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import dev.tally.report.ModuleTree;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import dev.tally.report.Totals;
import dev.tally.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code summary --tree} on resnet50 shows the modules PyTorch's {@code print(model)} shows, with the same class
 * names ({@code named_modules()} of torchvision's resnet50, written by scripts/export_formats.py into
 * {@code formats/resnet50.modules.json}), and subtree figures that add up: every module's params and MACs are its
 * children's sum (a ResNet's containers own no tensor and no MAC of their own), and the top row is the model's
 * totals, PyTorch's own params and MACs.
 */
class ModuleTreeTest {
    private static final Map<String, Shape> INPUT = InputShapes.parseOverrides(List.of("1x3x224x224"));

    private static Map<String, String> pytorchModules() {
        Map<String, String> modules = new LinkedHashMap<>();
        Fixtures.formatsJson("resnet50.modules.json").get("modules").fields()
                .forEachRemaining(e -> modules.put(e.getKey(), e.getValue().asText()));
        return modules;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet50.scripted.pt", "resnet50.traced.pt"})
    void theTreeShowsPyTorchsModulesAndClassNames(String file) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "summary", Fixtures.file(file).toString(), "--input", "1x3x224x224", "--tree");
        assertThat(code).as(err.toString()).isZero();

        Map<String, String> shown = new LinkedHashMap<>();
        String[] lines = out.toString().split("\n");
        for (int i = 2; i < lines.length && !lines[i].startsWith("Params and MACs"); i++) {
            String[] cells = lines[i].trim().split(" +");
            shown.put(cells[0].equals("(model)") ? "" : cells[0], cells[1]);
        }
        Map<String, String> expected = pytorchModules();
        assertThat(expected).hasSize(151).containsEntry("layer1.0", "Bottleneck").containsEntry("layer1.0.downsample", "Sequential");
        // Same modules, same classes, in named_modules() order.
        assertThat(shown).containsExactlyEntriesOf(expected);

        Fixtures.Expected pytorch = Fixtures.expected("resnet50");
        assertThat(lines[2]).contains(String.format("%,d", pytorch.params())).contains(String.format("%,d", pytorch.macs()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--format=json", "--depth=2", "--verify"})
    void theTreeIsItsOwnTextView(String option) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "summary", Fixtures.file("resnet50.onnx").toString(), "--tree", option);

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--tree prints its own text view of the whole tree; leave out --format, --depth and --verify with it.");
        assertThat(out.toString()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"table", "html"})
    void buffersNoForwardReadsAreANoteNotARowOrABar(String format) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "summary", Fixtures.file("resnet50.scripted.pt").toString(), "--input", "1x3x224x224", "--format", format);
        assertThat(code).as(err.toString()).isZero();

        // One num_batches_tracked per BatchNorm2d, 53 in resnet50, as PyTorch's buffers list them.
        long counters = Fixtures.expected("resnet50").json().get("numBatchesTracked").asLong();
        assertThat(counters).isEqualTo(53);
        assertThat(out.toString()).doesNotContain(dev.tally.report.LayerSummary.NOT_USED_BY_FORWARD)
                .contains("Buffers no forward reads are counted in the buffers total but shown in no row: 53 tensors of 53 elements"
                        + " (bn1.num_batches_tracked, layer1.0.bn1.num_batches_tracked and 51 more).");
        Summary summary = dev.tally.Tally.analyze(Fixtures.file("resnet50.scripted.pt"), new dev.tally.Tally.Options(INPUT, false, 0));
        assertThat(summary.totals().buffers()).isEqualTo(Fixtures.expected("resnet50").buffers());
        assertThat(summary.unreadBuffers().buffers()).isEqualTo(counters);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet50.scripted.pt", "resnet50.traced.pt", "resnet50.onnx"})
    void subtreeTotalsAddUpToTheModelTotals(String file) {
        Analysis analysis = new Analyzer().analyze(ModelLoader.load(Fixtures.file(file), INPUT), INPUT, false);
        Summary summary = SummaryBuilder.build(analysis).check();
        ModuleTree tree = ModuleTree.of(analysis);

        // The tree adds up what adds up; the largest and peak activations are whole-model facts, not subtree sums.
        assertThat(tree.totals()).isEqualTo(summary.totals().additive());
        if (!file.endsWith(".onnx")) {
            assertThat(tree.totals().params()).isEqualTo(Fixtures.expected("resnet50").params());
            assertThat(tree.totals().buffers()).isEqualTo(Fixtures.expected("resnet50").buffers());
        }
        assertThat(tree.totals().macs()).isEqualTo(Fixtures.expected("resnet50").macs());
        int parents = 0;
        for (Map.Entry<Integer, ModuleTree> row : tree.flatten()) {
            ModuleTree module = row.getValue();
            if (module.children().isEmpty() || module.path().isEmpty()) {
                continue;
            }
            Totals children = module.children().stream().map(ModuleTree::totals).reduce(Totals.ZERO, Totals::plus);
            assertThat(module.totals().params()).as(module.path()).isEqualTo(children.params());
            assertThat(module.totals().buffers()).as(module.path()).isEqualTo(children.buffers());
            assertThat(module.totals().macs()).as(module.path()).isEqualTo(children.macs());
            parents++;
        }
        // layer1..4 and their 16 Bottlenecks, 4 downsample Sequentials.
        assertThat(parents).isEqualTo(4 + 16 + 4);
    }
}
