package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.analysis.Convention;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Each format rendered for hand-built graphs, compared with golden files named after the test (see {@link Golden}
 * for how to regenerate them), with invariants on top: layer sums equal totals, and every format shows the
 * same totals as the summary.
 */
class RenderersGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Summary worksheet() {
        return SummaryBuilderTest.summarize(TestModels.worksheet(), 0);
    }

    @Test
    void theWorksheetAsATableShowsMacsPerLayerByDefault(TestInfo test) {
        Summary summary = worksheet();
        String table = new TableRenderer().render(summary, Convention.MACS);

        Golden.assertMatches(test, "txt", table);
        assertThat(table).contains("Params", "61,100,840", "(61.1 M)", "791,392,256", "1 KiB = 1024 B",
                Convention.MACS.definition());
        assertThat(totalLine(table)).contains(Units.exact(summary.totals().params()),
                Units.exact(summary.totals().macs()), Units.bytes(summary.totals().activationBytes()));
    }

    /**
     * A built summary's rows are columns (LayerTable), read by index; a summary read back from JSON or made by hand
     * holds LayerSummary objects. The table must be the same text either way, marks of incomplete rows included.
     */
    @Test
    void theTableIsTheSameFromColumnsAndFromRowObjects() {
        for (Summary built : List.of(worksheet(), SummaryBuilderTest.summarize(TestModels.withUnsupportedOp(), 0))) {
            assertThat(built.layers()).isInstanceOf(LayerTable.class);
            Summary rows = new Summary(built.model(), built.inputs(), built.outputs(), new java.util.ArrayList<>(built.layers()),
                    built.totals(), built.unsupported(), built.unresolvedNodes(), built.notes(), built.depth(),
                    built.receptiveFields(), built.liveAfter(), built.unreadBuffers(), built.peakLayer(), built.dataDependence());
            assertThat(rows.layers()).isNotInstanceOf(LayerTable.class);
            assertThat(LayerTable.of(rows.layers())).isEqualTo(rows.layers());
            for (Convention convention : Convention.values()) {
                assertThat(new TableRenderer().render(rows, convention)).isEqualTo(new TableRenderer().render(built, convention));
                assertThat(new TableRenderer(true).render(rows, convention)).isEqualTo(new TableRenderer(true).render(built, convention));
            }
        }
    }

    @Test
    void rowObjectsAsColumnsAreTheSameRows() {
        // Every field apart from the others, a frozen share, uncounted and data-dependent nodes, rows without a shape.
        List<LayerSummary> rows = List.of(
                new LayerSummary("features.0", "Conv2d", java.util.Optional.of(dev.tally.ir.Shape.of(1, 64, 55, 55)),
                        23_296, 0, 93_184, 70_276_800, 140_553_600, 70_470_400, 774_400, 2, 0, 23_296, 0),
                new LayerSummary("head.mystery", "Mystery", java.util.Optional.empty(), 0, 5, 20, 0, 0, 0, 0, 3, 2, 0, 1),
                new LayerSummary("n0", "-", java.util.Optional.empty(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));

        LayerTable columns = LayerTable.of(rows);

        assertThat(columns).isEqualTo(rows);
        assertThat(columns.anyIncomplete()).isTrue();
        assertThat(columns.anyDataDependent()).isTrue();
        assertThat(LayerTable.of(columns)).isSameAs(columns);
        assertThat(LayerTable.of(List.of())).isEmpty();
    }

    @Test
    void theWorksheetAsATableUnderOpsShowsTheWorksheetColumn(TestInfo test) {
        Summary summary = worksheet();
        String table = new TableRenderer().render(summary, Convention.OPS);

        Golden.assertMatches(test, "txt", table);
        assertThat(table).contains("73,056,256", "793,400,040", Convention.OPS.definition());
        assertThat(totalLine(table)).contains("61,100,840", "793,400,040");
    }

    @Test
    void theWorksheetAsJsonKeepsTheContractAndItsSumsEqualItsTotals(TestInfo test) throws Exception {
        Summary summary = worksheet();
        String json = new JsonRenderer().render(summary, Convention.MACS);

        Golden.assertMatches(test, "json", json);
        JsonNode root = JSON.readTree(json);
        assertThat(root.get("model").get("path").asText()).isEqualTo("worksheet.onnx");
        assertThat(root.get("model").get("format").asText()).isEqualTo("onnx");
        assertThat(root.get("inputs").get(0).get("name").asText()).isEqualTo("input");
        assertThat(root.get("inputs").get(0).get("shape").toString()).isEqualTo("[1,3,227,227]");
        assertThat(root.get("inputs").get(0).get("dtype").asText()).isEqualTo("float32");
        assertThat(root.get("outputs").get(0).get("shape").toString()).isEqualTo("[1,1000]");
        JsonNode first = root.get("layers").get(0);
        assertThat(first.get("name").asText()).isEqualTo("features.0");
        assertThat(first.get("type").asText()).isEqualTo("Conv");
        assertThat(first.get("outputShape").toString()).isEqualTo("[1,64,56,56]");
        assertThat(first.get("params").asLong()).isEqualTo(23296);
        assertThat(first.get("buffers").asLong()).isZero();
        assertThat(first.get("macs").asLong()).isEqualTo(72855552);
        assertThat(first.get("flops").asLong()).isEqualTo(145711104);
        assertThat(first.get("ops").asLong()).isEqualTo(73056256);
        assertThat(first.get("activationBytes").asLong()).isEqualTo(802816);
        assertThat(root.get("unsupported").isArray()).isTrue();
        assertThat(root.get("unsupported")).isEmpty();
        JsonNode totals = root.get("totals");
        assertThat(totals.get("params").asLong()).isEqualTo(61_100_840L);
        assertThat(totals.get("paramBytes").asLong()).isEqualTo(244_403_360L);
        for (String column : List.of("params", "buffers", "paramBytes", "macs", "flops", "ops", "activationBytes")) {
            long sum = 0;
            for (JsonNode layer : root.get("layers")) {
                sum += layer.get(column).asLong();
            }
            assertThat(sum).as(column).isEqualTo(totals.get(column).asLong());
        }
        assertThat(totals.get("macs").asLong()).isEqualTo(summary.totals().macs());
        assertThat(totals.get("activationBytes").asLong()).isEqualTo(summary.totals().activationBytes());
    }

    @Test
    void theWorksheetAsCsvHasOneHeaderOneLinePerLayerAndATotalLine(TestInfo test) {
        Summary summary = worksheet();
        String csv = new CsvRenderer().render(summary, Convention.MACS);

        Golden.assertMatches(test, "csv", csv);
        List<String> lines = List.of(csv.split("\r\n"));
        assertThat(csv).endsWith("\r\n").doesNotContain("\n\n");
        assertThat(lines).hasSize(1 + summary.layers().size() + 1);
        assertThat(lines.get(0)).startsWith("layer,type,outputShape,params,buffers,paramBytes,macs,flops,ops,activationBytes");
        List<String> total = List.of(lines.get(lines.size() - 1).split(",", -1));
        assertThat(total.get(0)).isEqualTo("(total)");
        for (int column = 3; column <= 9; column++) {
            long sum = 0;
            for (String line : lines.subList(1, lines.size() - 1)) {
                sum += Long.parseLong(line.split(",", -1)[column]);
            }
            assertThat(sum).as(lines.get(0).split(",")[column]).isEqualTo(Long.parseLong(total.get(column)));
        }
        assertThat(total.get(3)).isEqualTo("61100840");
        assertThat(total.get(6)).isEqualTo(Long.toString(summary.totals().macs()));
    }

    @Test
    void theWorksheetAsMarkdownIsAGithubTable(TestInfo test) {
        String markdown = new MarkdownRenderer().render(worksheet(), Convention.MACS);

        Golden.assertMatches(test, "md", markdown);
        assertThat(markdown).contains("| Layer | Type | Output shape | Params | MACs | Activation |",
                "|---|---|---|---:|---:|---:|", "| **Total** | | | **61,100,840** | **791,392,256** |");
    }

    @Test
    void foldedBlocksAsATableShowTheUnusedRowAndTheSymbolicBatchNote(TestInfo test) {
        Summary summary = SummaryBuilderTest.summarize(TestModels.blocks(), 1);
        String table = new TableRenderer().render(summary, Convention.FLOPS);

        Golden.assertMatches(test, "txt", table);
        assertThat(table).contains("(not used by forward)", "symbolic batch", "--depth 1", "batch defaulted to 1");
        assertThat(totalLine(table)).contains("184", Units.exact(2 * 1968));
    }

    @Test
    void anUnsupportedOpIsListedInTheTableAndMarkedOnItsRow(TestInfo test) {
        Summary summary = SummaryBuilderTest.summarize(TestModels.withUnsupportedOp(), 0);
        String table = new TableRenderer().render(summary, Convention.MACS);

        Golden.assertMatches(test, "txt", table);
        assertThat(table).contains("Mystery *", "no rule for Mystery x1: /head/head.mystery/Mystery",
                "1 node has a rule but no count", "Output: output ?\n");
    }

    @Test
    void anUnsupportedOpIsListedInJsonAndMarkdown(TestInfo test) throws Exception {
        Summary summary = SummaryBuilderTest.summarize(TestModels.withUnsupportedOp(), 0);
        String json = new JsonRenderer().render(summary, Convention.MACS);
        String markdown = new MarkdownRenderer().render(summary, Convention.MACS);

        Golden.assertMatches(test, "json", json);
        JsonNode root = JSON.readTree(json);
        assertThat(root.get("unsupported").get(0).get("op").asText()).isEqualTo("Mystery");
        assertThat(root.get("unsupported").get(0).get("count").asInt()).isEqualTo(1);
        assertThat(root.get("outputs").get(0).get("shape").isNull()).isTrue();
        assertThat(root.get("complete").asBoolean()).isFalse();
        assertThat(markdown).contains("no rule for Mystery x1", "Mystery \\*");
    }

    @Test
    void csvQuotesFieldsWithCommasQuotesAndLineBreaksAsRfc4180Says() {
        assertThat(CsvRenderer.quoted("features.0")).isEqualTo("features.0");
        assertThat(CsvRenderer.quoted("a,b")).isEqualTo("\"a,b\"");
        assertThat(CsvRenderer.quoted("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(CsvRenderer.quoted("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(CsvRenderer.quoted("")).isEmpty();
    }

    @Test
    void markdownEscapesPipesAndMarkupInCells() {
        assertThat(MarkdownRenderer.cell("a|b")).isEqualTo("a\\|b");
        assertThat(MarkdownRenderer.cell("layer_1")).isEqualTo("layer\\_1");
        assertThat(MarkdownRenderer.cell("two\nlines")).isEqualTo("two lines");
    }

    @Test
    void everyFormatShowsTheSameTotals() throws Exception {
        Summary summary = worksheet();
        Totals totals = summary.totals();
        JsonNode json = JSON.readTree(new JsonRenderer().render(summary, Convention.OPS)).get("totals");
        String table = new TableRenderer().render(summary, Convention.OPS);
        String markdown = new MarkdownRenderer().render(summary, Convention.OPS);

        List<Long> fromJson = new ArrayList<>();
        json.forEach(n -> {
            if (n.isNumber()) {
                fromJson.add(n.asLong());
            }
        });
        assertThat(fromJson).containsExactly(totals.params(), totals.buffers(), totals.paramBytes(), totals.macs(),
                totals.flops(), totals.ops(), totals.activationBytes(), totals.largestActivationBytes(),
                totals.peakActivationBytes(), totals.trainableParams(), totals.frozenParams(), totals.trainingBytes());
        // The training memory's parts, each in every format, and their sum the training figure.
        JsonNode parts = json.get("training");
        assertThat(parts.get("optimizer").asText()).isEqualTo("adam");
        long steady = parts.get("params").asLong() + parts.get("gradients").asLong() + parts.get("optimizerState").asLong();
        assertThat(steady + Math.max(parts.get("savedActivations").asLong() + parts.get("backwardTransient").asLong(),
                parts.get("optimizerStepTransient").asLong())).isEqualTo(totals.trainingBytes());
        parts.forEach(n -> {
            if (n.isNumber()) {
                fromJson.add(n.asLong());
            }
        });
        for (long value : fromJson) {
            assertThat(table).contains(Units.exact(value));
            assertThat(markdown).contains(Units.exact(value));
        }
    }

    /** The table's "Total" line, below the layer rows. */
    private static String totalLine(String table) {
        return table.lines().filter(l -> l.startsWith("Total ")).findFirst().orElseThrow();
    }
}
