package dev.tally.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** {@link JsonText} writes exactly what an ObjectMapper writes for the same tree and printer. */
class JsonTextTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A tree with every kind of node a report can hold, nested, empty and escaped. */
    private static ObjectNode everyKind() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("int", 7).put("negative", -3).put("long", 61_100_840_000L).put("max", Long.MAX_VALUE)
                .put("big", new BigInteger("123456789012345678901234567890"))
                .put("double", 0.1).put("tiny", 1e-300).put("float", 0.1f)
                .put("decimal", new BigDecimal("1.50")).put("true", true).put("false", false)
                .put("text", "café \"quoted\" back\\slash\ttab\nline \u0001 \u2028 ✓").putNull("null");
        root.putArray("shape").add(1).add(64).add(56).add(56);
        root.putArray("empty");
        root.putObject("nothing");
        ObjectNode layer = root.putArray("layers").addObject();
        layer.put("name", "features.0").putArray("outputShape").addNull();
        layer.putObject("deeper").putArray("rows").addArray().add("a").add(2);
        return root;
    }

    @Test
    void theSameTextAsAnObjectMapperUnderTheSummaryPrinter() throws Exception {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(DefaultPrettyPrinter.FixedSpaceIndenter.instance);

        String text = JsonText.write(everyKind(), printer);

        assertThat(text).isEqualTo(MAPPER.writer(printer).writeValueAsString(everyKind()));
        assertThat(text).contains("\"shape\": [ 1, 64, 56, 56 ]", "\"max\": 9223372036854775807");
        // The printer is copied, not used up: a second report reads the same.
        assertThat(JsonText.write(everyKind(), printer)).isEqualTo(text);
    }

    @Test
    void theSameTextAsAnObjectMapperUnderTheBatchPrinter() throws Exception {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));

        assertThat(JsonText.write(everyKind(), printer)).isEqualTo(MAPPER.writer(printer).writeValueAsString(everyKind()));
    }

    @Test
    void aNodeNoReportHoldsIsRefused() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("bytes", new byte[] {1, 2});

        assertThatThrownBy(() -> JsonText.write(root, new DefaultPrettyPrinter()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BINARY");
    }
}
