package dev.tally.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tally.Tally;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/ci.md's two jobs, run as written: the GitHub job's {@code run} steps and the GitLab job's {@code script}
 * lines go through bash in a folder with a budget file and the shipped models, with {@code TALLY_URL} pointing at
 * the tarball this build made; the JUnit XML and the markdown report must be there afterwards, and a model
 * over budget must fail the job.
 */
class CiDocsIT {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static Release release;

    @BeforeAll
    static void unpack() throws IOException {
        release = Release.unpack();
    }

    @AfterAll
    static void delete() throws IOException {
        release.delete();
    }

    private static List<JsonNode> yamlBlocks() throws IOException {
        String doc = Files.readString(Fixtures.root().resolve("docs/ci.md"));
        Matcher block = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(doc);
        List<JsonNode> blocks = new ArrayList<>();
        while (block.find()) {
            blocks.add(YAML.readTree(block.group(1)));
        }
        return blocks;
    }

    /** The GitHub job's run steps, one script. */
    static String githubScript() throws IOException {
        JsonNode job = yamlBlocks().stream().filter(b -> b.has("jobs")).findFirst().orElseThrow().at("/jobs/model-budget");
        StringBuilder script = new StringBuilder("set -eo pipefail\nGITHUB_PATH=$PWD/.github_path\n");
        job.get("env").fields().forEachRemaining(e -> {
            if (!e.getValue().asText().contains("${{")) {
                script.append("export ").append(e.getKey()).append('=').append(e.getValue().asText()).append('\n');
            }
        });
        for (JsonNode step : job.get("steps")) {
            if (step.has("run")) {
                script.append(step.get("run").asText()).append('\n');
            }
        }
        return script.toString();
    }

    /** The GitLab job's script lines, one script. */
    static String gitlabScript() throws IOException {
        JsonNode job = yamlBlocks().stream().filter(b -> b.has("model-budget")).findFirst().orElseThrow().get("model-budget");
        StringBuilder script = new StringBuilder("set -eo pipefail\n");
        job.get("variables").fields().forEachRemaining(e ->
                script.append("export ").append(e.getKey()).append('=').append(e.getValue().asText()).append('\n'));
        job.get("script").forEach(line -> script.append(line.asText()).append('\n'));
        return script.toString();
    }

    private static Path project(String name, long paramsLimit) throws IOException {
        Path dir = Files.createDirectories(release.work.resolve(name));
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.copy(Fixtures.root().resolve("models/lenet5.onnx"), models.resolve("lenet5.onnx"));
        Files.copy(Fixtures.root().resolve("models/alexnet.onnx"), models.resolve("alexnet.onnx"));
        Files.writeString(dir.resolve("budgets.yaml"), "models:\n  - path: models/*.onnx\n    limits: {params: " + paramsLimit + "}\n");
        return dir;
    }

    private static Release.Result runJob(Path dir, String script) throws IOException {
        Path file = dir.resolve("job.sh");
        Files.writeString(file, "export TALLY_URL=" + Release.tarball().toUri() + "\n" + script);
        return release.run(dir, List.of("bash", file.toString()), release.work.getParent().resolve("home"));
    }

    @Test
    void theGitHubJobPublishesTheJUnitXmlAndTheMarkdownReport() throws IOException {
        assertThat(githubScript()).contains("TALLY_VERSION=" + Tally.VERSION);
        Path dir = project("github", Fixtures.expected("alexnet").params());
        Release.Result job = runJob(dir, githubScript());
        assertThat(job.exitCode()).as(job.stdout() + job.stderr()).isZero();
        assertThat(dir.resolve("reports/tally-junit.xml")).content().contains("<testsuite").doesNotContain("<failure");
        assertThat(dir.resolve("reports/models.md")).content().contains("alexnet.onnx").contains("lenet5.onnx");
        assertThat(dir.resolve(".github_path")).content().contains("tally-" + Tally.VERSION + "/bin");
    }

    @Test
    void theGitLabJobFailsWhenAModelIsOverBudget() throws IOException {
        assertThat(gitlabScript()).contains("TALLY_VERSION=" + Tally.VERSION);
        Path dir = project("gitlab", Fixtures.expected("alexnet").params() - 1);
        Release.Result job = runJob(dir, gitlabScript());
        assertThat(job.exitCode()).as(job.stdout() + job.stderr()).isEqualTo(1);
        assertThat(dir.resolve("reports/tally-junit.xml")).content().contains("<failure");
        assertThat(dir.resolve("reports/models.md")).content().contains("alexnet.onnx");
    }
}
