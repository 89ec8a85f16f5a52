package dev.tally.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code audit --format sarif} is valid SARIF 2.1.0 by the OASIS schema (src/test/resources/sarif, committed from
 * oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json) and holds one result per finding, at the level
 * its severity calls for, for a clean PyTorch checkpoint and for a malicious one.
 */
class SarifTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonSchema schema() throws IOException {
        try (InputStream in = SarifTest.class.getResourceAsStream("/sarif/sarif-schema-2.1.0.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
    }

    private static JsonNode validSarif(String text) throws IOException {
        JsonNode sarif = JSON.readTree(text);
        Set<ValidationMessage> errors = schema().validate(sarif);
        assertThat(errors).as(text).isEmpty();
        return sarif;
    }

    @Test
    void aMaliciousCheckpointGivesOneErrorPerDangerousGlobal() throws IOException {
        byte[] pickle = new PickleBytes().emptyDict()
                .string("weight").tensor("0", 2, 2).setItem()
                .string("payload").global("os", "system").string("true").tuple1().reduce().setItem()
                .stop();
        Path file = PickleBytes.zip(dir.resolve("evil.pth"), pickle, "0", "16");

        AuditCli.Result result = AuditCli.run(file.toString(), "--format", "sarif");

        assertThat(result.exitCode()).isEqualTo(4);
        JsonNode sarif = validSarif(result.out());
        AuditReport report = new Auditor().audit(file, false, false);
        JsonNode results = sarif.at("/runs/0/results");
        assertThat(results).hasSize(report.findings().size());
        List<String> errors = new ArrayList<>();
        results.forEach(r -> {
            if (r.get("level").asText().equals("error")) {
                errors.add(r.at("/properties/global").asText());
            }
        });
        assertThat(errors).containsExactly("os.system");
        assertThat(results.get(0).at("/locations/0/physicalLocation/artifactLocation/uri").asText()).endsWith("evil.pth");
        assertThat(results.get(0).get("ruleId").asText()).isEqualTo("pickle-global-dangerous");
    }

    @Test
    void aPyTorchStateDictGivesOnlyNotes() throws IOException {
        Path file = Fixtures.file("resnet18.pth");

        AuditCli.Result result = AuditCli.run(file.toString(), "--format", "sarif", "--no-summary");

        assertThat(result.exitCode()).isZero();
        JsonNode results = validSarif(result.out()).at("/runs/0/results");
        assertThat(results).isNotEmpty();
        results.forEach(r -> assertThat(r.get("level").asText()).isEqualTo("note"));
        assertThat(results).hasSize(new Auditor().audit(file, false, false).findings().size());
    }

    @Test
    void theSchemaRejectsWhatIsNotSarif() throws IOException {
        // The validator is not vacuous: a result without its required message fails.
        JsonNode broken = JSON.readTree("{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"tally\"}},"
                + "\"results\":[{\"ruleId\":\"x\"}]}]}");
        assertThat(schema().validate(broken)).isNotEmpty();
    }
}
