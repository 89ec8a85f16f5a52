package dev.tally.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.cli.Main;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tally compare MODEL --catalog}: the user's file, an ONNX export or a torch.save checkpoint matched to its
 * architecture, is one marked row among the weights entries, counted as PyTorch counts the model.
 */
class CompareWithCatalogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        return out.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18.pth", "resnet50.onnx", "mobilenet_v2.pth"})
    void theUsersModelIsOneMarkedRowWithThePublishedModelsCount(String file) throws IOException {
        String model = file.substring(0, file.indexOf('.'));
        JsonNode table = JSON.readTree(run("compare", Fixtures.file(file).toString(), "--catalog", "--format", "json"));
        List<JsonNode> yours = new ArrayList<>();
        table.get("rows").forEach(r -> {
            if (r.get("yours").asBoolean()) {
                yours.add(r);
            }
        });
        assertThat(yours).hasSize(1);
        JsonNode row = yours.get(0);
        assertThat(row.get("weights").asText()).isEqualTo(file);
        assertThat(row.get("pareto").asBoolean()).isFalse();
        // The oracle's count of torchvision's own model (the fixture is that architecture, built by PyTorch).
        JsonNode oracle = JSON.readTree(Fixtures.file("catalog/oracle.json").toFile());
        JsonNode published = null;
        for (JsonNode e : oracle.get("entries")) {
            if (e.get("builder").asText().equals(model) && e.get("task").asText().equals("classification")) {
                published = e;
                break;
            }
        }
        assertThat(published).isNotNull();
        assertThat(row.get("macs").asLong()).isEqualTo(published.get("macs").asLong());
        if (file.endsWith(".pth")) {
            // An ONNX export in eval mode folds BatchNorm into the convolutions, so only the checkpoint keeps every param.
            assertThat(row.get("params").asLong()).isEqualTo(published.get("numParams").asLong());
        }
        assertThat(table.get("rows").size()).isGreaterThan(100);

        String text = run("compare", Fixtures.file(file).toString(), "--catalog");
        assertThat(text).contains("> " + file).contains("Nearest by MACs to " + file);
        String publishedName = published.get("weights").asText();
        String nearest = text.substring(text.indexOf("Nearest by MACs to " + file));
        assertThat(nearest.lines().skip(1).limit(3).toList()).as("the nearest rows include the published model itself")
                .anySatisfy(line -> assertThat(line).contains(publishedName + ":"));
    }
}
