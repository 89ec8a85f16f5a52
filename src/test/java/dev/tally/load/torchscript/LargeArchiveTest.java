package dev.tally.load.torchscript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.analysis.InputShapes;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.testing.Fixtures;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The largest fixture, vgg19.traced.pt (about 575 MB), loads without reading its weight records: the bytes the
 * process reads (Linux's {@code rchar} in /proc/self/io) stay a small fraction of the file, and the work takes
 * well under a second of CPU time.
 */
class LargeArchiveTest {

    @Test
    void vgg19LoadsWithoutReadingItsWeightsAndInWellUnderASecond() throws IOException {
        Path file = Fixtures.file("vgg19.traced.pt");
        Map<String, Shape> input = Map.of(InputShapes.UNNAMED, Shape.of(1, 3, 224, 224));
        new TorchScriptLoader().load(file, input);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();

        long readBefore = bytesRead();
        long cpuBefore = threads.getCurrentThreadCpuTime();
        Model model = new TorchScriptLoader().load(file, input);
        long cpuNanos = threads.getCurrentThreadCpuTime() - cpuBefore;
        long read = bytesRead() - readBefore;

        assertThat(model.graph().nodes()).hasSize(46);
        assertThat(read).as("bytes read of a %d-byte file", Files.size(file)).isLessThan(Files.size(file) / 100);
        assertThat(cpuNanos).as("CPU time of a warm load, in ns").isLessThan(1_000_000_000L);
    }

    /** Bytes this process has read through read(2) and friends so far. */
    private static long bytesRead() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("rchar:")) {
                return Long.parseLong(line.substring("rchar:".length()).trim());
            }
        }
        throw new IllegalStateException("/proc/self/io has no rchar line; this test needs Linux.");
    }
}
