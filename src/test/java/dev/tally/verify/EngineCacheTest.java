package dev.tally.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EngineCacheTest {
    @Test
    void theCacheOptionWinsOverTheEnvironmentAndTheDefault() {
        assertThat(EngineCache.resolve(Path.of("/srv/cache"))).isEqualTo(Path.of("/srv/cache"));
    }

    @Test
    void withoutTheOptionTheCacheIsTallyCacheElseUnderTheHomeFolder() {
        String env = System.getenv(EngineCache.ENV);
        Path expected = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "tally");
        assertThat(EngineCache.resolve(null)).isEqualTo(expected);
    }

    @Test
    void anEngineErrorBecomesOneLineWithoutItsFinalPeriod() {
        assertThat(EngineCache.oneLine(new RuntimeException("Failed to load libtorch.\n\tat native"))).isEqualTo("Failed to load libtorch");
    }

    @Test
    void onnxRuntimesFolderIsNamedAsItsOwnLoaderNamesThePlatform() {
        // OnnxRuntime.initOsArch: linux/osx/win, x64/aarch64; the folders of onnxruntime-1.20.0.jar.
        assertThat(EngineCache.platformFolder("Linux", "amd64")).isEqualTo("linux-x64");
        assertThat(EngineCache.platformFolder("Linux", "aarch64")).isEqualTo("linux-aarch64");
        assertThat(EngineCache.platformFolder("Mac OS X", "aarch64")).isEqualTo("osx-aarch64");
        assertThat(EngineCache.platformFolder("Mac OS X", "x86_64")).isEqualTo("osx-x64");
        assertThat(EngineCache.platformFolder("Windows 11", "amd64")).isEqualTo("win-x64");
        assertThat(EngineCache.class.getResource(EngineCache.ortResources() + System.mapLibraryName("onnxruntime")))
                .as("this platform's library in the onnxruntime jar").isNotNull();
    }
}
