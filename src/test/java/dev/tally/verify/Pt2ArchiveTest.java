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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every TorchScript fixture (traced and scripted, written by PyTorch 1.13) re-saved by libtorch 2.7.1 gives
 * exactly the figures of its 1.13 original, layer by layer, and PyTorch's own params and MACs
 * (docs/pytorch2-archives.md). All 38 files, the 240-575 MB AlexNet, VGG and worksheet archives too: the copies
 * are written once into the fixture cache ({@code <fixtures>/pt2/}, {@link Pt2Archives#cached}) and reused.
 */
class Pt2ArchiveTest {
    static Stream<Arguments> torchScriptFixtures() {
        return Fixtures.models().stream()
                .flatMap(m -> Stream.of("traced", "scripted").map(form -> Arguments.of(m, form)))
                .filter(a -> Fixtures.expected((String) a.get()[0]).file((String) a.get()[1]) != null);
    }

    /**
     * The copies not yet in the cache are made first, two at a time, largest first: libtorch's writer copies its
     * growing buffer again and again, so the time grows with the square of the size (a 100 MB archive 4 s, a 244 MB
     * one 19 s, a 553 MB VGG 88 s, on one core each), and a cold run made the eight VGG copies one after another.
     */
    @BeforeAll
    static void makeTheCopiesTwoAtATime() throws Exception {
        List<Path> originals = new ArrayList<>(torchScriptFixtures()
                .map(a -> Fixtures.expected((String) a.get()[0]).file((String) a.get()[1])).toList());
        originals.sort(Comparator.comparingLong((Path p) -> p.toFile().length()).reversed());
        Engine engine = new EngineCache(EngineCache.resolve(null), System.err::println).pytorch();
        Path cache = Fixtures.dir().resolve("pt2");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Path>> copies = new ArrayList<>();
            for (Path original : originals) {
                copies.add(pool.submit(() -> Pt2Archives.cached(engine, original, cache)));
            }
            for (Future<Path> copy : copies) {
                try {
                    copy.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everyModelHasBothTorchScriptForms() {
        // The 38 files of the fixture list (19 models, traced and scripted): none drops out of the test unseen.
        assertThat(torchScriptFixtures().count()).isEqualTo(38);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("torchScriptFixtures")
    void theLibtorch27ArchiveGivesTheFiguresOfThe113Original(String model, String form) throws IOException {
        Fixtures.Expected expected = Fixtures.expected(model);
        Path original = expected.file(form);
        Engine engine = new EngineCache(EngineCache.resolve(null), System.err::println).pytorch();
        Path resaved = Pt2Archives.cached(engine, original, Fixtures.dir().resolve("pt2"));
        assertThat(resaved).isNotEqualTo(original);
        Summary before = SummaryBuilder.build(Engines.analyze(original, expected, new Analyzer())).check();
        Analysis analysis = Engines.analyze(resaved, expected, new Analyzer());
        Summary after = SummaryBuilder.build(analysis).check();

        Totals totals = after.totals();
        assertThat(totals).isEqualTo(before.totals());
        assertThat(totals.params()).isEqualTo(expected.params());
        assertThat(totals.macs()).isEqualTo(expected.macs());
        assertThat(after.layers()).isEqualTo(before.layers());
        assertThat(after.unsupported()).isEqualTo(before.unsupported());
    }
}
