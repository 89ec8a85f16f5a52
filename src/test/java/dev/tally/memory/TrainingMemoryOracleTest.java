package dev.tally.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.Tally;
import dev.tally.analysis.Optimizer;
import dev.tally.analysis.TrainingMemory;
import dev.tally.load.ModelLoader;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.TrainingPass;
import dev.tally.analysis.rules.Rules;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Tally's training memory against PyTorch measuring itself (scripts/export_memory_oracle.py):
 * <ul>
 *   <li>{@code savedBytes}: the model in train mode under {@code saved_tensors_hooks}, the bytes of the unique storages
 *       packed during the forward (parameters and buffers left out), at batch 1 for every fixture and at batch 8 for the
 *       core CNNs. Tally's saved activations must EQUAL it for the TorchScript forms of every CNN; the ONNX forms differ
 *       only as the table below names; the transformers must be within 5%.</li>
 *   <li>{@code trainingPeakBytes}: the storage tracker's peak over the second step of torch 1.13's default loop (zero_grad
 *       keeps the gradients), for Adam and SGD. Tally's {@code trainingBytes} must be within 10%.</li>
 * </ul>
 */
class TrainingMemoryOracleTest {
    /**
     * The ONNX forms whose saved activations are below PyTorch's, and why (the same table is in docs/conventions.md,
     * "Training memory"). The exporter writes the eval-mode graph: Dropout is the identity there and is left out, and
     * BatchNorm is folded into the convolution before it, so neither's saved tensors can be seen in the file.
     */
    private static final Map<String, String> ONNX_BELOW = Map.ofEntries(
            Map.entry("worksheet", "dropout left out by the exporter: its masks and the tensors after it"),
            Map.entry("alexnet", "dropout left out"),
            Map.entry("vgg11", "dropout left out"),
            Map.entry("vgg16", "dropout left out"),
            Map.entry("vgg16_bn", "dropout left out; batch norm folded into the convolutions"),
            Map.entry("vgg19", "dropout left out"),
            Map.entry("resnet18", "batch norm folded into the convolutions"),
            Map.entry("resnet50", "batch norm folded into the convolutions"),
            Map.entry("googlenet", "dropout left out; batch norm folded"),
            Map.entry("squeezenet1_1", "dropout left out"),
            Map.entry("mobilenet_v2", "dropout left out; batch norm folded"),
            Map.entry("densenet121", "batch norm folded (the norms that follow a concatenation stay, so only part)"),
            Map.entry("inception_v3", "dropout left out; batch norm folded"),
            Map.entry("resnext50_32x4d", "batch norm folded"),
            Map.entry("wide_resnet50_2", "batch norm folded"),
            Map.entry("shufflenet_v2_x1_0", "batch norm folded"),
            Map.entry("mnasnet1_0", "dropout left out; batch norm folded"),
            Map.entry("mobilenet_v3_large", "dropout left out; batch norm folded"),
            Map.entry("efficientnet_b0", "dropout and stochastic depth left out; batch norm folded"),
            Map.entry("regnet_y_400mf", "batch norm folded"),
            Map.entry("squeezenet1_0", "dropout left out"));

    /**
     * The transformers: the issue allows 5% of PyTorch's saved activations; Tally must be within 0.001%, and at or
     * below it. What is left is the Python scalars (an attention scale, a GELU's divisor) that a product or quotient
     * with an activation wraps into 8-byte tensors and keeps: ONNX stores them as constants, which are not activations
     * (vit_b_16 96 B, convnext_tiny 68 B, swin_t 184 B below at batch 1, measured 2026-12-01). LayerNorm, softmax and
     * GELU are not folded by the exporter, so the ONNX form is compared too; swin_t's fused-qkv matmuls need matmul's
     * copies of non-contiguous batched operands (MatMulSavedRule) and its shift masks, built from constants, keep
     * nothing (no input needs a gradient).
     */
    private static final Map<String, String> TRANSFORMERS = Map.of(
            "convnext_tiny", "transformer-style blocks", "vit_b_16", "transformer", "swin_t", "transformer");

    /** How far below PyTorch's saved bytes a transformer may be: 1 part in 100,000 (0.001%). */
    private static final long TRANSFORMER_PARTS = 100_000;

    /**
     * TorchScript forms that differ from PyTorch's saved bytes by a fixed number of bytes per sample, and why. The test
     * fails if the gap is any other number.
     */
    private static final Map<String, Long> TORCHSCRIPT_BELOW_PER_SAMPLE = Map.of(
            // torchvision's StochasticDepth returns its input in eval mode, so the traced and scripted files (made in
            // eval mode) have no op for it; in train mode its 9 residual blocks each keep a noise tensor of one
            // float per sample (MulBackward0 saves `other`).
            "efficientnet_b0", 9L * 4);

    @Test
    void savedActivationsEqualPyTorchsForEveryCnnFixtureAtBatchOneAndEight() {
        List<String> failures = new ArrayList<>();
        List<String> table = new ArrayList<>();
        int compared = 0;
        for (String name : Fixtures.models()) {
            JsonNode saved = PeakMemoryOracleTest.oracle(name).path("savedBytes");
            if (saved.isMissingNode()) {
                continue;
            }
            Fixtures.Expected expected = Fixtures.expected(name);
            for (Iterator<String> batches = saved.fieldNames(); batches.hasNext(); ) {
                String batch = batches.next();
                long oracle = saved.get(batch).asLong();
                String input = inputAt(expected, Long.parseLong(batch));
                for (String form : List.of("traced", "scripted", "onnx")) {
                    Path file = expected.file(form);
                    if (file == null) {
                        continue;
                    }
                    long tally = training(file, input, Optimizer.ADAM).savedActivations();
                    compared++;
                    String key = name + " " + form + " batch " + batch;
                    table.add(String.format("%-32s Tally %,15d B  PyTorch %,15d B  %+.4f%%", key, tally, oracle,
                            100.0 * (tally - oracle) / oracle));
                    if (TRANSFORMERS.containsKey(name)) {
                        if (tally > oracle || Math.multiplyExact(oracle - tally, TRANSFORMER_PARTS) > oracle) {
                            failures.add(String.format("%s: Tally %,d B, PyTorch %,d B: not within 0.001%% at or below",
                                    key, tally, oracle));
                        }
                    } else if (!form.equals("onnx") && TORCHSCRIPT_BELOW_PER_SAMPLE.containsKey(name)) {
                        long gap = TORCHSCRIPT_BELOW_PER_SAMPLE.get(name) * Long.parseLong(batch);
                        if (oracle - tally != gap) {
                            failures.add(String.format("%s: Tally %,d B, PyTorch %,d B; listed as %,d B below", key, tally,
                                    oracle, gap));
                        }
                    } else if (form.equals("onnx") && ONNX_BELOW.containsKey(name)) {
                        if (tally >= oracle) {
                            failures.add(key + " is listed as below PyTorch (" + ONNX_BELOW.get(name) + ") but Tally has "
                                    + tally + " B against " + oracle + " B: remove it from the list");
                        }
                    } else if (tally != oracle) {
                        failures.add(String.format("%s: Tally %,d B, PyTorch %,d B", key, tally, oracle));
                    }
                }
            }
        }
        System.out.println(String.join("\n", table));
        assertThat(compared).as("forms and batches compared").isGreaterThanOrEqualTo(13 * 3 * 2 + 6 * 2 + 12);
        assertThat(failures).as("saved-for-backward bytes against PyTorch's own").isEmpty();
    }

    @Test
    void trainingBytesAreWithinTenPercentOfPyTorchsMeasuredTrainingStep() {
        List<String> failures = new ArrayList<>();
        List<String> table = new ArrayList<>();
        int compared = 0;
        for (String name : Fixtures.models()) {
            JsonNode peaks = PeakMemoryOracleTest.oracle(name).path("trainingPeakBytes");
            if (peaks.isMissingNode()) {
                continue;
            }
            Fixtures.Expected expected = Fixtures.expected(name);
            for (Iterator<String> optimizers = peaks.fieldNames(); optimizers.hasNext(); ) {
                String optimizer = optimizers.next();
                long oracle = peaks.get(optimizer).asLong();
                TrainingMemory memory = training(expected.file("traced"), inputAt(expected, 1), Optimizer.parse(optimizer));
                long tally = memory.total();
                double off = (tally - oracle) / (double) oracle;
                compared++;
                table.add(String.format("%-28s Tally %,13d B  PyTorch %,13d B  %+.2f%%  (%s)", name + " " + optimizer, tally,
                        oracle, 100 * off, memory));
                if (Math.abs(off) > 0.10) {
                    failures.add(String.format("%s %s: Tally %,d B, PyTorch %,d B (%+.2f%%)", name, optimizer, tally, oracle, 100 * off));
                }
            }
        }
        System.out.println(String.join("\n", table));
        assertThat(compared).as("models and optimizers compared").isGreaterThanOrEqualTo(8);
        assertThat(failures).as("training memory against PyTorch's measured step").isEmpty();
    }

    private static TrainingMemory training(Path file, String input, Optimizer optimizer) {
        Map<String, Shape> shapes = InputShapes.parseOverrides(List.of(input));
        Model model = ModelLoader.load(file, shapes);
        return TrainingPass.run(new Analyzer(Rules.standard()).analyze(model, shapes, false), optimizer);
    }

    private static String inputAt(Fixtures.Expected expected, long batch) {
        List<Long> shape = new ArrayList<>(expected.inputShape());
        shape.set(0, batch);
        return shape.stream().map(String::valueOf).collect(Collectors.joining("x"));
    }
}
