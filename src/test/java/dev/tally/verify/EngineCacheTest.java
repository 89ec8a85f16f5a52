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
}
