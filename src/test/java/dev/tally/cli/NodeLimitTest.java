package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.load.onnx.proto.Onnx.ModelProto;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node limit ({@code tally.limits.nodes}) refuses a graph of more nodes with exit 2 and one sentence, in ONNX while
 * the file is read and in TorchScript while its code runs; a graph of exactly that many nodes is read. Small models
 * and a lowered limit here; MillionNodeChainTest meets the default limit with a 99.9 MB file.
 */
class NodeLimitTest {
    private static final Path ONNX = Path.of("models/lenet5.onnx");

    @AfterEach
    void defaultLimit() {
        System.clearProperty("tally.limits.nodes");
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result summary(long limit, String... args) {
        System.setProperty("tally.limits.nodes", Long.toString(limit));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static String refusal(String file, long limit) {
        return file + " has more than " + limit + " graph nodes, Tally's limit; the file is damaged or hostile, or, if it is"
                + " a real model, raise the limit and the heap with TALLY_JAVA_OPTS='-Dtally.limits.nodes=N -Xmx4g'.\n";
    }

    @Test
    void anOnnxGraphOfMoreNodesThanTheLimitIsRefusedAndOneOfExactlyThatManyIsRead() throws IOException {
        int nodes = ModelProto.parseFrom(Files.readAllBytes(ONNX)).getGraph().getNodeCount();
        assertThat(nodes).isGreaterThan(5);

        Result refused = summary(nodes - 1, "summary", ONNX.toString());
        assertThat(refused.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(refused.err()).isEqualTo(refusal("lenet5.onnx", nodes - 1));
        assertThat(refused.out()).isEmpty();

        Result read = summary(nodes, "summary", ONNX.toString());
        assertThat(read.exit()).as(read.err()).isZero();
        assertThat(read.out()).contains("Total");
    }

    @Test
    void aTorchScriptGraphOfMoreNodesThanTheLimitIsRefusedAsItsCodeRuns() {
        String traced = Fixtures.file("lenet5.traced.pt").toString();

        Result refused = summary(3, "summary", traced, "--input", "1x1x32x32");
        assertThat(refused.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(refused.err()).isEqualTo(refusal("lenet5.traced.pt", 3));

        Result read = summary(1_000_000, "summary", traced, "--input", "1x1x32x32");
        assertThat(read.exit()).as(read.err()).isZero();
    }
}
