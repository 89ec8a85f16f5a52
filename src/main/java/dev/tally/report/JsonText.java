package dev.tally.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
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

    /**
     * {@code tree} laid out by {@code printer} into {@code out}, as {@link #write(JsonNode, DefaultPrettyPrinter)} would
     * return it, except that the elements of the array {@code placeholder} (the very node, found by identity; it is
     * empty in the tree) are written by {@code elements}: a report's million layer rows are made and written one at a
     * time, never held as a tree. {@code out} is flushed, not closed.
     */
    public static void write(Appendable out, JsonNode tree, DefaultPrettyPrinter printer, JsonNode placeholder,
                             Elements elements) throws IOException {
        // A Writer (stdout, --out) takes the generator's chars as they are; through Appendable each buffer became a
        // String and then chars again, a fifth of the JSON report's time on issue 14's million-node chain (276 MB).
        Writer writer = out instanceof Writer direct ? (out instanceof EncodedOutput ? new EncodedFilter(direct)
                : new NotClosing(direct)) : new Writer() {
            @Override
            public void write(char[] chars, int offset, int length) throws IOException {
                out.append(java.nio.CharBuffer.wrap(chars, offset, length));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        try (JsonGenerator generator = FACTORY.createGenerator(writer)) {
            generator.setPrettyPrinter(printer.createInstance());
            write(generator, tree, placeholder, elements);
        }
    }

    /** The generator's Writer over the caller's: closing the generator flushes it but leaves it open. */
    private static class NotClosing extends FilterWriter {
        NotClosing(Writer out) {
            super(out);
        }

        @Override
        public void close() {
        }
    }

    /** The generator's Writer over an output that takes encoded text too, which the rows' pieces are given as. */
    private static final class EncodedFilter extends NotClosing implements EncodedOutput {
        EncodedFilter(Writer out) {
            super(out);
        }

        @Override
        public java.nio.charset.Charset charset() {
            return ((EncodedOutput) out).charset();
        }

        @Override
        public void appendEncoded(byte[] bytes) throws IOException {
            ((EncodedOutput) out).appendEncoded(bytes);
        }
    }

    /** Writes an array's elements, one {@link #element} call each. */
    public interface Elements {
        void writeTo(JsonGenerator generator) throws IOException;
    }

    /** One node (an element of a streamed array), as {@link #write(JsonNode, DefaultPrettyPrinter)} writes it. */
    public static void element(JsonGenerator generator, JsonNode node) throws IOException {
        write(generator, node);
    }

    /** One node, as the node's own {@code serialize} writes it under an ObjectMapper's default features. */
    private static void write(JsonGenerator generator, JsonNode node) throws IOException {
        write(generator, node, null, null);
    }

    private static void write(JsonGenerator generator, JsonNode node, JsonNode placeholder, Elements elements)
            throws IOException {
        if (node == placeholder) {
            generator.writeStartArray();
            elements.writeTo(generator);
            generator.writeEndArray();
            return;
        }
        switch (node.getNodeType()) {
            case OBJECT -> {
                generator.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    generator.writeFieldName(field.getKey());
                    write(generator, field.getValue(), placeholder, elements);
                }
                generator.writeEndObject();
            }
            case ARRAY -> {
                generator.writeStartArray();
                for (JsonNode element : node) {
                    write(generator, element, placeholder, elements);
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
