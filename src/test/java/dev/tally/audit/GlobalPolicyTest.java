package dev.tally.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.load.pytorch.PyGlobal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The allow-list decides: on it is safe, anything else is unsafe to torch.load; labels only describe. */
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
            "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.Size", "torch.nn.parameter.Parameter",
            "torch.cuda.sparse.BFloat16Tensor", "torch.bool", "torch.float32", "torch._utils._rebuild_qtensor"})
    void whatAStateDictNeedsIsSafe(String global) {
        assertThat(severity(global)).isEqualTo(Severity.SAFE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mypackage.helpers.make_thing", "__main__.Net", "torchvision.models.resnet.ResNet",
            "torch.nn.modules.linear.Linear", "argparse.Namespace", "builtins.print"})
    void everythingElseOutsideTheAllowListIsUnsafe(String global) {
        assertThat(severity(global)).isEqualTo(Severity.DANGEROUS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"numpy.dtype", "numpy.core.multiarray.scalar", "builtins.set", "torch.device", "torch.sparse.BoolTensor",
            "timeit.timeit", "cProfile.run", "pydoc.pipepager", "imaplib.IMAP4_stream", "torch.utils.collect_env.run",
            "torch.fx.graph_module._exec_with_source", "numpy.testing._private.utils.runstring", "numpy.load", "_io.open",
            "codecs.open", "logging.FileHandler", "__torch__.Net"})
    void theIssuesMissedGlobalsAndNearMissesAreUnsafe(String global) {
        assertThat(severity(global)).isEqualTo(Severity.DANGEROUS);
    }

    @org.junit.jupiter.api.Test
    void aProtocolFourDottedNameIsResolvedAsPythonResolvesIt() {
        GlobalPolicy.Verdict verdict = GlobalPolicy.classify(new PyGlobal("posixpath", "os.system"));
        assertThat(verdict.severity()).isEqualTo(Severity.DANGEROUS);
        assertThat(verdict.resolved()).isEqualTo("os.system");
        assertThat(verdict.label()).isEqualTo("shell");
        assertThat(GlobalPolicy.classify(new PyGlobal("torch", "_utils._rebuild_tensor_v2")).severity()).isEqualTo(Severity.SAFE);
    }

    @org.junit.jupiter.api.Test
    void labelsNameTheKindOfHarmButDoNotDecideTheRating() {
        assertThat(GlobalPolicy.classify(new PyGlobal("torchvision.models.resnet", "ResNet")).label()).isEqualTo("pickled module of a known library");
        assertThat(GlobalPolicy.classify(new PyGlobal("builtins", "__import__")).label()).isEqualTo("importer");
        assertThat(GlobalPolicy.classify(new PyGlobal("socket", "create_connection")).label()).isEqualTo("network");
        assertThat(GlobalPolicy.classify(new PyGlobal("torch.serialization", "load")).label()).isEqualTo("nested loader");
        assertThat(GlobalPolicy.classify(new PyGlobal("builtins", "exec")).label()).isEqualTo("code execution");
        assertThat(GlobalPolicy.classify(new PyGlobal("_io", "open")).label()).isEqualTo("file system");
        assertThat(GlobalPolicy.classify(new PyGlobal("argparse", "Namespace")).severity()).isEqualTo(Severity.DANGEROUS);
    }
}
