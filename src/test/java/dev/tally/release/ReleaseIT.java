package dev.tally.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.Tally;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The installable release as a new user meets it: unpacked outside the repository, run through its own
 * {@code bin/tally} with no Maven, no Python and no source tree on the PATH, on the shipped models and on a
 * checkpoint made by PyTorch. Figures are compared with PyTorch's ({@code lenet5.expected.json}). Runs in the
 * {@code integration-test} phase, after {@code package} has made the tarball.
 */
class ReleaseIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Release release;

    @BeforeAll
    static void unpack() throws IOException {
        release = Release.unpack();
    }

    @AfterAll
    static void delete() throws IOException {
        release.delete();
    }

    @Test
    void theUsersPathHasNeitherMavenNorTheSourceTree() {
        Release.Result mvn = release.run(release.work, List.of("bash", "-c", "command -v mvn || command -v python3"),
                release.work.getParent().resolve("home"));
        assertThat(mvn.exitCode()).as(mvn.stdout()).isNotZero();
        assertThat(release.home.toAbsolutePath().startsWith(Fixtures.root().toAbsolutePath())).isFalse();
    }

    @Test
    void summaryGivesPyTorchsFiguresForTheShippedLeNet() throws IOException {
        String model = release.copy(Fixtures.root().resolve("models/lenet5.onnx"));
        Release.Result result = release.tally("summary", model, "--format", "json");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode totals = JSON.readTree(result.stdout()).get("totals");
        Fixtures.Expected expected = Fixtures.expected("lenet5");
        assertThat(totals.get("params").asLong()).isEqualTo(expected.params());
        assertThat(totals.get("macs").asLong()).isEqualTo(expected.macs());
    }

    @Test
    void summaryReadsTheStructureOnlyAlexNet() throws IOException {
        String model = release.copy(Fixtures.root().resolve("models/alexnet.onnx"));
        Release.Result result = release.tally("summary", model, "--format", "json");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode totals = JSON.readTree(result.stdout()).get("totals");
        assertThat(totals.get("params").asLong()).isEqualTo(Fixtures.expected("alexnet").params());
        assertThat(totals.get("macs").asLong()).isEqualTo(Fixtures.expected("alexnet").macs());
    }

    @Test
    void checkPassesWithinBudgetAndFailsOverIt() throws IOException {
        String model = release.copy(Fixtures.root().resolve("models/vgg16.onnx"));
        long params = Fixtures.expected("vgg16").params();
        Files.writeString(release.work.resolve("within.yaml"),
                "models:\n  - path: " + model + "\n    limits: {params: " + params + "}\n");
        Files.writeString(release.work.resolve("over.yaml"),
                "models:\n  - path: " + model + "\n    limits: {params: " + (params - 1) + "}\n");

        Release.Result within = release.tally("check", "--budget", "within.yaml", "--junit", "within.xml");
        assertThat(within.exitCode()).as(within.stdout() + within.stderr()).isZero();
        assertThat(release.work.resolve("within.xml")).content().contains("<testsuite").doesNotContain("<failure");

        Release.Result over = release.tally("check", "--budget", "over.yaml", "--junit", "over.xml");
        assertThat(over.exitCode()).as(over.stdout() + over.stderr()).isEqualTo(1);
        assertThat(release.work.resolve("over.xml")).content().contains("<failure");
    }

    @Test
    void auditMatchesAPyTorchCheckpoint() throws IOException {
        String checkpoint = release.copy(Fixtures.file("lenet5.pth"));
        Release.Result result = release.tally("audit", checkpoint, "--format", "json");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode report = JSON.readTree(result.stdout());
        assertThat(report.at("/safety/severity").asText()).isEqualTo("safe");
        assertThat(report.at("/inventory/params").asLong()).isEqualTo(Fixtures.expected("lenet5").params());
        assertThat(report.at("/architecture/match").asText()).isEqualTo("exact");
        assertThat(report.at("/architecture/candidates/0/name").asText()).isEqualTo("lenet5");
    }

    @Test
    void verifyRunsTheShippedLeNetInOnnxRuntime() throws IOException {
        String model = release.copy(Fixtures.root().resolve("models/lenet5.onnx"));
        Release.Result result = release.tally("verify", model);
        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
        assertThat(result.stdout()).contains("PASS").contains("61,706");
    }

    @Test
    void everyBundledJarIsListedWithALicenceWhoseTextShips() throws IOException {
        String thirdParty = Files.readString(release.home.resolve("THIRD-PARTY.txt"));
        Set<String> licences = new TreeSet<>();
        Matcher heading = Pattern.compile("(?m)^    (\\S[^\\n]*):$").matcher(thirdParty);
        while (heading.find()) {
            licences.add(heading.group(1));
        }
        assertThat(licences).isNotEmpty();
        for (String licence : licences) {
            assertThat(release.home.resolve("licenses/" + licence.replace("-or-later", "") + ".txt"))
                    .as("text of " + licence).isRegularFile();
        }
        List<String> unlisted = new ArrayList<>();
        try (Stream<Path> jars = Files.list(release.home.resolve("lib"))) {
            for (Path jar : (Iterable<Path>) jars::iterator) {
                String name = jar.getFileName().toString();
                if (name.equals("tally-" + Tally.VERSION + ".jar")) {
                    continue;
                }
                // protobuf-java-4.29.3.jar is listed as com.google.protobuf:protobuf-java:4.29.3.
                String coordinates = name.replaceFirst("-(\\d[^-]*(-\\d[^-]*)?)(-[a-z].*)?\\.jar$", ":$1");
                if (!thirdParty.contains(":" + coordinates + " ")) {
                    unlisted.add(name);
                }
            }
        }
        assertThat(unlisted).as("jars missing from THIRD-PARTY.txt").isEmpty();
        assertThat(release.home.resolve("README.md")).content().contains("## Install");
        assertThat(release.bin()).isExecutable();
    }

    /**
     * libtorch is PyTorch's, under its BSD-style licence, whatever DJL's POM for the native jar says (Apache-2.0):
     * THIRD-PARTY.txt lists the jar under BSD-3-Clause (src/license/override-THIRD-PARTY.properties) and the
     * release carries PyTorch's own text, with its copyright holders and its third clause, and GCC's for libgomp.
     */
    @Test
    void libtorchIsListedUnderPyTorchsLicenceWithItsText() throws IOException {
        String thirdParty = Files.readString(release.home.resolve("THIRD-PARTY.txt"));
        Matcher section = Pattern.compile("(?ms)^    ([^\\n]+):\\n\\n(.*?)(?=^    \\S|\\z)").matcher(thirdParty);
        List<String> under = new ArrayList<>();
        while (section.find()) {
            if (section.group(2).contains("(ai.djl.pytorch:pytorch-native-cpu:")) {
                under.add(section.group(1));
            }
        }
        assertThat(under).containsExactly("BSD-3-Clause");
        assertThat(release.home.resolve("licenses/BSD-3-Clause-PyTorch.txt")).content()
                .contains("From PyTorch:", "Copyright (c) 2016-     Facebook, Inc            (Adam Paszke)", "From Caffe2:",
                        "3. Neither the names of Facebook, Deepmind Technologies, NYU, NEC Laboratories America",
                        "POSSIBILITY OF SUCH DAMAGE.");
        assertThat(release.home.resolve("licenses/BSD-3-Clause.txt")).content().contains("BSD-3-Clause-PyTorch.txt");
        // The same jar's libgomp is GCC's: GPLv3 with the runtime library exception, both texts shipped.
        assertThat(release.home.resolve("licenses/GPL-3.0-with-GCC-exception.txt")).content()
                .contains("GCC RUNTIME LIBRARY EXCEPTION", "Version 3.1, 31 March 2009", "GNU GENERAL PUBLIC LICENSE",
                        "Version 3, 29 June 2007");
    }

    @Test
    void theZipHoldsWhatTheTarballHolds() throws IOException {
        Path zip = Release.tarball().resolveSibling("tally-" + Tally.VERSION + ".zip");
        Set<String> zipped = new TreeSet<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (ZipEntry entry : java.util.Collections.list(file.entries())) {
                if (!entry.isDirectory()) {
                    zipped.add(entry.getName());
                }
            }
        }
        Set<String> unpacked = new TreeSet<>();
        Path base = release.home.getParent();
        try (Stream<Path> files = Files.walk(release.home)) {
            files.filter(Files::isRegularFile).forEach(f -> unpacked.add(base.relativize(f).toString()));
        }
        assertThat(zipped).isEqualTo(unpacked);
    }
}
