package dev.tally.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tally.ir.DType;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --values} reads each tensor's elements, in every dtype torch.save writes, following the view's offset
 * and strides; the tensors were made by PyTorch with values chosen so the figures can be worked out by hand.
 */
class ValuesTest {
    private static Map<String, Inventory.TensorEntry> read(String file) {
        AuditReport report = new Auditor().audit(PythonCheckpoints.file(file), true, false);
        assertThat(report.valuesRead()).isTrue();
        return report.inventory().tensors().stream().collect(Collectors.toMap(Inventory.TensorEntry::name, Function.identity()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"values.pth", "values_legacy.pth"})
    void nanAndInfinitiesAreCountedAndLeftOutOfTheRange(String file) {
        Map<String, Inventory.TensorEntry> tensors = read(file);

        // [1, -2, nan, inf, 4]: finite 1, -2, 4.
        assertThat(tensors.get("f32").stats()).isEqualTo(new ValueStats(1, 1, 0, 3, -2.0, 4.0, 1.0));
        // float16 [0.5, -1.5, -inf, 3]: finite 0.5, -1.5, 3, mean 2/3.
        ValueStats f16 = tensors.get("f16").stats();
        assertThat(tensors.get("f16").dtype()).isEqualTo(DType.FLOAT16);
        assertThat(f16.negativeInfinity()).isEqualTo(1);
        assertThat(f16.min()).isEqualTo(-1.5);
        assertThat(f16.max()).isEqualTo(3.0);
        assertThat(f16.mean()).isCloseTo(2.0 / 3, within(1e-12));
        // bfloat16 [2, nan, -4].
        assertThat(tensors.get("bf16").stats()).isEqualTo(new ValueStats(1, 0, 0, 2, -4.0, 2.0, -1.0));
        // float64 [[1.25, 2.5], [3.75, 5]].
        assertThat(tensors.get("f64").stats()).isEqualTo(new ValueStats(0, 0, 0, 4, 1.25, 5.0, 3.125));
        // int8 [-128, 0, 127, 1].
        assertThat(tensors.get("i8").stats()).isEqualTo(new ValueStats(0, 0, 0, 4, -128, 127, 0));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"values.pth", "values_legacy.pth"})
    void viewsAreReadThroughTheirOffsetAndStrides(String file) {
        Map<String, Inventory.TensorEntry> tensors = read(file);

        // arange(6).reshape(2, 3).t(): a transposed view, every element 0..5 once.
        assertThat(tensors.get("t").shape()).containsExactly(3L, 2L);
        assertThat(tensors.get("t").stats()).isEqualTo(new ValueStats(0, 0, 0, 6, 0, 5, 2.5));
        // arange(10)[4:7] shares the storage of arange(10): elements 4, 5, 6.
        assertThat(tensors.get("slice").offset()).isEqualTo(4);
        assertThat(tensors.get("slice").stats()).isEqualTo(new ValueStats(0, 0, 0, 3, 4, 6, 5));
        assertThat(tensors.get("whole").stats()).isEqualTo(new ValueStats(0, 0, 0, 10, 0, 9, 4.5));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"values.pth", "values_legacy.pth"})
    void nanOrInfInAnyTensorIsAFindingWithAHeadlineAndExitCodeFive(String file) {
        String path = PythonCheckpoints.file(file).toString();

        AuditCli.Result result = AuditCli.run(path, "--values");

        assertThat(result.exitCode()).isEqualTo(5);
        // f32 [1, -2, nan, inf, 4] and bf16 [2, nan, -4], as PythonCheckpoints saved them.
        assertThat(result.out()).contains("Values: NaN or Inf found")
                .contains("'f32' (1 NaN, 1 +Inf)").contains("'bf16' (1 NaN)");
        assertThat(result.err()).startsWith(file + ": ").contains(" hold NaN or Inf: ").endsWith(".\n");
        assertThat(AuditCli.run(path, "--values", "--format", "json").out()).contains("\"nonFiniteTensors\"").contains("\"f32\"");
        // Without --values no byte is read, so nothing is known about the values and the exit code stays 0.
        assertThat(AuditCli.run(path).exitCode()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"values.pth", "values_legacy.pth"})
    void tensorsSharingAStorageAreListedAndTheDtypeMixIsTotalled(String file) {
        AuditReport report = new Auditor().audit(PythonCheckpoints.file(file), false, false);

        assertThat(report.inventory().sharedStorages()).singleElement().satisfies(s -> {
            assertThat(s.tensors()).containsExactlyInAnyOrder("slice", "whole");
            assertThat(s.tied()).isFalse();
            assertThat(s.storageBytes()).isEqualTo(40);
        });
        assertThat(report.inventory().dtypes()).extracting(Inventory.DtypeTotal::dtype)
                .containsExactlyInAnyOrder(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16, DType.FLOAT64, DType.INT8);
        assertThat(report.inventory().tensors()).allSatisfy(t -> assertThat(t.stats()).isNull());
    }
}
