package dev.tally.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.load.pytorch.AllowList;
import dev.tally.load.pytorch.PyGlobal;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hostile corpus of {@code scripts/export_hostile.py}: files whose payloads really run under PyTorch's own
 * {@code torch.load} (proven there, in a child process that creates a marker file) and files torch.load reads
 * that only Tally's rule catches. Every one must be rated exit 4, and Tally must never create the marker.
 */
class HostileCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode manifest() throws IOException {
        Path file = Fixtures.dir().resolve("hostile/manifest.json");
        assertThat(file).as("the hostile corpus; make it with /usr/bin/python3 scripts/export_hostile.py --out FIXTURES").exists();
        return JSON.readTree(file.toFile());
    }

    @Test
    void everyHostileFileIsRatedExitFourAndNoPayloadRuns() throws IOException {
        JsonNode manifest = manifest();
        Path marker = Path.of("").toAbsolutePath().resolve(manifest.get("marker").asText());
        Files.deleteIfExists(marker);
        int files = 0;
        int live = 0;
        int ratedFour = 0;
        List<String> wrong = new ArrayList<>();
        for (JsonNode entry : manifest.get("files")) {
            Path file = Fixtures.dir().resolve("hostile").resolve(entry.get("file").asText());
            files++;
            live += entry.get("live").asBoolean() ? 1 : 0;
            AuditCli.Result result = AuditCli.run(file.toString(), "--no-summary");
            if (result.exitCode() == 4) {
                ratedFour++;
            } else {
                wrong.add(entry.get("file").asText() + " (" + entry.get("kind").asText() + "): exit " + result.exitCode() + ", " + result.err().strip());
            }
            assertThat(result.err()).as(entry.get("file").asText()).doesNotContain("\tat ").doesNotContain("internal error");
            if (entry.has("maliciousCopy")) {
                // Tally names the copy torch.load reads; torch.load ran the payload exactly when that copy is the malicious one.
                Matcher copy = Pattern.compile("torch\\.load reads copy (\\d+)").matcher(result.out());
                assertThat(copy.find()).as(entry.get("file").asText() + " names the copy torch.load reads").isTrue();
                assertThat(Integer.parseInt(copy.group(1)) == entry.get("maliciousCopy").asInt())
                        .as(entry.get("file").asText() + ": Tally's copy against what torch.load ran").isEqualTo(entry.get("live").asBoolean());
            }
        }
        System.out.println("Hostile corpus: " + files + " files, " + live + " payloads proven live under torch.load, "
                + ratedFour + " files rated exit 4 by tally audit.");
        assertThat(wrong).as("files not rated exit 4").isEmpty();
        assertThat(marker).as("a payload ran inside Tally").doesNotExist();
        assertThat(live).as("payloads proven live").isGreaterThanOrEqualTo(30);
    }

    @Test
    void findingsMetBeforeDamageSurviveIt() throws IOException {
        for (String name : List.of("damage_truncated_after_payload", "damage_bad_opcode_after_payload", "damage_missing_storage_after_payload")) {
            AuditReport report = new Auditor().audit(Fixtures.dir().resolve("hostile/" + name + ".pth"), false, false);
            assertThat(report.exitCode()).as(name).isEqualTo(4);
            assertThat(report.findings()).as(name).anySatisfy(f -> {
                assertThat(f.global().qualifiedName()).isEqualTo("os.system");
                // \x80\x04, MARK, then two BINUNICODE strings of 7 and 11 bytes: STACK_GLOBAL is the 22nd byte.
                assertThat(f.opcode()).isEqualTo("STACK_GLOBAL");
                assertThat(f.where()).isEqualTo("byte 21 of 'archive/data.pkl'");
                assertThat(f.label()).isEqualTo("shell");
            });
            assertThat(report.notes().get(0)).as(name).startsWith("The scan ended at damage: ");
        }
    }

    @Test
    void theDottedNameIsReportedResolved() throws IOException {
        AuditReport report = new Auditor().audit(Fixtures.dir().resolve("hostile/dotted_posixpath_os_system.pth"), false, false);
        assertThat(report.findings()).anySatisfy(f -> {
            assertThat(f.global().qualifiedName()).isEqualTo("posixpath.os.system");
            assertThat(f.resolved()).isEqualTo("os.system");
            assertThat(f.label()).isEqualTo("shell");
        });
    }

    @Test
    void theAllowListHoldsEveryGlobalOfPyTorchsOwnWeightsOnlyList() throws IOException {
        List<String> missing = new ArrayList<>();
        for (JsonNode name : manifest().get("weightsOnlyAllowList")) {
            String full = name.asText();
            int dot = full.lastIndexOf('.');
            if (!AllowList.allows(new PyGlobal(full.substring(0, dot), full.substring(dot + 1)), false)) {
                missing.add(full);
            }
        }
        assertThat(missing).isEmpty();
    }
}
