package dev.tally.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pickles that would run code when Python loads them are flagged with their severity and the right exit code,
 * what could be read safely is still listed, and nothing runs: each payload would create a file, and the
 * tests check that the file does not exist afterwards.
 */
class MaliciousPickleTest {
    @TempDir
    Path dir;

    /** {'weight': tensor[2, 2], 'payload': os.system('touch <marker>')}: a state_dict with a passenger. */
    private Path stateDictCalling(String module, String name, String argument) {
        byte[] pickle = new PickleBytes().emptyDict()
                .string("weight").tensor("0", 2, 2).setItem()
                .string("payload").global(module, name).string(argument).tuple1().reduce().setItem()
                .stop();
        return PickleBytes.zip(dir.resolve(name + ".pth"), pickle, "0", "16");
    }

    @Test
    void anOsSystemCallIsDangerousExitsFourAndIsNeverRun() {
        Path marker = dir.resolve("pwned-by-os-system");
        Path file = stateDictCalling("os", "system", "touch " + marker);

        AuditCli.Result result = AuditCli.run(file.toString());

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(marker).doesNotExist();
        assertThat(result.out()).contains("dangerous").contains("os.system").contains("weight");
        assertThat(result.err()).contains("os.system").endsWith(".\n");
        AuditReport report = new Auditor().audit(file, false, false);
        assertThat(severities(report)).containsEntry("os.system", Severity.DANGEROUS)
                .containsEntry("torch._utils._rebuild_tensor_v2", Severity.SAFE);
        assertThat(report.inventory().tensors()).extracting(Inventory.TensorEntry::name).containsExactly("weight");
        assertThat(report.inventory().others()).extracting(OtherEntry::name).containsExactly("payload");
    }

    @Test
    void aBuiltinsEvalCallIsDangerousAndNeverRun() {
        Path marker = dir.resolve("pwned-by-eval");
        Path file = stateDictCalling("builtins", "eval", "__import__('os').system('touch " + marker + "')");

        AuditCli.Result result = AuditCli.run(file.toString(), "--format", "json");

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(marker).doesNotExist();
        assertThat(result.out()).contains("\"global\" : \"builtins.eval\"").contains("\"severity\" : \"dangerous\"");
    }

    @Test
    void anUnsafeGlobalReferencedThreeTimesIsOneFinding() {
        // As a whole pickled module does: one GLOBAL opcode per instance of a class.
        byte[] pickle = new PickleBytes().emptyDict()
                .string("weight").tensor("0", 2, 2).setItem()
                .string("a").global("mypackage.layers", "Block").string("x").tuple1().reduce().setItem()
                .string("b").global("mypackage.layers", "Block").string("y").tuple1().reduce().setItem()
                .string("c").global("mypackage.layers", "Block").string("z").tuple1().reduce().setItem()
                .stop();
        Path file = PickleBytes.zip(dir.resolve("blocks.pth"), pickle, "0", "16");

        AuditReport report = new Auditor().audit(file, false, false);

        assertThat(report.findings()).filteredOn(f -> f.global().qualifiedName().equals("mypackage.layers.Block")).hasSize(1);
        // Two distinct unsafe globals with the same reason: the reason is printed once.
        byte[] two = new PickleBytes().emptyDict()
                .string("a").global("mypackage.layers", "Block").string("x").tuple1().reduce().setItem()
                .string("b").global("mypackage.layers", "Head").string("y").tuple1().reduce().setItem()
                .stop();
        String out = AuditCli.run(PickleBytes.zip(dir.resolve("two.pth"), two).toString()).out();
        assertThat(out.lines().filter(l -> l.contains("outside the allow-list: torch.load"))).hasSize(1);
        assertThat(out).containsPattern("dangerous +mypackage.layers.Head +.*\\(same\\)");
        assertThat(AuditCli.run(file.toString()).out().lines().filter(l -> l.contains("outside the allow-list: torch.load"))).hasSize(1);
    }

    @Test
    void anUnknownGlobalIsOutsideTheAllowListSoUnsafeAndExitsFour() {
        Path file = stateDictCalling("mypackage.helpers", "make_thing", "argument");

        AuditCli.Result result = AuditCli.run(file.toString());

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(severities(new Auditor().audit(file, false, false)))
                .containsEntry("mypackage.helpers.make_thing", Severity.DANGEROUS);
        assertThat(result.out()).contains("Safety: dangerous").contains("mypackage.helpers.make_thing").contains("other import");
    }

    @Test
    void aBarePickleCallingPosixSystemIsDangerousToo() throws Exception {
        Path marker = dir.resolve("pwned-by-posix");
        byte[] pickle = new PickleBytes().global("posix", "system").string("touch " + marker).tuple1().reduce().stop();
        Path file = Files.write(dir.resolve("bare.pkl"), pickle);

        AuditCli.Result result = AuditCli.run(file.toString());

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(marker).doesNotExist();
        assertThat(result.out()).contains("posix.system");
    }

    @Test
    void aCleanStateDictReferencesOnlySafeGlobals() {
        byte[] pickle = new PickleBytes().global("collections", "OrderedDict").emptyTuple().reduce()
                .string("fc.weight").tensor("0", 3, 4).setItem().stop();
        Path file = PickleBytes.zip(dir.resolve("clean.pth"), pickle, "0", "48");

        AuditReport report = new Auditor().audit(file, false, false);

        assertThat(report.worst()).isEqualTo(Severity.SAFE);
        assertThat(report.exitCode()).isZero();
        assertThat(report.inventory().tensors()).singleElement()
                .satisfies(t -> assertThat(t.shape()).containsExactly(3L, 4L))
                .satisfies(t -> assertThat(t.bytes()).isEqualTo(48));
    }

    private static Map<String, Severity> severities(AuditReport report) {
        return report.findings().stream().collect(Collectors.toMap(f -> f.global().qualifiedName(), Finding::severity));
    }
}
