package dev.tally.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.Tally;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's library examples are the invoker project's own text (src/it/library-user, run by
 * maven-invoker-plugin against the built jar), and its Maven plugin block is maven-plugin/src/it/within-budget's,
 * so that what the README shows is what a test ran.
 */
class ReadmeExamplesTest {
    private static final Path README = Fixtures.root().resolve("README.md");
    private static final Path PROJECT = Fixtures.root().resolve("src/it/library-user");

    @Test
    void theDependencySnippetIsTheInvokerProjects() throws IOException {
        String snippet = between(Files.readString(PROJECT.resolve("pom.xml")), "<!-- README: dependency -->\n",
                "    <!-- README: end -->").replace("@project.version@", Tally.VERSION);
        assertThat(snippet).contains("<artifactId>tally</artifactId>");
        assertThat(Files.readString(README)).contains("```xml\n" + snippet + "```\n");
    }

    @Test
    void theJUnitExampleIsTheInvokerProjects() throws IOException {
        String example = between(Files.readString(PROJECT.resolve("src/test/java/com/example/ModelBudgetTest.java")),
                "    // README: begin\n", "    // README: end");
        assertThat(example).contains("Tally.analyze");
        assertThat(Files.readString(README)).contains("```java\n" + example + "```\n");
    }

    @Test
    void theMavenPluginBlockIsTheInvokerProjects() throws IOException {
        Path pom = Fixtures.root().resolve("maven-plugin/src/it/within-budget/pom.xml");
        String block = between(Files.readString(pom), "<!-- README: plugin -->\n", "      <!-- README: end -->")
                .replace("@project.version@", Tally.VERSION);
        assertThat(block).contains("<artifactId>tally-maven-plugin</artifactId>", "<goal>check</goal>", "<goal>summary</goal>");
        assertThat(Files.readString(README)).contains("## In a Maven build\n").contains("```xml\n" + block + "```\n");
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start);
        int to = text.indexOf(end, from);
        assertThat(from).as("marker " + start.strip()).isNotNegative();
        assertThat(to).as("marker " + end.strip()).isGreaterThan(from);
        return text.substring(from + start.length(), to);
    }
}
