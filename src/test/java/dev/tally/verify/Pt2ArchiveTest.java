package dev.tally.verify;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.report.Summary;
import dev.tally.report.SummaryBuilder;
import dev.tally.report.Totals;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every TorchScript fixture (traced and scripted, written by PyTorch 1.13) re-saved by libtorch 2.7.1 gives
 * exactly the figures of its 1.13 original, layer by layer, and PyTorch's own params and MACs
 * (docs/pytorch2-archives.md). By default the files under 200 MB (26 of the 38); -Dtally.pt2.all=true for all.
 */
class Pt2ArchiveTest {
    @TempDir
    static Path dir;

    /**
     * Files above this size (the AlexNet, VGG and worksheet archives, 240-575 MB each: plain conv and linear
     * stacks that LeNet-5 and the others already cover) take minutes each to re-save and count on a shared
     * 2-core machine; {@code -Dtally.pt2.all=true} includes them.
     */
    private static final long DEFAULT_MAX_BYTES = 200_000_000L;

    static Stream<Arguments> torchScriptFixtures() {
        boolean all = Boolean.getBoolean("tally.pt2.all");
        return Fixtures.models().stream()
                .flatMap(m -> Stream.of("traced", "scripted").map(form -> Arguments.of(m, form)))
                .filter(a -> {
                    Path file = Fixtures.expected((String) a.get()[0]).file((String) a.get()[1]);
                    return file != null && (all || size(file) < DEFAULT_MAX_BYTES);
                });
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("torchScriptFixtures")
    void theLibtorch27ArchiveGivesTheFiguresOfThe113Original(String model, String form) throws IOException {
        Fixtures.Expected expected = Fixtures.expected(model);
        Path original = expected.file(form);
        Engine engine = new EngineCache(EngineCache.resolve(null), System.err::println).pytorch();
        Path resaved = Pt2Archives.resave(engine, original, dir.resolve(model + "." + form + ".pt"));
        try {
            Summary before = SummaryBuilder.build(Engines.analyze(original, expected, new Analyzer())).check();
            Analysis analysis = Engines.analyze(resaved, expected, new Analyzer());
            Summary after = SummaryBuilder.build(analysis).check();

            Totals totals = after.totals();
            assertThat(totals).isEqualTo(before.totals());
            assertThat(totals.params()).isEqualTo(expected.params());
            assertThat(totals.macs()).isEqualTo(expected.macs());
            assertThat(after.layers()).isEqualTo(before.layers());
            assertThat(after.unsupported()).isEqualTo(before.unsupported());
        } finally {
            Files.deleteIfExists(resaved);
        }
    }
}
