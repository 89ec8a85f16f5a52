package dev.tally.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit of the alexnet fixture in every format, with PyTorch's figures (expected.json) where they apply. */
class AuditOutputTest {
    private static String run(String... options) {
        String[] args = new String[options.length + 1];
        args[0] = Fixtures.expected("alexnet").file("stateDict").toString();
        System.arraycopy(options, 0, args, 1, options.length);
        AuditCli.Result result = AuditCli.run(args);
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).isEmpty();
        return result.out();
    }

    @Test
    void theTableNamesTheExactMatchWithItsParamsAndCountsIt() {
        String text = run();

        assertThat(text).contains("Safety: safe").contains("all on the state_dict allow-list")
                .contains("Exact match: torchvision alexnet, 61,100,840 params")
                .contains("features.0.weight").contains("classifier.6.bias")
                .contains("Shared storages: none");
        // The summary of the matched graph: conv1's MACs at 1x3x224x224 (64x55x55 outputs x 3x11x11), PyTorch's total.
        assertThat(text).contains("70,276,800").contains("714,188,480");
    }

    @Test
    void theJsonCarriesExactIntegersAndTheSummaryContract() throws Exception {
        JsonNode json = new ObjectMapper().readTree(run("--format", "json"));
        Fixtures.Expected expected = Fixtures.expected("alexnet");

        assertThat(json.at("/safety/severity").asText()).isEqualTo("safe");
        assertThat(json.at("/safety/exitCode").asInt()).isZero();
        assertThat(json.at("/architecture/match").asText()).isEqualTo("exact");
        assertThat(json.at("/architecture/candidates/0/name").asText()).isEqualTo("alexnet");
        assertThat(json.at("/inventory/params").asLong()).isEqualTo(expected.params());
        assertThat(json.at("/inventory/bytes").asLong()).isEqualTo(expected.json().get("paramBytes").asLong());
        assertThat(json.at("/tensors").size()).isEqualTo(16);
        assertThat(json.at("/summary/totals/macs").asLong()).isEqualTo(expected.macs());
        assertThat(json.at("/summary/layers/0/name").asText()).isEqualTo("features.0");
        JsonNode modules = json.at("/inventory/modules");
        assertThat(List.of(modules.get(0).get("name").asText(), modules.get(1).get("name").asText())).containsExactly("features", "classifier");
        assertThat(modules.get(0).get("params").asLong() + modules.get(1).get("params").asLong()).isEqualTo(expected.params());
    }

    @Test
    void markdownHasHeadingsAndPipeTables() {
        String text = run("--format", "markdown");

        assertThat(text).contains("## Safety: safe").contains("| name | shape | dtype | role | elements | bytes |")
                .contains("| features.0.weight | [64x3x11x11] | float32 | param | 23,232 | 92,928 |");
    }

    @Test
    void csvIsTheTensorInventoryOneRowPerTensor() {
        List<String> lines = run("--format", "csv").lines().toList();

        assertThat(lines.get(0)).isEqualTo("name,shape,dtype,role,numel,bytes,storage,offset,nan,posInf,negInf,min,max,mean");
        assertThat(lines).hasSize(17);
        assertThat(lines.get(1)).startsWith("features.0.weight,[64x3x11x11],float32,param,23232,92928,");
    }

    @Test
    void anUnknownFormatIsAUsageErrorListingTheValidOnes() {
        AuditCli.Result result = AuditCli.run(Fixtures.expected("alexnet").file("stateDict").toString(), "--format", "yaml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("Unknown format 'yaml'. Use one of: table, json, markdown, csv, sarif.\n");
    }
}
