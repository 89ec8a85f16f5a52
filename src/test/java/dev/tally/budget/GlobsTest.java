package dev.tally.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlobsTest {
    @TempDir
    Path dir;

    private List<String> expand(String pattern) {
        return Globs.expand(dir, pattern).stream().map(p -> dir.relativize(p).toString()).toList();
    }

    @Test
    void starStaysInOneFolderDoubleStarCrossesFoldersAndBracesChoose() throws IOException {
        for (String name : List.of("a.onnx", "b.onnx", "b.pt", "sub/c.onnx", "sub/deep/d.onnx")) {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "x");
        }
        assertThat(expand("*.onnx")).containsExactly("a.onnx", "b.onnx");
        assertThat(expand("**/*.onnx")).containsExactly("sub/c.onnx", "sub/deep/d.onnx");
        assertThat(expand("sub/**.onnx")).containsExactly("sub/c.onnx", "sub/deep/d.onnx");
        assertThat(expand("b.{onnx,pt}")).containsExactly("b.onnx", "b.pt");
        assertThat(expand("?.pt")).containsExactly("b.pt");
        assertThat(expand("sub/*/d.onnx")).containsExactly("sub/deep/d.onnx");
        assertThat(expand("missing/*.onnx")).isEmpty();
    }

    @Test
    void aPlainPathIsReturnedAsItIsSoTheCallerCanSayItIsMissing() {
        assertThat(Globs.isGlob("models/alexnet.onnx")).isFalse();
        assertThat(expand("models/alexnet.onnx")).containsExactly("models/alexnet.onnx");
    }
}
