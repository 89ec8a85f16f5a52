package dev.tally.audit;

import dev.tally.load.checkpoint.ArchitectureMatch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.report.SummaryBuilder;
import dev.tally.report.Totals;
import dev.tally.testing.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * State_dicts that are not exactly a catalog architecture, made by real PyTorch: a fine-tuned head, a training
 * checkpoint in the legacy format, DataParallel keys, and a state_dict with a key removed and one added.
 */
class ChangedHeadTest {
    /** torchvision's resnet18: 11,689,512 params, of which the 1000-class head has 512 * 1000 + 1000. */
    private static final long RESNET18_PARAMS = 11_689_512L;

    @Test
    void aTenClassHeadIsAClosMatchNamingTheDifferingShapesAndIsCountedAsItIs() {
        AuditReport report = new Auditor().audit(PythonCheckpoints.file("resnet18_head10.pth"), false, true);

        assertThat(report.match().kind()).isEqualTo(ArchitectureMatch.Kind.CLOSE);
        ArchitectureMatch.Candidate best = report.match().candidates().get(0);
        assertThat(best.entry().name()).isEqualTo("resnet18");
        assertThat(best.missing()).isEmpty();
        assertThat(best.unexpected()).isEmpty();
        assertThat(best.shapeDifferences()).containsExactly(
                new ArchitectureMatch.ShapeDifference("fc.weight", java.util.List.of(10L, 512L), java.util.List.of(1000L, 512L)),
                new ArchitectureMatch.ShapeDifference("fc.bias", java.util.List.of(10L), java.util.List.of(1000L)));
        long params = RESNET18_PARAMS - (512 * 1000 + 1000) + (512 * 10 + 10);
        assertThat(report.inventory().params()).isEqualTo(params);

        assertThat(report.summary()).as(report.summaryNote()).isPresent();
        Totals totals = SummaryBuilder.build(report.summary().get()).check().totals();
        assertThat(totals.params()).isEqualTo(params);
        // PyTorch's MACs for resnet18 at 1x3x224x224, less the head's 512 x 990 multiply-accumulates.
        assertThat(totals.macs()).isEqualTo(Fixtures.expected("resnet18").macs() - 512L * 990);

        String text = AuditCli.run(PythonCheckpoints.file("resnet18_head10.pth").toString()).out();
        assertThat(text).contains("fc.weight [10, 512] instead of [1000, 512]");
    }

    @Test
    void aLegacyTrainingCheckpointSaysWhatElseItHolds() {
        AuditReport report = new Auditor().audit(PythonCheckpoints.file("resnet18_training_legacy.pth"), false, false);

        assertThat(report.format()).isEqualTo("legacy");
        assertThat(report.inventory().location()).isEqualTo("model");
        assertThat(report.match().candidates().get(0).entry().name()).isEqualTo("resnet18");
        assertThat(report.inventory().others()).extracting(OtherEntry::name).containsExactly("optimizer", "epoch");
        assertThat(report.inventory().others().get(1).description()).isEqualTo("7");
        // SGD with momentum keeps one buffer per parameter tensor: resnet18 has 62.
        assertThat(report.inventory().others().get(0).description()).contains("62 tensors");
        assertThat(report.worst()).isEqualTo(Severity.SAFE);
    }

    @Test
    void dataParallelKeysAreMatchedWithoutTheirPrefix() {
        AuditReport report = new Auditor().audit(PythonCheckpoints.file("resnet18_dataparallel.pth"), false, false);

        assertThat(report.match().keyPrefix()).isEqualTo("module.");
        assertThat(report.match().candidates().get(0).entry().name()).isEqualTo("resnet18");
        assertThat(report.notes()).anyMatch(n -> n.contains("'module.'"));
    }

    @Test
    void missingAndUnexpectedKeysAreNamed() {
        AuditReport report = new Auditor().audit(PythonCheckpoints.file("resnet18_edited.pth"), false, true);

        ArchitectureMatch.Candidate best = report.match().candidates().get(0);
        assertThat(report.match().kind()).isEqualTo(ArchitectureMatch.Kind.CLOSE);
        assertThat(best.entry().name()).isEqualTo("resnet18");
        assertThat(best.missing()).containsExactly("fc.bias");
        assertThat(best.unexpected()).containsExactly("extra.weight");
        assertThat(report.summary()).isEmpty();
        assertThat(AuditCli.run(PythonCheckpoints.file("resnet18_edited.pth").toString()).out())
                .contains("missing (1): fc.bias").contains("unexpected (1): extra.weight");
    }

    @Test
    void aWholePickledModuleIsReadAsItsStateDictAndRatedUnsafeAsAPickledModule() {
        AuditReport report = new Auditor().audit(PythonCheckpoints.file("whole_module.pth"), false, false);

        assertThat(report.worst()).isEqualTo(Severity.DANGEROUS);
        assertThat(report.exitCode()).isEqualTo(4);
        assertThat(report.findings()).anySatisfy(f -> assertThat(f.label()).isEqualTo("pickled module of a known library"));
        assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("Loading a pickled model safely"));
        assertThat(report.inventory().tensors()).extracting(Inventory.TensorEntry::name).containsExactly("0.weight", "0.bias");
        assertThat(report.inventory().params()).isEqualTo(4 * 3 + 3);
    }
}
