package dev.tally.load.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.DType;
import dev.tally.ir.ModelException;
import dev.tally.ir.Shape;
import dev.tally.ir.UnsafePickleException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PickleReaderTest {
    @TempDir
    Path temp;

    private static PickleReader strict() {
        return new PickleReader("model.pt", "data.pkl", PickleReader.Mode.STRICT, key -> OptionalLong.of(36));
    }

    private static PickleReader recording() {
        return new PickleReader("model.pt", "data.pkl", PickleReader.Mode.RECORD, key -> OptionalLong.empty());
    }

    /** {@code os.system('touch <marker>')}: what a malicious pickle does to run a command when Python loads it. */
    private byte[] osSystem(Path marker) {
        return PickleBytes.protocol(2).global("os", "system").mark().str("touch " + marker).tuple().reduce().stop();
    }

    @Test
    void aGlobalOutsideTheAllowListIsRefusedByNameAndNothingRuns() {
        Path marker = temp.resolve("pwned");
        assertThatThrownBy(() -> strict().read(osSystem(marker)))
                .isInstanceOf(UnsafePickleException.class)
                .hasMessage("model.pt: 'data.pkl' references the global 'os.system', which is not a PyTorch model global,"
                        + " so Tally refuses the file without running it; inspect it with 'tally audit'.")
                .satisfies(e -> assertThat(((UnsafePickleException) e).global()).isEqualTo("os.system"));
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void recordModeListsEveryGlobalAndKeepsTheirCallsAsInertData() {
        Path marker = temp.resolve("pwned");
        byte[] pickle = PickleBytes.protocol(4)
                .mark()
                .global("os", "system").mark().str("touch " + marker).tuple().reduce()
                .stackGlobal("builtins", "eval").mark().str("__import__('os').system('touch " + marker + "')").tuple().reduce()
                .global("somepackage.module", "Thing").emptyTuple().newObj()
                .global("collections", "OrderedDict").emptyTuple().reduce()
                .tuple().stop();
        PickleReader reader = recording();

        Object[] result = (Object[]) reader.read(pickle);

        assertThat(reader.globals()).extracting(PyGlobal::qualifiedName)
                .containsExactly("os.system", "builtins.eval", "somepackage.module.Thing", "collections.OrderedDict");
        assertThat(reader.unsafeGlobals()).extracting(PyGlobal::qualifiedName)
                .containsExactly("os.system", "builtins.eval", "somepackage.module.Thing");
        assertThat(result[0]).isInstanceOfSatisfying(PyCall.class, call -> {
            assertThat(call.callee()).isEqualTo(new PyGlobal("os", "system"));
            assertThat(call.args()).containsExactly("touch " + marker);
            assertThat(call.allowed()).isFalse();
        });
        assertThat(reader.uses()).extracting(PickleUse::opcode).containsExactly("GLOBAL", "STACK_GLOBAL", "GLOBAL", "GLOBAL");
        assertThat(result[3]).isInstanceOf(Map.class);
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void stackGlobalAndInstAreRestrictedLikeGlobal() {
        byte[] stackGlobal = PickleBytes.protocol(4).stackGlobal("builtins", "exec").mark().str("1").tuple().reduce().stop();
        assertThatThrownBy(() -> strict().read(stackGlobal)).isInstanceOf(UnsafePickleException.class).hasMessageContaining("'builtins.exec'");
        byte[] inst = PickleBytes.protocol(2).mark().str("ls").inst("subprocess", "call").stop();
        assertThatThrownBy(() -> strict().read(inst)).isInstanceOf(UnsafePickleException.class).hasMessageContaining("'subprocess.call'");
    }

    @Test
    void theExtensionRegistryIsRefusedBecauseItNamesGlobalsByNumber() {
        byte[] pickle = PickleBytes.protocol(2).op(0x82).op(1).stop();
        assertThatThrownBy(() -> strict().read(pickle)).isInstanceOf(UnsafePickleException.class)
                .hasMessageContaining("extension registry");
    }

    @Test
    void aTensorIsRebuiltFromItsStorageWithoutReadingItsBytes() {
        byte[] pickle = PickleBytes.protocol(2).floatTensor("0", 3, 3).stop();

        TensorRef tensor = (TensorRef) strict().read(pickle);

        assertThat(tensor.shape()).isEqualTo(Shape.of(3, 3));
        assertThat(tensor.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(tensor.strides()).containsExactly(3L, 1L);
        assertThat(tensor.storage()).isEqualTo(new StorageRef("0", DType.FLOAT32, "FloatStorage", "cpu", 9, OptionalLong.of(36)));
    }

    @Test
    void aTorchScriptObjectBecomesAPlainRecordOfItsAttributes() {
        byte[] pickle = PickleBytes.protocol(2).global("__torch__.m", "Net").emptyTuple().newObj()
                .emptyDict().mark().str("training").bool(false).str("hidden").integer(7).setItems().build().stop();

        TorchObject object = (TorchObject) strict().read(pickle);

        assertThat(object.className()).isEqualTo("__torch__.m.Net");
        assertThat(object.attributes()).containsExactly(Map.entry("training", false), Map.entry("hidden", 7));
    }

    @Test
    void aBrokenPickleIsAClearErrorNotACrash() {
        byte[] truncated = PickleBytes.protocol(2).global("__torch__.m", "Net").emptyTuple().newObj().emptyDict().mark().str("training").stop();
        byte[] cut = java.util.Arrays.copyOf(truncated, truncated.length - 6);
        assertThatThrownBy(() -> strict().read(cut))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("model.pt: 'data.pkl' is not a pickle Tally can read (")
                .hasMessageEndingWith("); the file is damaged or was not written by PyTorch.");
    }

    @Test
    void aCallOfSomethingThatIsNotAGlobalIsRefused() {
        byte[] pickle = PickleBytes.protocol(2).str("os.system").mark().str("ls").tuple().reduce().stop();
        assertThatThrownBy(() -> strict().read(pickle)).isInstanceOf(ModelException.class)
                .hasMessage("model.pt: 'data.pkl' calls a String instead of a global; the file is damaged or was not written by PyTorch.");
    }

    @Test
    void aLengthPrefixPastTheEndIsRefusedBeforeAnythingIsAllocated() {
        // BINUNICODE claiming 2 GB in a pickle of a dozen bytes.
        byte[] pickle = PickleBytes.protocol(2).op('X').op(0xff).op(0xff).op(0xff).op(0x7f).op('a').stop();
        assertThatThrownBy(() -> strict().read(pickle)).isInstanceOf(ModelException.class)
                .hasMessageContaining("a length of 2147483647 bytes runs past the end of the pickle");
    }
}
