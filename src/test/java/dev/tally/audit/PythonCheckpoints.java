package dev.tally.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Checkpoints made by real PyTorch for the audit tests, written once per test run into a temporary folder by
 * {@code /usr/bin/python3} (torch and torchvision are installed on every machine that runs the suite;
 * scripts/test installs them). A missing PyTorch fails the tests that need it, with the reason.
 */
final class PythonCheckpoints {
    private static final String SCRIPT = """
            import sys, torch, torchvision
            out = sys.argv[1]
            torch.manual_seed(0)
            # A fine-tuned head: resnet18 with 10 classes instead of 1000.
            model = torchvision.models.resnet18(num_classes=10)
            sd = model.state_dict()
            torch.save(sd, out + "/resnet18_head10.pth")
            # The same in the legacy format, inside a training checkpoint with an optimizer and an epoch.
            opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
            model(torch.zeros(2, 3, 64, 64)).sum().backward()
            opt.step()
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 7},
                       out + "/resnet18_training_legacy.pth", _use_new_zipfile_serialization=False)
            # DataParallel-style keys.
            torch.save({"module." + k: v for k, v in sd.items()}, out + "/resnet18_dataparallel.pth")
            # Missing and unexpected keys.
            sd2 = dict(torchvision.models.resnet18().state_dict())
            del sd2["fc.bias"]
            sd2["extra.weight"] = torch.zeros(3, 3)
            torch.save(sd2, out + "/resnet18_edited.pth")
            # Known values in every dtype --values must read, including NaN and infinities.
            values = {
                "f32": torch.tensor([1.0, -2.0, float("nan"), float("inf"), 4.0]),
                "f16": torch.tensor([0.5, -1.5, float("-inf"), 3.0], dtype=torch.float16),
                "bf16": torch.tensor([2.0, float("nan"), -4.0], dtype=torch.bfloat16),
                "f64": torch.tensor([[1.25, 2.5], [3.75, 5.0]], dtype=torch.float64),
                "i8": torch.tensor([-128, 0, 127, 1], dtype=torch.int8),
                "t": torch.arange(6, dtype=torch.float32).reshape(2, 3).t(),
            }
            base = torch.arange(10, dtype=torch.float32)
            values["slice"] = base[4:7]
            values["whole"] = base
            torch.save(values, out + "/values.pth")
            torch.save(values, out + "/values_legacy.pth", _use_new_zipfile_serialization=False)
            # A whole pickled module (not a state_dict): globals outside the allow-list, but not dangerous.
            torch.save(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU()), out + "/whole_module.pth")
            print("ok")
            """;

    private static Path dir;

    private PythonCheckpoints() {
    }

    /** The folder with the checkpoints, made on first use. */
    static synchronized Path dir() {
        if (dir != null) {
            return dir;
        }
        try {
            Path folder = Files.createTempDirectory("tally-audit-checkpoints-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(folder)));
            Path script = folder.resolve("make_checkpoints.py");
            Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
            Process process = new ProcessBuilder("/usr/bin/python3", script.toString(), folder.toString())
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("/usr/bin/python3 with torch and torchvision could not make the test checkpoints "
                        + "(install python3-torch and python3-torchvision, as scripts/test does): " + output);
            }
            dir = folder;
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run /usr/bin/python3 to make the test checkpoints: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path folder) {
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(folder);
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    static Path file(String name) {
        return dir().resolve(name);
    }
}
