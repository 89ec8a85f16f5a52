package dev.tally.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.Convention;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.MemoryPass;
import dev.tally.analysis.NodeResult;
import dev.tally.cli.Main;
import dev.tally.ir.DType;
import dev.tally.ir.Model;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.load.torchscript.TorchScriptLoader;
import dev.tally.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Element types through the shape pass, against PyTorch's own figures (scripts/export_dtypes.py writes them beside
 * each fixture in {@code dtypes/}): a float16 resnet18 ({@code model.half()}, scripted and traced) and torchvision's
 * quantized classifiers (eager post-training quantization, scripted and traced). PyTorch's activation bytes are the
 * {@code numel * element_size()} of every tensor an op returns that its schema does not declare as a view or in-place
 * result; params are the state_dict's weights and biases (quantized modules keep theirs packed, not as nn.Parameters).
 */
class DtypesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The quantized classifiers the export script makes, and their input side. */
    private static final Map<String, Long> QUANTIZED = Map.of("resnet18", 224L, "mobilenet_v2", 224L, "googlenet", 224L,
            "shufflenet_v2_x1_0", 224L, "mobilenet_v3_large", 224L, "resnet50", 224L, "inception_v3", 299L);

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static JsonNode json(String... args) throws Exception {
        Run run = run(args);
        assertThat(run.code()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }

    // ---- float16 -------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scripted", "traced"})
    void aHalfResnet18HasHalfTheActivationBytesOfFloat32AsPyTorchCountsThem(String form) throws Exception {
        JsonNode expected = Fixtures.dtypesJson("resnet18_half.expected.json");
        long pyTorchHalf = expected.get("activationBytes").asLong();
        assertThat(pyTorchHalf).isEqualTo(10_339_280L).isEqualTo(expected.get("float32ActivationBytes").asLong() / 2);

        JsonNode half = json("summary", Fixtures.dtypes("resnet18_half." + form + ".pt").toString(), "--input", "1x3x224x224", "--format", "json");
        JsonNode single = json("summary", Fixtures.file("resnet18." + form + ".pt").toString(), "--input", "1x3x224x224", "--format", "json");

        assertThat(half.get("totals").get("activationBytes").asLong()).isEqualTo(pyTorchHalf)
                .isEqualTo(single.get("totals").get("activationBytes").asLong() / 2);
        // model.half() halves the floating tensors; the 20 BatchNorm num_batches_tracked counters stay int64 (8 B).
        long counters = 20 * 8;
        assertThat(half.get("totals").get("paramBytes").asLong()).isEqualTo(expected.get("paramBytes").asLong())
                .isEqualTo((expected.get("float32ParamBytes").asLong() - counters) / 2 + counters);
        assertThat(half.get("totals").get("params").asLong()).isEqualTo(expected.get("params").asLong());
        assertThat(half.get("totals").get("buffers").asLong()).isEqualTo(expected.get("buffers").asLong());
        assertThat(half.get("totals").get("macs").asLong()).isEqualTo(expected.get("macs").asLong());
        // Without ':float16' the input takes the model's floating type, as PyTorch requires of a half model.
        assertThat(half.get("inputs").get(0).get("dtype").asText()).isEqualTo("float16");
        assertThat(half.get("outputs").get(0).get("dtype").asText()).isEqualTo(expected.get("outputDtype").asText()).isEqualTo("float16");
    }

    @Test
    void aHalfResnet18NamesItsFloat16ModuleOutputsWithPyTorchsShapes() {
        JsonNode expected = Fixtures.dtypesJson("resnet18_half.expected.json");
        Model model = new TorchScriptLoader().load(Fixtures.dtypes("resnet18_half.scripted.pt"), Map.of(InputShapes.UNNAMED, Shape.of(1, 3, 224, 224)));
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);

        int compared = compareModules(expected, analysis);
        assertThat(compared).isEqualTo(expected.get("modules").size());
    }

    @Test
    void aDtypeGivenWithInputChangesEveryActivationsElementSize() throws Exception {
        String file = Fixtures.file("resnet18.scripted.pt").toString();
        long single = json("summary", file, "--input", "1x3x224x224", "--format", "json").get("totals").get("activationBytes").asLong();
        JsonNode half = json("summary", file, "--input", "x=1x3x224x224:float16", "--format", "json");
        JsonNode dbl = json("summary", file, "--input", "1x3x224x224:float64", "--format", "json");

        assertThat(half.get("inputs").get(0).get("dtype").asText()).isEqualTo("float16");
        assertThat(half.get("totals").get("activationBytes").asLong()).isEqualTo(single / 2);
        assertThat(dbl.get("totals").get("activationBytes").asLong()).isEqualTo(single * 2);
        // The half model read with an explicit ':float16' is the same as with its inferred float16 input.
        JsonNode halfModel = json("summary", Fixtures.dtypes("resnet18_half.scripted.pt").toString(), "--input", "1x3x224x224:float16", "--format", "json");
        assertThat(halfModel.get("totals").get("activationBytes").asLong()).isEqualTo(single / 2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"summary", "compare", "check", "verify", "explain", "fit"})
    void anUnknownInputDtypeIsOneSentenceListingTheValidOnes(String command) {
        String file = Fixtures.file("lenet5.scripted.pt").toString();
        List<String> args = new ArrayList<>(List.of(command, file));
        if (command.equals("compare")) {
            args.add(file);
        }
        if (command.equals("check")) {
            args.addAll(List.of("--max-params", "1"));
        }
        if (command.equals("fit")) {
            args.addAll(List.of("--memory", "1GiB"));
        }
        args.addAll(List.of("--input", "1x1x32x32:float8"));
        Run run = run(args.toArray(new String[0]));

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("The --input '1x1x32x32:float8' names an unknown input dtype 'float8'; use one of:"
                + " float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8, bool.");
    }

    @Test
    void anIntegerInputMayStateTheLargestValueItHolds() {
        Map<String, Shape> parsed = InputShapes.parseOverrides(
                List.of("lengths=1:int64:max100", "x=1x100x80"));
        assertThat(parsed.get("lengths")).isEqualTo(Shape.of(1));
        assertThat(InputShapes.dtypeOf(parsed, "lengths")).contains(DType.INT64);
        assertThat(InputShapes.valueBound(parsed, "lengths")).contains(100L);
        assertThat(InputShapes.valueBound(parsed, "x")).isEmpty();
        // A bound says nothing of a floating input's values: the sentence says what to write.
        assertThatThrownBy(() -> InputShapes.parseOverrides(List.of("lengths=1:max100")))
                .isInstanceOf(dev.tally.ir.UsageException.class)
                .hasMessage("The --input 'lengths=1:max100' bounds its values, which needs an integer type before it: write"
                        + " lengths=1:int64:max100.");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"float16", "bfloat16", "float32", "float64", "int64", "int32", "uint8", "bool"})
    void everyInputDtypeIsReadAndReported(String dtype) throws Exception {
        JsonNode report = json("summary", Fixtures.file("lenet5.scripted.pt").toString(), "--input", "1x1x32x32:" + dtype, "--format", "json");

        assertThat(report.get("inputs").get(0).get("dtype").asText()).isEqualTo(dtype);
        // The first conv's output keeps the input's type: numel(Y) elements of its size.
        JsonNode first = report.get("layers").get(0);
        long elements = 1;
        for (JsonNode dim : first.get("outputShape")) {
            elements *= dim.asLong();
        }
        assertThat(first.get("activationBytes").asLong()).isEqualTo(elements * DType.fromDisplayName(dtype).byteSize());
    }

    @Test
    void anOnnxFileKeepsTheInputTypeItDeclares() {
        Run run = run("summary", Fixtures.file("resnet18.onnx").toString(), "--input", "input=1x3x224x224:float16");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("input 'input' is float32 in the file, but --input gives float16");
    }

    // ---- quantized -----------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> quantizedClassifiersGivePyTorchsFiguresScriptedAndTraced() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Long> entry : QUANTIZED.entrySet()) {
            JsonNode expected = Fixtures.dtypesJson(entry.getKey() + "_quantized.expected.json");
            for (String form : List.of("scripted", "traced")) {
                assertThat(expected.get("errors").get(form).isNull()).as(entry.getKey() + " " + form + " made by PyTorch").isTrue();
                Path file = Fixtures.dtypes(entry.getKey() + "_quantized." + form + ".pt");
                tests.add(DynamicTest.dynamicTest(entry.getKey() + " " + form, () -> checkQuantized(expected, file, entry.getValue())));
            }
        }
        return tests.stream();
    }

    private static void checkQuantized(JsonNode expected, Path file, long side) {
        Model model = new TorchScriptLoader().load(file, Map.of(InputShapes.UNNAMED, Shape.of(1, 3, side, side)));
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        assertThat(analysis.nodes()).allSatisfy(n -> assertThat(n.status()).as(n.node().describe()).isEqualTo(NodeResult.Status.COUNTED));

        assertThat(sum(model, Role.PARAM)).as("params").isEqualTo(expected.get("params").asLong());
        assertThat(sum(model, Role.BUFFER)).as("buffers").isEqualTo(expected.get("buffers").asLong());
        long paramBytes = model.graph().params().values().stream().filter(p -> p.role() != Role.CONSTANT)
                .mapToLong(p -> p.numel() * p.dtype().byteSize()).sum();
        assertThat(paramBytes).as("param bytes").isEqualTo(expected.get("paramBytes").asLong());
        long macs = analysis.nodes().stream().mapToLong(n -> Convention.MACS.of(n.cost())).sum();
        assertThat(macs).as("MACs").isEqualTo(expected.get("macs").asLong());
        long activation = MemoryPass.run(analysis).allocated().stream().mapToLong(Long::longValue).sum();
        assertThat(activation).as("activation bytes").isEqualTo(expected.get("activationBytes").asLong());
        assertThat(analysis.outputs().get(0).info().orElseThrow().shape().dims()).as("output shape")
                .isEqualTo(Fixtures.Expected.longs(expected.get("outputShape")));
        assertThat(analysis.outputs().get(0).info().orElseThrow().dtype().displayName()).isEqualTo(expected.get("outputDtype").asText());
        assertThat(compareModules(expected, analysis)).as("modules compared").isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18", "mobilenet_v2"})
    void quantizedMacsEqualTheFloatModelsCount(String name) {
        JsonNode expected = Fixtures.dtypesJson(name + "_quantized.expected.json");

        assertThat(expected.get("macs").asLong()).isEqualTo(Fixtures.expected(name).macs());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"table", "markdown", "html", "csv", "json"})
    void everyFormatPrintsTheQuantizedModelsBytesAsPyTorchCountsThem(String format) {
        for (String name : List.of("resnet18", "mobilenet_v2")) {
            JsonNode expected = Fixtures.dtypesJson(name + "_quantized.expected.json");
            Run run = run("summary", Fixtures.dtypes(name + "_quantized.scripted.pt").toString(), "--input", "1x3x224x224", "--format", format);
            assertThat(run.code()).as(run.err()).isZero();
            String params = String.format("%,d", expected.get("params").asLong());
            String weight = String.format("%,d", expected.get("paramBytes").asLong());
            String activation = String.format("%,d", expected.get("activationBytes").asLong());
            long macs = expected.get("macs").asLong();
            switch (format) {
                case "table" -> assertThat(run.out()).containsPattern("Params +" + params + " ").containsPattern("Weight size +" + weight + " B")
                        .containsPattern("Activation memory +" + activation + " B").containsPattern("MACs \\* +" + String.format("%,d", macs) + " ");
                case "markdown" -> assertThat(run.out()).contains("| Params | " + params + " |").contains("| Weight size | " + weight + " B |")
                        .contains("| Activation memory | " + activation + " B |");
                case "html" -> assertThat(run.out()).contains("data-total=\"params\">" + params + "<").contains("data-total=\"paramBytes\">" + weight + "<")
                        .contains("data-total=\"activationBytes\">" + activation + "<").contains("data-total=\"macs\">" + String.format("%,d", macs) + "<");
                case "csv" -> assertThat(run.out()).contains("(total),,," + expected.get("params").asLong() + "," + expected.get("buffers").asLong() + ","
                        + expected.get("paramBytes").asLong() + "," + macs + ",");
                default -> assertThat(run.out()).contains("\"paramBytes\": " + expected.get("paramBytes").asLong())
                        .contains("\"activationBytes\": " + expected.get("activationBytes").asLong());
            }
            if (format.equals("csv")) {
                assertThat(run.out()).containsPattern("\\(total\\),.*," + expected.get("activationBytes").asLong() + ",\\d+,0\\s*$");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"macs", "ops"})
    void explainDerivesEveryQuantizedLayerAsItCountsIt(String convention) {
        for (String name : List.of("resnet18", "mobilenet_v3_large")) {
            Run run = run("explain", Fixtures.dtypes(name + "_quantized.scripted.pt").toString(), "--input", "1x3x224x224",
                    "--convention", convention);

            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out()).doesNotContain("disagrees").contains("QuantizedConv").contains("x 1 = ");
            if (convention.equals("ops")) {
                assertThat(run.out()).contains("(with the fused ReLU's 2 ops per output)");
            }
        }
    }

    @Test
    void theAuditOfAQuantizedArchiveNamesItsPackedParamsAndListsEveryStoredTensor() throws Exception {
        JsonNode expected = Fixtures.dtypesJson("resnet18_quantized.expected.json");
        Run run = run("audit", Fixtures.dtypes("resnet18_quantized.scripted.pt").toString(), "--format", "json");

        assertThat(run.code()).as(run.err()).isZero();
        JsonNode audit = JSON.readTree(run.out());
        List<String> globals = new ArrayList<>();
        audit.get("safety").get("globals").forEach(g -> globals.add(g.get("global").asText()));
        assertThat(globals).contains("__torch__.torch.classes.quantized.LinearPackedParamsBase", "torch._utils._rebuild_qtensor",
                "torch.per_tensor_affine", "torch.QInt8Storage");
        // Every tensor of the archive: the weights and biases (PyTorch's params) and the quant stub's scale and zero point.
        assertThat(audit.get("inventory").get("params").asLong() + audit.get("inventory").get("buffers").asLong())
                .isEqualTo(expected.get("params").asLong() + expected.get("buffers").asLong());
        assertThat(audit.get("inventory").get("bytes").asLong()).isEqualTo(expected.get("paramBytes").asLong());
        assertThat(audit.get("tensors").get(0).get("name").asText()).isEqualTo("conv1.(state)[10]");
        assertThat(audit.get("tensors").get(0).get("dtype").asText()).isEqualTo("qint8");
    }

    // ---- shared --------------------------------------------------------------------------------------------

    /** Every module PyTorch's hooks saw with one tensor output: the last node of the module has its shape and dtype. */
    private static int compareModules(JsonNode expected, Analysis analysis) {
        int compared = 0;
        for (JsonNode module : expected.get("modules")) {
            if (module.get("outputShape").isNull()) {
                continue;
            }
            String name = module.get("name").asText();
            List<NodeResult> inModule = analysis.nodes().stream()
                    .filter(n -> n.node().layer().equals(name) || n.node().layer().startsWith(name + ".")).toList();
            if (inModule.isEmpty()) {
                // A module with no op of its own (nn.Identity in place of a fused BatchNorm, a Dropout the trace left
                // out): its output is its input.
                assertThat(module.get("type").asText()).as("module '" + name + "' with no nodes").isIn("Identity", "Dropout");
                continue;
            }
            var output = inModule.get(inModule.size() - 1).outputs().get(0);
            assertThat(output.shape().dims()).as("output shape of module '" + name + "'").isEqualTo(Fixtures.Expected.longs(module.get("outputShape")));
            assertThat(output.dtype().displayName()).as("output dtype of module '" + name + "'").isEqualTo(module.get("outputDtype").asText());
            compared++;
        }
        return compared;
    }

    private static long sum(Model model, Role role) {
        return model.graph().params().values().stream().filter(p -> p.role() == role).mapToLong(Param::numel).sum();
    }
}
