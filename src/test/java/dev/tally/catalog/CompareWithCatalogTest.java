package dev.tally.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.cli.Main;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

    /**
     * {@code compare MODEL --catalog --memory SIZE}: the user's row gets the largest batch whose memory fits, checked
     * without the catalog's search (summary at B fits, at B + 1 does not) and equal to {@code tally fit} on the same
     * file; the catalog's rows get the fitBatch {@code tally catalog --memory} gives them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"resnet18.pth", "resnet50.onnx"})
    void withMemoryYourModelAndItsNeighboursGetTheLargestBatchThatFits(String file) throws IOException {
        String path = Fixtures.file(file).toString();
        String input = "1x3x224x224";
        JsonNode table = JSON.readTree(run("compare", path, "--catalog", "--memory", "1GiB", "--input", input, "--format", "json"));
        JsonNode yours = null;
        for (JsonNode row : table.get("rows")) {
            if (row.get("yours").asBoolean()) {
                yours = row;
            }
        }
        assertThat(yours).isNotNull();
        long batch = yours.get("fitBatch").asLong();
        // The text names the nearest entries with their fitBatch.
        String text = run("compare", path, "--catalog", "--memory", "1GiB", "--input", input);
        String nearest = text.substring(text.indexOf("Nearest by MACs to " + file));
        assertThat(nearest.lines().findFirst().orElseThrow()).endsWith(", fit batch " + String.format("%,d", batch) + "):");
        List<String> neighbours = new ArrayList<>();
        Map<String, String> shownBatch = new HashMap<>();
        nearest.lines().skip(1).limit(3).forEach(line -> {
            Matcher m = Pattern.compile("^\\s*- (\\S+): .*, fit batch ([0-9,]+)$").matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            neighbours.add(m.group(1));
            shownBatch.put(m.group(1), m.group(2).replace(",", ""));
        });
        assertThat(batch).as("fitBatch of %s", file).isPositive();
        assertThat(peakMemory(path, batch)).as("%s fits at batch %d", file, batch).isLessThanOrEqualTo(1L << 30);
        assertThat(peakMemory(path, batch + 1)).as("%s does not fit at batch %d", file, batch + 1).isGreaterThan(1L << 30);
        String fit = run("fit", path, "--memory", "1GiB", "--input", input);
        assertThat(fit).contains("Largest batch that fits: " + batch + "\n");

        JsonNode catalog = JSON.readTree(run("catalog", "--memory", "1GiB", "--format", "json", "--where",
                "weights=" + String.join(" or weights=", neighbours)));
        assertThat(catalog.get("rows")).hasSize(neighbours.size());
        for (JsonNode row : catalog.get("rows")) {
            JsonNode same = null;
            for (JsonNode r : table.get("rows")) {
                if (r.get("weights").equals(row.get("weights"))) {
                    same = r;
                }
            }
            assertThat(same.get("fitBatch")).as("fitBatch of %s beside %s", row.get("weights"), file).isEqualTo(row.get("fitBatch"));
            assertThat(row.get("fitBatch").asLong()).isPositive();
            assertThat(shownBatch.get(row.get("weights").asText())).isEqualTo(row.get("fitBatch").asText());
        }
    }

    @Test
    void aFileWithAFixedBatchGetsTheFitBatchTallyFitGivesIt(@TempDir Path folder) throws IOException {
        // The catalog's own resnet18 graph: input 1x3x224x224, no symbolic batch axis.
        Path fixed = folder.resolve("resnet18_fixed.onnx");
        Files.write(fixed, WeightsCatalog.graphBytes("audit/catalog/resnet18.onnx.gz"));
        JsonNode table = JSON.readTree(run("compare", fixed.toString(), "--catalog", "--memory", "1GiB", "--where",
                "weights=ResNet18_Weights.IMAGENET1K_V1", "--format", "json"));
        JsonNode yours = table.get("rows").get(0).get("yours").asBoolean() ? table.get("rows").get(0) : table.get("rows").get(1);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "fit", fixed.toString(), "--memory", "1GiB");
        // tally fit asks for --input to name the batch axis of a fixed-batch file (exit 2): the row says the same in
        // its note, and the compare still runs.
        assertThat(code).as(err.toString()).isEqualTo(2);
        assertThat(yours.get("fitBatch").isNull()).isTrue();
        assertThat(yours.get("note").asText()).isEqualTo("your model; no fitBatch: " + err.toString().strip().replaceAll("\\.$", ""));
    }

    private static long peakMemory(String model, long batch) throws IOException {
        JsonNode totals = JSON.readTree(run("summary", model, "--input", batch + "x3x224x224", "--format", "json")).get("totals");
        return totals.get("paramBytes").asLong() + totals.get("peakActivationBytes").asLong();
    }
}
