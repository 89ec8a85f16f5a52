package dev.tally.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Bad --where expressions and unknown sort keys: exit 2 and one sentence that points at the culprit. */
class CatalogUsageTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString().strip());
    }

    @Test
    void aBadWhereExpressionIsRefusedWithTheWrongTokenNamed() {
        Run unknownColumn = run("catalog", "--where", "acc1>=75 and macz<=2G");
        assertThat(unknownColumn.code()).isEqualTo(2);
        assertThat(unknownColumn.err()).startsWith("Bad --where expression \"acc1>=75 and macz<=2G\" at 'macz' (character 14): expected a column")
                .doesNotContain("\n").doesNotContain("Exception");

        Run missingOperator = run("catalog", "--where", "acc1 75");
        assertThat(missingOperator.code()).isEqualTo(2);
        assertThat(missingOperator.err()).isEqualTo("Bad --where expression \"acc1 75\" at '75' (character 6): expected an operator (>=, <=, >, <, =, !=) after 'acc1'.");

        Run badUnit = run("catalog", "--where", "macs<=2Q");
        assertThat(badUnit.code()).isEqualTo(2);
        assertThat(badUnit.err()).isEqualTo("Bad --where expression \"macs<=2Q\" at '2Q' (character 7): expected a count such as 2G or 25M for 'macs'.");

        Run dangling = run("catalog", "--where", "acc1>=75 and");
        assertThat(dangling.code()).isEqualTo(2);
        assertThat(dangling.err()).isEqualTo("Bad --where expression \"acc1>=75 and\": it ends too early; expected a column such as acc1 or macs.");

        Run trailing = run("catalog", "--where", "acc1>=75 macs<=2G");
        assertThat(trailing.code()).isEqualTo(2);
        assertThat(trailing.err()).isEqualTo("Bad --where expression \"acc1>=75 macs<=2G\" at 'macs' (character 10): expected 'and', 'or' or the end.");

        Run textOrder = run("catalog", "--where", "family>resnet");
        assertThat(textOrder.code()).isEqualTo(2);
        assertThat(textOrder.err()).contains("at '>' (character 7): text column 'family' takes = or != only.");
    }

    @Test
    void anUnknownSortKeyListsTheValidOnes() {
        Run result = run("catalog", "--sort", "accuracy1");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).startsWith("Unknown sort key 'accuracy1'. Use one of: macs, flops, params, size, memory, fitBatch, accuracy, acc1, acc5,")
                .contains("miou", "box_map", "family").endsWith(".");
    }

    @Test
    void anUnknownTaskListsTheValidOnes() {
        Run result = run("catalog", "--task", "segmentaton");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("Unknown task 'segmentaton'. Use one of: classification, quantization, segmentation, detection, video, optical_flow, all.");
    }
}
