package dev.tally.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.cli.VerifyCommand;
import dev.tally.ir.UsageException;
import dev.tally.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VerifyCommandTest {
    @Test
    void anUnknownFormatIsAUsageErrorListingTheValidOnes() {
        VerifyCommand command = new VerifyCommand();
        new CommandLine(command).parseArgs("--format", "yaml", "model.onnx");
        assertThatThrownBy(command::call).isInstanceOf(UsageException.class)
                .hasMessage("Unknown format 'yaml'. Use one of: table, json.");
    }

    @Test
    void verifyingAlexnetOnnxAsJsonExitsZeroAndPrintsThePassingReport() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new VerifyCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("--format", "json", Fixtures.file("alexnet.onnx").toString());

        assertThat(exit).as("stderr: %s", err).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.at("/passed").asBoolean()).isTrue();
        assertThat(json.at("/model/format").asText()).isEqualTo("onnx");
        assertThat(json.at("/inputs/0/shape").toString()).isEqualTo("[1,3,224,224]");
        assertThat(err.toString()).contains("onnxruntime");
    }
}
