package dev.tally.audit;

import dev.tally.load.checkpoint.ArchitectureMatch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.report.SummaryBuilder;
import dev.tally.report.Totals;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every core fixture's {@code .pth} (written by scripts/export_models.py with
 * {@code torch.save(model.state_dict())}) is matched to its architecture, with params, buffers and bytes equal
 * to PyTorch's own figures in {@code <name>.expected.json}, and the matched graph counted with the
 * checkpoint's shapes gives PyTorch's MACs.
 */
class CheckpointFixturesTest {
    /** The fixture script builds these without auxiliary heads; the catalog keeps both forms. */
    private static final Map<String, String> CATALOG_NAMES = Map.of(
            "googlenet", "googlenet_noaux", "inception_v3", "inception_v3_noaux");

    static Stream<String> coreModels() {
        List<String> models = Fixtures.models();
        return models.stream().filter(m -> Fixtures.expected(m).json().path("set").asText("core").equals("core"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("coreModels")
    void theStateDictIsMatchedExactlyWithPyTorchsParamsAndBytes(String name) {
        Fixtures.Expected expected = Fixtures.expected(name);
        Path file = expected.file("stateDict");
        assertThat(file).as("the fixture script writes a state_dict for every model").isNotNull();

        AuditReport report = new Auditor().audit(file, false, true);

        assertThat(report.worst()).isEqualTo(Severity.SAFE);
        assertThat(report.match().kind()).isEqualTo(ArchitectureMatch.Kind.EXACT);
        assertThat(report.match().candidates()).extracting(c -> c.entry().name())
                .contains(CATALOG_NAMES.getOrDefault(name, name));
        Inventory inventory = report.inventory();
        JsonNode json = expected.json();
        assertThat(inventory.params()).isEqualTo(expected.params());
        assertThat(inventory.buffers()).isEqualTo(expected.buffers());
        assertThat(inventory.bytes()).isEqualTo(json.get("paramBytes").asLong());
        assertThat(inventory.modules().stream().mapToLong(Inventory.ModuleTotal::params).sum()).isEqualTo(expected.params());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("coreModels")
    void theMatchedGraphCountedWithTheCheckpointsShapesGivesPyTorchsMacs(String name) {
        Fixtures.Expected expected = Fixtures.expected(name);
        AuditReport report = new Auditor().audit(expected.file("stateDict"), false, true);

        assertThat(report.summary()).as(report.summaryNote()).isPresent();
        Totals totals = SummaryBuilder.build(report.summary().get()).check().totals();
        assertThat(totals.params()).isEqualTo(expected.params());
        assertThat(totals.macs()).isEqualTo(expected.macs());
        // Every tensor of the checkpoint is counted, the num_batches_tracked counters no layer reads included.
        assertThat(totals.buffers()).isEqualTo(expected.buffers());
    }
}
