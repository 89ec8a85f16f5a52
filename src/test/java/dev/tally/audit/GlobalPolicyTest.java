package dev.tally.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.load.pytorch.PyGlobal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which globals are safe, suspicious or dangerous. */
class GlobalPolicyTest {
    private static Severity severity(String qualified) {
        int dot = qualified.lastIndexOf('.');
        return GlobalPolicy.classify(new PyGlobal(qualified.substring(0, dot), qualified.substring(dot + 1))).severity();
    }

    @ParameterizedTest
    @ValueSource(strings = {"os.system", "os.popen", "posix.system", "nt.system", "subprocess.Popen", "subprocess.check_output",
            "builtins.eval", "builtins.exec", "builtins.getattr", "builtins.__import__", "builtins.compile", "builtins.open",
            "__builtin__.eval", "runpy._run_code", "webbrowser.open", "socket.create_connection", "shutil.rmtree", "sys.exit",
            "pickle.loads", "_pickle.loads", "importlib.import_module", "ctypes.CDLL", "operator.attrgetter",
            "torch.storage._load_from_bytes", "torch.load"})
    void commandCodeAndFileAccessAreDangerous(String global) {
        assertThat(severity(global)).isEqualTo(Severity.DANGEROUS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter", "collections.OrderedDict",
            "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "numpy.dtype", "numpy.core.multiarray.scalar",
            "builtins.set", "torch.Size"})
    void whatAStateDictNeedsIsSafe(String global) {
        assertThat(severity(global)).isEqualTo(Severity.SAFE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mypackage.helpers.make_thing", "__main__.Net", "torchvision.models.resnet.ResNet",
            "torch.nn.modules.linear.Linear", "argparse.Namespace", "builtins.print"})
    void everythingElseIsSuspicious(String global) {
        assertThat(severity(global)).isEqualTo(Severity.SUSPICIOUS);
    }
}
