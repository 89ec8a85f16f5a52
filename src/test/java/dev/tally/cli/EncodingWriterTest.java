package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Tally's standard output encodes long strings at once ({@link EncodingWriter}); the bytes must be what the JDK's own
 * {@code PrintWriter(BufferedWriter(OutputStreamWriter))} writes for the same calls, in UTF-8, ISO-8859-1 and US-ASCII
 * (unmappable characters replaced), with surrogate pairs split between writes, lone surrogates, and writes short and
 * long, of strings, char arrays and single chars, in random order.
 */
class EncodingWriterTest {
    @Test
    void theBytesAreTheJdkWritersBytes() throws Exception {
        String pair = "\ud83d\ude00";
        List<String> texts = List.of("plain", "caf\u00e9 \u5c42", pair, "\ud83d", "\ude00", "lone \ud800 high", "lone \udc00 low",
                "x".repeat(8191) + "\ud83d", "\ude00" + "y".repeat(9000), "z".repeat(20000), "\u00ff\u0100", "\n");
        for (Charset charset : List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1, StandardCharsets.US_ASCII)) {
            for (long seed = 0; seed < 40; seed++) {
                Random random = new Random(seed);
                List<Integer> calls = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    calls.add(random.nextInt(texts.size() * 3));
                }
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                ByteArrayOutputStream actual = new ByteArrayOutputStream();
                write(new PrintWriter(new BufferedWriter(new OutputStreamWriter(expected, charset)), true), texts, calls);
                write(new PrintWriter(new EncodingWriter(actual, charset), true), texts, calls);
                assertThat(actual.toByteArray()).as("%s, seed %d", charset, seed).isEqualTo(expected.toByteArray());
            }
        }
    }

    /** Each call writes one text as a String, as chars or char by char; then the writer is flushed and closed. */
    private static void write(PrintWriter writer, List<String> texts, List<Integer> calls) throws Exception {
        for (int call : calls) {
            String text = texts.get(call % texts.size());
            switch (call / texts.size()) {
                case 0 -> writer.write(text);
                case 1 -> writer.write(text.toCharArray());
                default -> text.chars().limit(50).forEach(writer::write);
            }
        }
        writer.flush();
        writer.close();
    }

    /**
     * The report's row pieces reach standard output already encoded (by the threads that make them), between text
     * written as text: the bytes must be the JDK writer's for the same text written as text. A piece is whole rows, so
     * it never starts with the low half of a surrogate pair.
     */
    @Test
    void textGivenEncodedIsWrittenInOrderWithTheText() throws Exception {
        List<String> texts = List.of("plain", "caf\u00e9 \u5c42\n", "\ud83d\ude00", "lone \ud800 high", "x".repeat(8191) + "\ud83d",
                "z".repeat(20000), "\u00ff\u0100", "\n");
        for (Charset charset : List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1, StandardCharsets.US_ASCII)) {
            System.setProperty("tally.test.encoding", charset.name());
            for (long seed = 0; seed < 40; seed++) {
                Random random = new Random(seed);
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                ByteArrayOutputStream actual = new ByteArrayOutputStream();
                PrintWriter jdk = new PrintWriter(new BufferedWriter(new OutputStreamWriter(expected, charset)), true);
                PrintWriter tally = QuickSummary.writer(actual, "tally.test.encoding");
                assertThat(tally).isInstanceOf(dev.tally.report.EncodedOutput.class);
                for (int i = 0; i < 30; i++) {
                    String text = texts.get(random.nextInt(texts.size()));
                    jdk.write(text);
                    if (random.nextBoolean()) {
                        tally.write(text);
                    } else {
                        ((dev.tally.report.EncodedOutput) tally).appendEncoded(text.getBytes(charset));
                    }
                }
                jdk.close();
                tally.close();
                assertThat(actual.toByteArray()).as("%s, seed %d", charset, seed).isEqualTo(expected.toByteArray());
            }
        }
        System.clearProperty("tally.test.encoding");
    }

    @Test
    void nothingIsWrittenBeforeAFlushForShortWritesAndEverythingAfter() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Writer writer = new EncodingWriter(bytes, StandardCharsets.UTF_8);
        writer.write("short");
        assertThat(bytes.size()).isZero();
        writer.flush();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("short");
    }
}
