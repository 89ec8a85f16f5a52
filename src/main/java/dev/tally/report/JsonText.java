package dev.tally.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a JSON tree as text through jackson-core's generator alone, the same bytes an ObjectMapper writes for it
 * ({@code JsonTextTest} compares the two). Why not the ObjectMapper: a summary's whole run lasts a few hundred
 * milliseconds, and the first ObjectMapper of a process costs about 50 ms of it (its class initialisation builds
 * date formats, type factories and an annotation introspector that a tree of numbers and strings never uses).
 */
public final class JsonText {
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonText() {
    }

    /** {@code tree} laid out by {@code printer} (a fresh copy of it: the printer keeps the nesting as it writes). */
    public static String write(JsonNode tree, DefaultPrettyPrinter printer) {
        StringWriter text = new StringWriter();
        try (JsonGenerator generator = FACTORY.createGenerator(text)) {
            generator.setPrettyPrinter(printer.createInstance());
            write(generator, tree);
        } catch (IOException e) {
            throw new UncheckedIOException("Writing JSON into memory failed.", e);
        }
        return text.toString();
    }

    /** One node, as the node's own {@code serialize} writes it under an ObjectMapper's default features. */
    private static void write(JsonGenerator generator, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                generator.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    generator.writeFieldName(field.getKey());
                    write(generator, field.getValue());
                }
                generator.writeEndObject();
            }
            case ARRAY -> {
                generator.writeStartArray();
                for (JsonNode element : node) {
                    write(generator, element);
                }
                generator.writeEndArray();
            }
            case STRING -> generator.writeString(node.textValue());
            case BOOLEAN -> generator.writeBoolean(node.booleanValue());
            case NULL -> generator.writeNull();
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> generator.writeNumber(node.intValue());
                    case LONG -> generator.writeNumber(node.longValue());
                    case BIG_INTEGER -> generator.writeNumber(node.bigIntegerValue());
                    case FLOAT -> generator.writeNumber(node.floatValue());
                    case DOUBLE -> generator.writeNumber(node.doubleValue());
                    case BIG_DECIMAL -> generator.writeNumber(node.decimalValue());
                }
            }
            default -> throw new IllegalArgumentException("A report tree holds numbers, strings, booleans and nulls, not "
                    + node.getNodeType() + ".");
        }
    }
}
