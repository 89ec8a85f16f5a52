package dev.tally.report.explain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Convention;
import dev.tally.analysis.Derivation;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.NodeResult;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.load.ModelLoader;
import dev.tally.testing.Fixtures;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every printed derivation of every layer of every fixture model (ONNX, traced and scripted TorchScript), under each
 * convention: the numbers side of each line, re-evaluated by the test's own {@link Arithmetic}, equals the value
 * printed, and the values equal the figures the passes computed (params, the count, activation bytes), which the
 * fixture tests check against PyTorch. An op without a derivation says so in one line.
 */
class ExplainEveryFixtureTest {
    @TestFactory
    Stream<DynamicTest> everyDerivationOfEveryFixtureAddsUp() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : Fixtures.models()) {
            Fixtures.Expected expected = Fixtures.expected(name);
            for (String form : List.of("onnx", "traced", "scripted")) {
                Path file = expected.file(form);
                if (file != null) {
                    tests.add(DynamicTest.dynamicTest(name + " " + form, () -> check(expected, file)));
                }
            }
        }
        assertThat(tests).as("fixture files").hasSizeGreaterThan(25);
        return tests.stream();
    }

    private static void check(Fixtures.Expected expected, Path file) {
        Map<String, Shape> shapes = Map.of(InputShapes.UNNAMED, new Shape(expected.inputShape()));
        Analyzer analyzer = new Analyzer();
        Analysis analysis = analyzer.analyze(ModelLoader.load(file, shapes), shapes, false);
        Explainer explainer = new Explainer(analyzer.rules());
        Set<String> missing = new TreeSet<>();
        int lines = 0;
        List<java.util.Optional<dev.tally.analysis.ReceptiveField>> fields = dev.tally.analysis.ReceptiveFieldPass.run(analysis);
        for (Convention convention : Convention.values()) {
            Explanation explanation = explainer.explain(analysis, List.of(), convention, true);
            List<NodeResult> nodes = analysis.nodes();
            assertThat(explanation.steps()).hasSameSizeAs(nodes);
            for (int i = 0; i < nodes.size(); i++) {
                NodeResult node = nodes.get(i);
                Derivation derivation = explanation.steps().get(i).derivation();
                String printed = ExplainFormat.text(derivation, "  ");
                String where = file.getFileName() + " " + node.node().describe() + " " + convention.displayName();
                if (!derivation.isPresent()) {
                    assertThat(printed.strip()).as(where).doesNotContain("\n").startsWith("No derivation for op '")
                            .doesNotContain("disagrees");
                    missing.add(node.node().opType());
                    continue;
                }
                lines += reevaluate(printed, where);
                // --receptive-field: a node with a field has its lines (re-evaluated above with the rest).
                assertThat(derivation.line(Derivation.Quantity.RECEPTIVE_FIELD).isPresent()).as(where + " receptive field")
                        .isEqualTo(fields.get(i).isPresent());
                assertThat(value(derivation, Derivation.Quantity.PARAMS, "params")).as(where + " params").isEqualTo(params(node, Role.PARAM));
                Derivation.Quantity count = switch (convention) {
                    case MACS -> Derivation.Quantity.MACS;
                    case FLOPS -> Derivation.Quantity.FLOPS;
                    case OPS -> Derivation.Quantity.OPS;
                };
                assertThat(value(derivation, count, convention.displayName())).as(where).isEqualTo(convention.of(node.cost()));
                long memory = derivation.line(Derivation.Quantity.MEMORY).map(Derivation.Line::value).orElse(0L);
                assertThat(memory).as(where + " activation").isEqualTo(node.activationBytes());
            }
            lines += reevaluate(ExplainFormat.text(explanation.totals(), "  "), file + " totals");
            long params = nodes.stream().mapToLong(n -> params(n, Role.PARAM)).sum()
                    + analysis.unusedParams().stream().filter(p -> p.role() == Role.PARAM).mapToLong(Param::numel).sum();
            assertThat(value(explanation.totals(), Derivation.Quantity.PARAMS, "params")).as(file + " total params").isEqualTo(params);
        }
        // Every rule with a count derives it, so no counted node of a fixture lacks a derivation.
        assertThat(missing).as(file + ": ops without a derivation").isEmpty();
        assertThat(lines).as(file + ": lines re-evaluated").isPositive();
    }

    /** Re-evaluates each printed line's numbers; returns how many lines were checked. */
    static int reevaluate(String printed, String where) {
        int checked = 0;
        for (String raw : printed.split("\n")) {
            String line = raw.strip();
            int note = line.indexOf("   (");
            if (note >= 0) {
                line = line.substring(0, note);
            }
            if (line.endsWith(" B")) {
                line = line.substring(0, line.length() - 2);
            }
            String[] parts = line.split(" = ");
            assertThat(parts.length).as(where + ": '" + raw + "'").isGreaterThanOrEqualTo(2);
            BigInteger value = Arithmetic.evaluate(parts[parts.length - 1]);
            for (int p = 1; p < parts.length - 1; p++) {
                if (symbolic(parts[p])) {
                    continue;
                }
                assertThat(Arithmetic.evaluate(parts[p])).as(where + ": '" + raw + "'").isEqualTo(value);
            }
            if (parts.length > 2 && symbolic(parts[parts.length - 2])) {
                // The numbers were left out because they read the same as the value: a single symbol.
                assertThat(parts[parts.length - 2]).as(where + ": '" + raw + "'").matches("[A-Za-z_/]+|numel\\([^)]*\\)");
            }
            checked++;
        }
        return checked;
    }

    /** Whether a part is written in symbols (letters other than floor and ceil). */
    private static boolean symbolic(String part) {
        return part.replace("floor(", "").replace("ceil(", "").replace(" x ", " ").chars().anyMatch(Character::isLetter);
    }

    private static long value(Derivation derivation, Derivation.Quantity quantity, String label) {
        return derivation.line(quantity, label).orElseThrow(() -> new AssertionError("no " + label + " line in " + derivation)).value();
    }

    private static long params(NodeResult node, Role role) {
        return node.params().stream().filter(p -> p.role() == role).mapToLong(Param::numel).sum();
    }
}
