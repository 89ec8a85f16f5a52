package dev.tally.load.torchscript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.Analyzer;
import dev.tally.analysis.InputShapes;
import dev.tally.analysis.NodeResult;
import dev.tally.analysis.ShapePass;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Attribute;
import dev.tally.ir.DType;
import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.ir.UnsafePickleException;
import dev.tally.ir.UnsupportedOpException;
import dev.tally.load.ModelLoader;
import dev.tally.load.pytorch.PickleBytes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader on small archives assembled here record by record, in the layout torch.jit.save writes: each test
 * holds exactly the bytes of the case it checks (a shared weight, a hostile pickle, a line of code Tally does
 * not know, a damaged zip).
 */
class TorchScriptLoaderTest {
    @TempDir
    Path temp;

    /** A net whose two Linear layers share one 3x3 weight, with a checked input, a loop and root-level ReLUs. */
    private static final String NET_CODE = String.join("\n",
            "class Net(Module):",
            "  __parameters__ = []",
            "  __buffers__ = []",
            "  training : bool",
            "  fc : __torch__.m.Lin",
            "  fc2 : __torch__.m.Lin",
            "  def forward(self: __torch__.m.Net,",
            "    x: Tensor) -> Tensor:",
            "    fc = self.fc",
            "    fc2 = self.fc2",
            "    if torch.ne(torch.dim(x), 2):",
            "      ops.prim.RaiseException(\"AssertionError: \")",
            "    else:",
            "      pass",
            "    y = (fc).forward(x, )",
            "    for i in range(torch.sub(torch.size(y, 1), 1)):",
            "      y = torch.relu(y)",
            "    return (fc2).forward(y, )",
            "class Lin(Module):",
            "  __parameters__ = [\"weight\", \"bias\", ]",
            "  __buffers__ = []",
            "  weight : Tensor",
            "  bias : Tensor",
            "  def forward(self: __torch__.m.Lin,",
            "    input: Tensor) -> Tensor:",
            "    bias = self.bias",
            "    weight = self.weight",
            "    return torch.linear(input, weight, bias)",
            "");

    /**
     * NET_CODE with its forward's body from {@code fc = self.fc} replaced by {@code forward}, which ends with the line
     * {@code class Lin(Module):} so the Lin class that follows stays whole.
     */
    private static String withForward(String forward) {
        return NET_CODE.substring(0, NET_CODE.indexOf("    fc = self.fc")) + forward
                + NET_CODE.substring(NET_CODE.indexOf("class Lin(Module):") + "class Lin(Module):".length());
    }

    /** The result of the first node of op {@code opType}. */
    private static NodeResult firstOf(Analysis analysis, String opType) {
        return analysis.nodes().stream().filter(n -> n.node().opType().equals(opType)).findFirst().orElseThrow();
    }

    private static byte[] netPickle() {
        return PickleBytes.protocol(2)
                .global("__torch__.m", "Net").emptyTuple().newObj().emptyDict().mark()
                .str("training").bool(false)
                .str("fc").global("__torch__.m", "Lin").put(1).emptyTuple().newObj().emptyDict().mark()
                .str("weight").floatTensor("0", 3, 3).str("bias").floatTensor("1", 3).setItems().build()
                .str("fc2").get(1).emptyTuple().newObj().emptyDict().mark()
                .str("weight").floatTensor("0", 3, 3).str("bias").floatTensor("2", 3).setItems().build()
                .setItems().build().stop();
    }

    private Path archive(String fileName, Map<String, byte[]> records) throws IOException {
        Path path = temp.resolve(fileName);
        try (OutputStream file = Files.newOutputStream(path); ZipOutputStream zip = new ZipOutputStream(file)) {
            for (Map.Entry<String, byte[]> record : records.entrySet()) {
                zip.putNextEntry(new ZipEntry("m/" + record.getKey()));
                zip.write(record.getValue());
                zip.closeEntry();
            }
        }
        return path;
    }

    private Map<String, byte[]> netRecords(String code) {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("version", "3\n".getBytes(StandardCharsets.US_ASCII));
        records.put("data.pkl", netPickle());
        records.put("constants.pkl", PickleBytes.protocol(2).emptyTuple().stop());
        records.put("code/__torch__/m.py", code.getBytes(StandardCharsets.UTF_8));
        records.put("data/0", new byte[36]);
        records.put("data/1", new byte[12]);
        records.put("data/2", new byte[12]);
        return records;
    }

    @Test
    void aSharedWeightIsCountedOnceAndBranchesAndLoopsFollowTheShapes() throws IOException {
        Path path = archive("net.pt", netRecords(NET_CODE));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(1, 3)));

        assertThat(model.graph().params().values()).extracting(Param::name, Param::role, Param::numel).containsExactly(
                org.assertj.core.groups.Tuple.tuple("fc.weight", Role.PARAM, 9L),
                org.assertj.core.groups.Tuple.tuple("fc.bias", Role.PARAM, 3L),
                org.assertj.core.groups.Tuple.tuple("fc2.bias", Role.PARAM, 3L));
        // size(y, 1) - 1 = 2 iterations of the loop: two ReLUs at the root, between the two layers.
        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly("Linear", "Relu", "Relu", "Linear");
        assertThat(model.graph().nodes()).extracting(Node::layer).containsExactly("fc", "Relu", "Relu#2", "fc2");
        assertThat(model.graph().nodes().get(3).inputs()).containsExactly("Relu#2", "fc.weight", "fc2.bias");
        assertThat(model.graph().nodes().get(0).source()).isEqualTo("code/__torch__/m.py:28");
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        assertThat(analysis.outputs().get(0).info().orElseThrow().shape()).isEqualTo(Shape.of(1, 3));
        assertThat(analysis.nodes().get(3).params()).as("the shared weight is claimed by its first reader").extracting(Param::name)
                .containsExactly("fc2.bias");
    }

    @Test
    void conversionsToAnotherTypeAreCastNodesAndTheTypeFlowsThroughTheLayers() throws IOException {
        // x.half() before fc (ScalarType 5), a no-op x.to(float16), and y.float() before fc2.
        String code = NET_CODE.replace("    y = (fc).forward(x, )", "    y = (fc).forward(torch.to(torch.to(x, 5), 5), )")
                .replace("    return (fc2).forward(y, )", "    return (fc2).forward(torch.float(y), )");
        Path path = archive("net.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(1, 3)));
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);

        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly("Cast", "Linear", "Relu", "Relu", "Cast", "Linear");
        assertThat(analysis.nodes()).extracting(n -> n.outputs().get(0).dtype().displayName())
                .containsExactly("float16", "float16", "float16", "float16", "float32", "float32");
        // Three float16 outputs of 3 elements (2 B each) where float32 would take 4 B; the casts allocate too.
        assertThat(analysis.nodes()).extracting(NodeResult::activationBytes).containsExactly(6L, 6L, 6L, 6L, 12L, 12L);
    }

    @Test
    void withoutInputShapesTheInputCheckThatOnlyRaisesIsSkippedButShapeLoopsNeedTheShape() throws IOException {
        Path path = archive("net.pt", netRecords(NET_CODE));
        assertThatThrownBy(() -> new TorchScriptLoader().load(path))
                .isInstanceOf(ModelException.class)
                .hasMessage("net.pt: code/__torch__/m.py:16: cannot loop over a range whose bounds are not known integers;"
                        + " TorchScript files do not record input shapes, so pass one with --input, e.g. --input 1x3x224x224.");
    }

    @Test
    void theModelsOwnInputCheckFailingIsReportedAsSuch() throws IOException {
        Path path = archive("net.pt", netRecords(NET_CODE));
        assertThatThrownBy(() -> new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(1, 3, 1))))
                .isInstanceOf(ModelException.class)
                .hasMessage("net.pt: the model's own code raises 'AssertionError: ' for this input; check the input shape given with --input.");
    }

    @Test
    void codeTheInterpreterDoesNotKnowIsNamedByFileAndLine() throws IOException {
        String code = NET_CODE.replace("    y = (fc).forward(x, )", "    y = (fc).forward(x, )\n    yield y");
        Path path = archive("net.pt", netRecords(code));
        assertThatThrownBy(() -> new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(1, 3))))
                .isInstanceOf(ModelException.class)
                .hasMessage("net.pt: code/__torch__/m.py:16: cannot interpret 'yield'.");
    }

    @Test
    void aStatementThatCannotBeFollowedIsAGapAtItsLineAndTheRestOfForwardIsStillCounted() throws IOException {
        // Line 16 branches on a tensor's value: which branch runs depends on the data. y is unknown after it, so
        // fc2 on y is left out; fc2 on x does not depend on the gap and is counted.
        String code = NET_CODE.replace(String.join("\n",
                "    for i in range(torch.sub(torch.size(y, 1), 1)):",
                "      y = torch.relu(y)",
                "    return (fc2).forward(y, )"), String.join("\n",
                "    if torch.gt(torch.sum(y), 0):",
                "      y = torch.relu(y)",
                "    else:",
                "      y = torch.neg(y)",
                "    z = (fc2).forward(x, )",
                "    w = (fc2).forward(y, )",
                "    return (z, w)"));
        Path path = archive("net.pt", netRecords(code));
        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(1, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly("Linear", "ReduceSum", "Greater",
                TorchScriptLoader.UNFOLLOWED, "Linear", "Linear");
        Node gap = model.graph().nodes().get(3);
        assertThat(gap.name()).isEqualTo("code/__torch__/m.py:16/" + TorchScriptLoader.UNFOLLOWED);
        assertThat(gap.inputs()).as("the tensors the statement reads").containsExactly("fc/Linear");
        assertThat(model.graph().nodes().get(5).inputs().get(0)).as("y is the gap's output").isEqualTo(gap.outputs().get(0));
        assertThat(model.notes()).containsExactly("The TorchScript interpreter cannot follow 1 statement (code/__torch__/m.py:16:"
                + " cannot decide the truth of a tensor, which depends on a tensor's values or a shape no rule worked out);"
                + " each is listed as not counted, what it computes has no known shape, and every node that depends on it is"
                + " left out of the totals; the rest of forward is counted.");
        Analysis analysis = new Analyzer().analyze(model, Map.of(), false);
        assertThat(analysis.nodes()).extracting(NodeResult::status).containsExactly(NodeResult.Status.COUNTED,
                NodeResult.Status.COUNTED, NodeResult.Status.COUNTED, NodeResult.Status.UNSUPPORTED, NodeResult.Status.COUNTED,
                NodeResult.Status.UNRESOLVED);
        assertThat(analysis.outputs().get(0).info().orElseThrow().shape()).isEqualTo(Shape.of(1, 3));
        assertThat(analysis.outputs().get(1).info()).as("w depends on the gap").isEmpty();
    }

    /** NET_CODE with its loop replaced by a loop over the rows of a NonZero (a count of the data, at most 6 here). */
    private static String loopOverData(String body) {
        return NET_CODE.replace(String.join("\n",
                "    for i in range(torch.sub(torch.size(y, 1), 1)):",
                "      y = torch.relu(y)",
                "    return (fc2).forward(y, )"), String.join("\n",
                "    k = torch.nonzero(torch.gt(y, 0.))",
                "    z = torch.zeros_like(y)",
                "    for i in range(torch.len(k)):",
                "      " + body,
                "    return z"));
    }

    @Test
    void aLoopWhoseTripCountIsDataIsCountedAsItsBoundTimesOnePassOverItsBody() throws IOException {
        // k has at most 6 rows (the elements of y, [2, 3]): the body's Linear runs at most 6 times.
        Path path = archive("loop.pt", netRecords(loopOverData("z = torch.add(z, (fc2).forward(y, ))")));
        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        List<Node> body = model.graph().nodes().stream().filter(n -> n.attribute(ShapePass.REPEATS).isPresent()).toList();
        assertThat(body).extracting(Node::opType).containsExactly("Linear", "Add");
        assertThat(body).allMatch(n -> ShapePass.repeats(n) == 6);
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        NodeResult loopLinear = analysis.nodes().stream().filter(r -> r.node() == body.get(0)).findFirst().orElseThrow();
        // One pass is 2 x 3 x 3 = 18 MACs; counted 6 times, data-dependent, with the bound stated.
        assertThat(loopLinear.cost().macs()).isEqualTo(6 * 18);
        assertThat(loopLinear.dataDependent()).isTrue();
        assertThat(loopLinear.note()).contains("the loop at code/__torch__/m.py:18 runs a number of times that depends on the data,"
                + " at most 6 (the bound of its range); its body is counted 6 times");
        assertThat(analysis.outputs().get(0).info().orElseThrow().shape()).isEqualTo(Shape.of(2, 3));
        assertThat(model.graph().nodes()).extracting(Node::opType).as("no gap").doesNotContain(TorchScriptLoader.UNFOLLOWED);
    }

    /** NET_CODE with its loop replaced by a loop over the rows of a NonZero (at most 6) appending to a list, then stacked. */
    private static String appendLoopOverData(String body) {
        return NET_CODE.replace(String.join("\n",
                "    for i in range(torch.sub(torch.size(y, 1), 1)):",
                "      y = torch.relu(y)",
                "    return (fc2).forward(y, )"), String.join("\n",
                "    k = torch.nonzero(torch.gt(y, 0.))",
                "    res = annotate(List[Tensor], [])",
                "    for i in range(torch.len(k)):",
                body,
                "    if torch.gt(torch.len(res), 0):",
                "      z = torch.stack(res)",
                "    else:",
                "      z = torch.new_empty(y, [0, 2, 3])",
                "    return z"));
    }

    @Test
    void aLoopOverDataThatOnlyAppendsToAListLeavesAtMostItsBoundItemsAndStackIsTheBound() throws IOException {
        // torchvision's paste_masks_in_image: one tensor appended per box, then stacked; at most 6 rows of k here.
        Path path = archive("append.pt", netRecords(appendLoopOverData("      _0 = torch.append(res, (fc2).forward(y, ))")));
        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).as("no gap").doesNotContain(TorchScriptLoader.UNFOLLOWED);
        List<Node> body = model.graph().nodes().stream().filter(n -> n.attribute(ShapePass.REPEATS).isPresent()).toList();
        assertThat(body).extracting(Node::opType).containsExactly("Linear");
        assertThat(ShapePass.repeats(body.get(0))).isEqualTo(6);
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        // Six [2, 3] items stacked at most (len(res) > 0 undecided: both branches, the larger per axis), data-dependent.
        assertThat(analysis.outputs().get(0).info().orElseThrow().shape()).isEqualTo(Shape.of(6, 2, 3));
        assertThat(analysis.outputs().get(0).info().orElseThrow().dataDependent()).isTrue();
        NodeResult loopLinear = analysis.nodes().stream().filter(r -> r.node() == body.get(0)).findFirst().orElseThrow();
        assertThat(loopLinear.cost().macs()).isEqualTo(6 * 18);
        assertThat(loopLinear.note()).contains("at most 6 (the bound of its range); its body is counted 6 times");
    }

    @Test
    void aLoopOverDataThatAppendsTwiceOrReadsItsListIsAGapAtItsLine() throws IOException {
        // Two appends per iteration, or a read of the list in the body (its length is the iteration's): not the bound.
        for (String body : List.of("      _0 = torch.append(res, y)\n      _1 = torch.append(res, y)",
                "      _0 = torch.append(res, torch.add(y, torch.len(res)))")) {
            Path path = archive("append2.pt", netRecords(appendLoopOverData(body)));
            Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

            assertThat(String.join(" ", model.notes())).as(body).contains("code/__torch__/m.py:18: cannot count a loop whose trip"
                    + " count depends on the data (at most 6) as its bound times one iteration, as its body changes the list 'res'"
                    + " in place");
        }
    }

    @Test
    void anInPlaceWriteIntoAViewOfZerosLeavesTheirValuesUnknownNotZero() throws IOException {
        // torchvision's expand_boxes: boxes_exp = zeros_like(boxes), then copy_ into boxes_exp[:, 0]: boxes_exp is no
        // longer all 0, so its values are not carried (an int read from it would otherwise be taken for 0).
        String code = NET_CODE.replace(String.join("\n",
                "    for i in range(torch.sub(torch.size(y, 1), 1)):",
                "      y = torch.relu(y)",
                "    return (fc2).forward(y, )"), String.join("\n",
                "    z = torch.zeros_like(y)",
                "    _0 = torch.copy_(torch.select(z, 1, 0), torch.select(y, 1, 0))",
                "    return z"));
        Path path = archive("written.pt", netRecords(code));
        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).contains("WrittenView");
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        assertThat(analysis.outputs().get(0).info().orElseThrow().shape()).isEqualTo(Shape.of(2, 3));
        assertThat(analysis.outputs().get(0).info().orElseThrow().hasData()).as("z's values after the write").isFalse();
        assertThat(analysis.nodes()).as("nothing left uncounted").allMatch(r -> r.status() == NodeResult.Status.COUNTED);
    }

    @Test
    void aLoopOverDataWhoseBodyGrowsATensorIsAGapAtItsLine() throws IOException {
        // Each iteration makes z longer: the one pass followed would not bound the later ones.
        Path path = archive("grows.pt", netRecords(loopOverData("z = torch.cat([z, y])")));
        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        assertThat(model.graph().nodes()).extracting(Node::name).contains("code/__torch__/m.py:18/" + TorchScriptLoader.UNFOLLOWED);
        assertThat(String.join(" ", model.notes())).contains("code/__torch__/m.py:18: cannot count a loop whose trip count depends"
                + " on the data (at most 6) as its bound times one iteration, as its body changes the shape of 'z' from one"
                + " iteration to the next");
    }

    @Test
    void anAtenOpWithoutAMappingIsKeptAsAnUnsupportedNodeNeverDropped() throws IOException {
        String code = NET_CODE.replace("      y = torch.relu(y)", "      y = torch.frobnicate(y, 2)");
        Path path = archive("net.pt", netRecords(code));
        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(1, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly("Linear", "aten::frobnicate", "aten::frobnicate", "Linear");
        Analysis analysis = new Analyzer().analyze(model, Map.of(), false);
        assertThat(analysis.nodes()).extracting(NodeResult::status).containsExactly(NodeResult.Status.COUNTED,
                NodeResult.Status.UNSUPPORTED, NodeResult.Status.UNSUPPORTED, NodeResult.Status.UNRESOLVED);
        assertThatThrownBy(() -> new Analyzer().analyze(model, Map.of(), true)).isInstanceOf(UnsupportedOpException.class)
                .hasMessageContaining("no rule for op 'aten::frobnicate'");
    }

    @Test
    void aForbiddenGlobalInsideATorchScriptArchiveIsRefusedAndNothingRuns() throws IOException {
        Path marker = temp.resolve("pwned");
        Map<String, byte[]> records = netRecords(NET_CODE);
        records.put("data.pkl", PickleBytes.protocol(2).global("os", "system").mark().str("touch " + marker).tuple().reduce().stop());
        Path path = archive("evil.pt", records);

        assertThat(ModelLoader.detect(path)).isEqualTo(ModelLoader.Kind.TORCHSCRIPT);
        assertThatThrownBy(() -> ModelLoader.load(path))
                .isInstanceOf(UnsafePickleException.class)
                .hasMessage("evil.pt: 'data.pkl' references the global 'os.system', which is not a PyTorch model global,"
                        + " so Tally refuses the file without running it; inspect it with 'tally audit'.");
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void aMissingDataPklRecordIsNamed() throws IOException {
        Map<String, byte[]> records = netRecords(NET_CODE);
        records.remove("data.pkl");
        Path path = archive("partial.pt", records);
        assertThatThrownBy(() -> new TorchScriptLoader().load(path))
                .isInstanceOf(ModelException.class)
                .hasMessage("partial.pt has no record 'm/data.pkl'; the archive is incomplete, so re-save the model with torch.jit.save.");
    }

    @Test
    void missingClassCodeIsNamedWithTheModule() throws IOException {
        String code = NET_CODE.substring(0, NET_CODE.indexOf("class Lin"));
        Path path = archive("net.pt", netRecords(code));
        assertThatThrownBy(() -> new TorchScriptLoader().load(path))
                .isInstanceOf(ModelException.class)
                .hasMessage("net.pt: the code of class '__torch__.m.Lin' (module 'fc') is missing from the archive;"
                        + " re-save the model with torch.jit.save.");
    }

    @Test
    void aTruncatedArchiveIsAClearError() throws IOException {
        Path whole = archive("whole.pt", netRecords(NET_CODE));
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = temp.resolve("cut.pt");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> new TorchScriptLoader().load(cut))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("cut.pt is a damaged or truncated zip archive (")
                .hasMessageEndingWith("); re-save or re-download the model.");
    }

    @Test
    void aStateDictSavedAsPtIsCountedThroughTheCatalogNotReadAsAGraph() throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("data.pkl", PickleBytes.protocol(2).global("collections", "OrderedDict").emptyTuple().reduce()
                .mark().str("fc.weight").floatTensor("0", 3, 3).setItems().stop());
        records.put("data/0", new byte[36]);
        records.put("version", "3\n".getBytes(StandardCharsets.US_ASCII));
        Path path = archive("weights.pt", records);

        assertThat(ModelLoader.detect(path)).isEqualTo(ModelLoader.Kind.CHECKPOINT);
        assertThatThrownBy(() -> ModelLoader.load(path))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("weights.pt is a checkpoint Tally cannot count: no catalog architecture has these keys")
                .hasMessageContaining("run 'tally audit weights.pt'");
    }

    @Test
    void theArchiveVersionIsReportedAsTheProducer() throws IOException {
        Path path = archive("net.pt", netRecords(NET_CODE));
        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(1, 3)));
        assertThat(model.producer()).isEqualTo("torchscript (archive version 3)");
    }

    @Test
    void modelLoaderHandsTheInputShapesToTheTorchScriptReader() throws IOException {
        Path path = archive("net.pt", netRecords(NET_CODE));
        Model model = ModelLoader.load(path, Map.of(InputShapes.UNNAMED, Shape.of(1, 3)));
        assertThat(model.graph().inputs().get(0).type().orElseThrow().knownShape()).contains(Shape.of(1, 3));
        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly("Linear", "Relu", "Relu", "Linear");
    }

    @Test
    void smallConstantTensorsAreReadSoTracedShapeArithmeticResolves() throws IOException {
        String forward = String.join("\n",
                "    fc = self.fc",
                "    y = (fc).forward(x, )",
                "    _0 = torch.floor_divide(ops.prim.NumToTensor(torch.size(y, 0)), CONSTANTS.c0)",
                "    return torch.view(y, [int(_0), -1])",
                "class Lin(Module):");
        String code = withForward(forward);
        Map<String, byte[]> records = netRecords(code);
        records.put("constants.pkl", PickleBytes.protocol(2).mark().longScalar("0").tuple().stop());
        records.put("constants/0", new byte[] {2, 0, 0, 0, 0, 0, 0, 0});
        Path path = archive("traced.pt", records);

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly("Linear", "Reshape");
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        // size(y, 0) // 2 = 2 // 2 = 1, so view(y, [1, -1]) of a 2x3 tensor is 1x6.
        assertThat(analysis.outputs().get(0).info().orElseThrow().shape()).isEqualTo(Shape.of(1, 6));
    }

    @Test
    void padRollChunkAndMaskedFillMapOntoOnnxOpsWithPyTorchsShapes() throws IOException {
        String forward = String.join("\n",
                "    fc = self.fc",
                "    y = (fc).forward(x, )",
                "    p = torch.pad(y, [1, 2])",
                "    r = torch.roll(p, [1], [1])",
                "    a, b, c, = torch.chunk(r, 4, 1)",
                "    m = torch.masked_fill(a, torch.gt(b, 0.), 0.)",
                "    return torch.cat([m, c], 1)",
                "class Lin(Module):");
        String code = withForward(forward);
        Path path = archive("ops.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly(
                "Linear", "Pad", "Slice", "Slice", "Concat", "Split", "Greater", "Where", "Concat");
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        List<List<Long>> shapes = analysis.nodes().stream().map(n -> n.outputs().get(0).shape().dims()).toList();
        // pad [1, 2] widens the last axis 3 -> 6; chunk(6, 4) gives ceil(6 / 4) = 2 wide pieces, so only 3 of them.
        assertThat(shapes).containsExactly(List.of(2L, 3L), List.of(2L, 6L), List.of(2L, 1L), List.of(2L, 5L), List.of(2L, 6L),
                List.of(2L, 2L), List.of(2L, 2L), List.of(2L, 2L), List.of(2L, 4L));
        assertThat(analysis.nodes().get(5).outputs()).hasSize(3);
    }

    @Test
    void anIntReadFromClampedValuesIsBoundedAndAResizeToItIsCountedAtTheBound() throws IOException {
        // keypointrcnn's heatmaps_to_keypoints: int(widths_ceil[i].item()) of a width clamped to the image, then a resize
        // to it. Here y is clamped to [0, 6]: item() of an element is at most 6, and so is int() of that (docs/conventions.md,
        // "Value bounds"; item() of a float bounded by 6.5 would be at most 7, its ceiling, as Tally keeps no bounded floats).
        String forward = String.join("\n",
                "    fc = self.fc",
                "    y = (fc).forward(x, )",
                "    c = torch.clamp(y, 0., 6.)",
                "    w = int(torch.item(torch.select(torch.select(c, 0, 0), 0, 1)))",
                "    m = torch.unsqueeze(torch.unsqueeze(y, 0), 0)",
                "    return torch.upsample_bilinear2d(m, [w, w], False, None)",
                "class Lin(Module):");
        String code = withForward(forward);
        Path path = archive("bounded.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).contains("BoundedValue", "Resize");
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        dev.tally.analysis.NodeResult resize = analysis.nodes().stream().filter(n -> n.node().opType().equals("Resize"))
                .findFirst().orElseThrow();
        assertThat(resize.outputs().get(0).shape().dims()).containsExactly(1L, 1L, 6L, 6L);
        assertThat(resize.dataDependent()).isTrue();
        // Bilinear over 2 resized axes: 36 outputs x (2 x 2 - 1) x (1 + 2) ops, an upper bound.
        assertThat(resize.cost().ops()).isEqualTo(36L * 3 * 3);
        assertThat(firstOf(analysis, "BoundedValue").note())
                .contains("at most 6, the upper bound of the values of");
    }

    @Test
    void aTensorWrittenIntoThroughAViewKeepsTheHullOfItsOldAndWrittenBoundsNeitherDroppedNorOnlyTheWrittenOnes() throws IOException {
        // torchvision's expand_boxes fills zeros_like(boxes) column by column with copy_; paste_mask_in_image then reads
        // int(box[2] - box[0] + 1). Here z is all 10 and its column 0 is overwritten with c + 2 (c clamped to [0, 6], so
        // [2, 8]): each element of z is 10 or in [2, 8], so int(z[0][1]) (an old 10) is at most 10, not 8, and a resize to
        // it is counted at 10 x 10.
        String forward = String.join("\n",
                "    fc = self.fc",
                "    y = (fc).forward(x, )",
                "    c = torch.clamp(y, 0., 6.)",
                "    z = torch.add(torch.zeros_like(c), 10.)",
                "    _0 = torch.copy_(torch.select(z, 1, 0), torch.add(torch.select(c, 1, 0), 2.))",
                "    w = int(torch.select(torch.select(z, 0, 0), 0, 1))",
                "    m = torch.unsqueeze(torch.unsqueeze(y, 0), 0)",
                "    return torch.upsample_bilinear2d(m, [w, w], False, None)",
                "class Lin(Module):");
        String code = withForward(forward);
        Path path = archive("written-hull.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).contains("WrittenView", "BoundedValue", "Resize");
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        NodeResult written = firstOf(analysis, "WrittenView");
        assertThat(written.outputs().get(0).range()).as("z's bounds after the write").contains(dev.tally.analysis.ValueRange.of(2, 10));
        NodeResult resize = firstOf(analysis, "Resize");
        assertThat(resize.outputs().get(0).shape().dims()).containsExactly(1L, 1L, 10L, 10L);
        assertThat(resize.dataDependent()).isTrue();
        // Bilinear over 2 resized axes: 100 outputs x (2 x 2 - 1) x (1 + 2) ops, an upper bound.
        assertThat(resize.cost().ops()).isEqualTo(100L * 3 * 3);
    }

    @Test
    void anAxisOfADataDependentTensorThatNoDataSizesIsReadAsItsSizeAndTheOthersStayBounded() throws IOException {
        // Mask R-CNN's masks are [n, 1, 28, 28] with n the detections' count: expand_masks' M = mask.size(-1) is 28 in
        // every run. Here z = relu(zeros([n, 5])) with n <= 6 from nonzero: z.size(1) is 5 (ones([5, 2]) is not
        // data-dependent), z.size(0) is at most 6, and so is zeros_like(z)'s (its constant shape holds the bound), and so
        // is expand_as(y0, z)'s (y0 a [1, 5] row expanded to z's sizes).
        String forward = String.join("\n",
                "    fc = self.fc",
                "    y = (fc).forward(x, )",
                "    n = torch.size(torch.nonzero(torch.gt(y, 0.)), 0)",
                "    z = torch.relu(torch.zeros([n, 5]))",
                "    w = torch.zeros_like(z)",
                "    e = torch.expand_as(torch.ones([1, 5]), z)",
                "    a = torch.ones([torch.size(z, 1), 2])",
                "    b = torch.ones([torch.size(w, 0), 2])",
                "    c = torch.ones([torch.size(e, 0), torch.size(e, 1)])",
                "    return (a, b, c)",
                "class Lin(Module):");
        String code = withForward(forward);
        Path path = archive("exact-axes.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        TensorInfo a = analysis.outputs().get(0).info().orElseThrow();
        assertThat(a.shape()).isEqualTo(Shape.of(5, 2));
        assertThat(a.dataDependent()).as("z.size(1) is 5 in every run").isFalse();
        TensorInfo b = analysis.outputs().get(1).info().orElseThrow();
        assertThat(b.shape()).isEqualTo(Shape.of(6, 2));
        assertThat(b.dataDependent()).as("zeros_like(z).size(0) is only bounded").isTrue();
        TensorInfo c = analysis.outputs().get(2).info().orElseThrow();
        assertThat(c.shape()).isEqualTo(Shape.of(6, 5));
        assertThat(c.dataDependent()).as("expand_as(row, z).size(0) is only bounded").isTrue();
    }

    @Test
    void anIntReadFromValuesBoundedBelowZeroIsKnownByItsRangeAndMaxWithOneGivesTheResizeItsBound() throws IOException {
        // paste_mask_in_image: w = int(box[2] - box[0] + 1) of an expanded box can be below 0, then w = max(w, 1), and
        // the mask is resized to [h, w]; max(box[1], 0) of an int64 box prints as annotate(int, ...). Here c is clamped to
        // [-4, 6]: int(c[0][1]) is in [-4, 6], so max(.., 1) is at most 6 and the resize is counted at 6 x 6, neither
        // left out (the range dropped) nor at 1 x 1.
        String forward = String.join("\n",
                "    fc = self.fc",
                "    y = (fc).forward(x, )",
                "    c = torch.clamp(y, -4., 6.)",
                "    w = int(torch.select(torch.select(c, 0, 0), 0, 1))",
                "    h = ops.prim.max(annotate(int, torch.select(torch.select(c, 0, 0), 0, 2)), 1)",
                "    w1 = ops.prim.max(w, 1)",
                "    m = torch.unsqueeze(torch.unsqueeze(y, 0), 0)",
                "    return torch.upsample_bilinear2d(m, [h, w1], False, None)",
                "class Lin(Module):");
        String code = withForward(forward);
        Path path = archive("ranged.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).as("no gap").doesNotContain(TorchScriptLoader.UNFOLLOWED)
                .contains("Resize");
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        NodeResult resize = firstOf(analysis, "Resize");
        assertThat(resize.outputs().get(0).shape().dims()).containsExactly(1L, 1L, 6L, 6L);
        assertThat(resize.dataDependent()).isTrue();
        assertThat(resize.cost().ops()).isEqualTo(36L * 3 * 3);
    }

    @Test
    void aConstantStandingForABoundCountsForEveryValueUpToItInValueBounds() throws IOException {
        // paste_mask_in_image's -box[1] + y_0 with y_0 = max(int(box[1]), 0): y_0 is at most 6 here, passed to the add
        // as the constant 6, but it is anywhere in [0, 6], so -c + y_0 with c in [-4, 6] is in [-6, 10], not [0, 10].
        String forward = String.join("\n",
                "    fc = self.fc",
                "    y = (fc).forward(x, )",
                "    c = torch.select(torch.select(torch.clamp(y, -4., 6.), 0, 0), 0, 0)",
                "    v = ops.prim.max(int(c), 0)",
                "    return torch.add(torch.neg(c), v)",
                "class Lin(Module):");
        String code = withForward(forward);
        Path path = archive("bound-constant.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        NodeResult add = firstOf(analysis, "Add");
        assertThat(add.outputs().get(0).range()).contains(dev.tally.analysis.ValueRange.of(-6, 10));
    }

    @Test
    void aSliceFromAStartReadFromTheDataIsAtMostTheWholeExtentNeverTheRestAfterTheBound() throws IOException {
        // z[n:] with n <= 6 the count of positive elements: anywhere from 8 rows (n = 0) down; counted at 8, not 8 - 6.
        // z[:n] is longest at n's bound: 6 rows. Both data-dependent.
        String forward = String.join("\n",
                "    fc = self.fc",
                "    y = (fc).forward(x, )",
                "    n = torch.size(torch.nonzero(torch.gt(y, 0.)), 0)",
                "    z = torch.ones([8, 3])",
                "    return (torch.slice(z, 0, n), torch.slice(z, 0, 0, n))",
                "class Lin(Module):");
        String code = withForward(forward);
        Path path = archive("slice-from-data.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        TensorInfo rest = analysis.outputs().get(0).info().orElseThrow();
        assertThat(rest.shape()).isEqualTo(Shape.of(8, 3));
        assertThat(rest.dataDependent()).isTrue();
        TensorInfo head = analysis.outputs().get(1).info().orElseThrow();
        assertThat(head.shape()).isEqualTo(Shape.of(6, 3));
        assertThat(head.dataDependent()).isTrue();
    }

    @Test
    void aCopyWhoseSourceIsLargerThanItsDestinationAtTheirBoundsIsCutToThemNotLeftOut() throws IOException {
        // paste_mask_in_image copies a slice of the resized mask (at most 531 x 531) into a region of the canvas (at most
        // 256 x 256): a run that copies has equal sizes. Here ones([n, 3]) (at most 6 rows) goes into canvas[m:] (at most
        // 4 rows): counted, the canvas still [4, 3].
        String forward = String.join("\n",
                "    fc = self.fc",
                "    y = (fc).forward(x, )",
                "    n = torch.size(torch.nonzero(torch.gt(y, 0.)), 0)",
                "    canvas = torch.zeros([4, 3])",
                "    _0 = torch.copy_(torch.slice(canvas, 0, n), torch.ones([n, 3]))",
                "    return canvas",
                "class Lin(Module):");
        String code = withForward(forward);
        Path path = archive("copy-cut.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        assertThat(analysis.nodes()).as("nothing left uncounted").allMatch(r -> r.status() == NodeResult.Status.COUNTED);
        assertThat(analysis.outputs().get(0).info().orElseThrow().shape()).isEqualTo(Shape.of(4, 3));
    }

    @Test
    void sortTriangleMasksAndTheirAndOrMapOntoOnnxOpsAndBitwiseAndOfIntegersStaysListed() throws IOException {
        // The constructs of a greedy NMS in plain ops (scripts/export_verify_detection.py): sort, triu/tril, & and |.
        String forward = String.join("\n",
                "    fc = self.fc",
                "    y = (fc).forward(x, )",
                "    upper = torch.triu(torch.gt(y, 0.), 1)",
                "    both = torch.__and__(upper, torch.lt(y, 1.))",
                "    either = torch.__or__(both, torch.tril(torch.gt(y, 2.)))",
                "    values, order, = torch.sort(y, -1, True)",
                "    bits = torch.__and__(order, order)",
                "    return (values, order, either, bits)",
                "class Lin(Module):");
        String code = withForward(forward);
        Path path = archive("nms-ops.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly(
                "Linear", "Greater", "Trilu", "Less", "And", "Greater", "Trilu", "Or", "TopK", "aten::__and__");
        assertThat(model.graph().nodes().get(2).attributes().get("upper")).isEqualTo(new Attribute.Int(1));
        assertThat(model.graph().nodes().get(6).attributes().get("upper")).isEqualTo(new Attribute.Int(0));
        // sort is TopK of the whole axis, largest first for descending=True.
        assertThat(model.graph().nodes().get(8).attributes().get("largest")).isEqualTo(new Attribute.Int(1));
        Analysis analysis = new Analyzer().analyze(model, Map.of(), false);
        assertThat(analysis.outputs().subList(0, 3)).extracting(o -> o.info().orElseThrow().shape())
                .containsOnly(Shape.of(2, 3));
        assertThat(analysis.outputs().get(2).info().orElseThrow().dtype()).isEqualTo(DType.BOOL);
        assertThat(analysis.outputs().get(1).info().orElseThrow().dtype()).isEqualTo(DType.INT64);
        // & of integer tensors is bitwise, which ONNX And is not: listed, never counted.
        assertThat(analysis.nodes().get(9).status()).isEqualTo(NodeResult.Status.UNSUPPORTED);
        assertThat(analysis.outputs().get(3).info()).isEmpty();
    }

    @Test
    void insertAndExtendChangeTheListInPlaceSoItsLengthAndOrderAreRight() throws IOException {
        // torchvision's FeaturePyramidNetwork builds its outputs with list.insert(0, ...): before insert was a list
        // op it fell to the tensor ops, the list kept one item, and the AnchorGenerator's length check raised.
        String forward = String.join("\n",
                "    fc = self.fc",
                "    y = (fc).forward(x, )",
                "    _0 = annotate(List[Tensor], [])",
                "    _1 = torch.append(_0, y)",
                "    torch.insert(_0, 0, torch.relu(y))",
                "    torch.insert(_0, -5, torch.neg(y))",
                "    _2 = torch.extend(_0, [torch.sigmoid(y)])",
                "    if torch.ne(torch.len(_0), 4):",
                "      ops.prim.RaiseException(\"AssertionError: \")",
                "    else:",
                "      pass",
                "    return torch.cat(_0, 1)",
                "class Lin(Module):");
        String code = withForward(forward);
        Path path = archive("lists.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly("Linear", "Relu", "Neg", "Sigmoid", "Concat");
        // Python clamps insert's index -5 to the front: [neg, relu, y] then extend adds sigmoid at the end.
        List<Node> nodes = model.graph().nodes();
        assertThat(nodes.get(4).inputs()).containsExactly(nodes.get(2).outputs().get(0), nodes.get(1).outputs().get(0),
                nodes.get(0).outputs().get(0), nodes.get(3).outputs().get(0));
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        assertThat(analysis.outputs().get(0).info().orElseThrow().shape()).isEqualTo(Shape.of(2, 12));
    }

    @Test
    void tracedSizesStayNumbersThroughAnnotateDetachToAndAReversedList() throws IOException {
        // As torch.jit.trace writes them (mvit_v2_s's Pool, RAFT's correlation): a size held as a 0-d tensor, annotated
        // as TorchScript's Scalar type 'number', detached and converted to int64 on torch.device("cpu"); and a list
        // reversed with [::-1]. x is 2x3: y = fc(x) is 2x3, divided by sqrt(3), and the reversed list puts the ReLU first.
        String forward = String.join("\n",
                "    fc = self.fc",
                "    n = ops.prim.NumToTensor(torch.size(x, 1))",
                "    k = annotate(number, n)",
                "    c = torch.to(torch.detach(k), torch.device(\"cpu\"), 4, False, True)",
                "    y = torch.div((fc).forward(x, ), torch.sqrt(torch.detach(c)))",
                "    _0 = torch.slice([y, torch.relu(y)], None, None, -1)",
                "    return torch.cat(_0, int(c))",
                "class Lin(Module):");
        String code = withForward(forward);
        Path path = archive("numbers.pt", netRecords(code.replace("cat(_0, int(c))", "cat(_0, torch.sub(int(c), 2))")));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(2, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly("Linear", "Div", "Relu", "Concat");
        List<Node> nodes = model.graph().nodes();
        assertThat(nodes.get(3).inputs()).containsExactly(nodes.get(2).outputs().get(0), nodes.get(1).outputs().get(0));
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);
        assertThat(analysis.outputs().get(0).info().orElseThrow().shape()).isEqualTo(Shape.of(2, 6));
    }

    @Test
    void theFusedSelfAttentionOfMultiheadAttentionIsCountedAsItsOps() throws IOException {
        String code = String.join("\n",
                "class Att(Module):",
                "  __parameters__ = [\"in_w\", \"in_b\", \"out_w\", \"out_b\", ]",
                "  __buffers__ = []",
                "  def forward(self: __torch__.m.Att,",
                "    x: Tensor) -> Tensor:",
                "    in_w = self.in_w",
                "    in_b = self.in_b",
                "    out_w = self.out_w",
                "    out_b = self.out_b",
                "    _0, _1 = torch._native_multi_head_attention(x, x, x, 4, 2, in_w, in_b, out_w, out_b, None, False, True, None)",
                "    return _0",
                "");
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("data.pkl", PickleBytes.protocol(2).global("__torch__.m", "Att").emptyTuple().newObj().emptyDict().mark()
                .str("training").bool(false)
                .str("in_w").floatTensor("0", 12, 4).str("in_b").floatTensor("1", 12)
                .str("out_w").floatTensor("2", 4, 4).str("out_b").floatTensor("3", 4)
                .setItems().build().stop());
        records.put("constants.pkl", PickleBytes.protocol(2).emptyTuple().stop());
        records.put("code/__torch__/m.py", code.getBytes(StandardCharsets.UTF_8));
        Path path = archive("attention.pt", records);

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(1, 3, 4)));
        Analysis analysis = new Analyzer().analyze(model, Map.of(), true);

        assertThat(analysis.outputs().get(0).info().orElseThrow().shape()).isEqualTo(Shape.of(1, 3, 4));
        // B=1, L=3, E=4, 2 heads of D=2: in-projection 3*4*12 = 144, scores 2*3*3*2 = 36, weighted sum 36,
        // out-projection 3*4*4 = 48.
        assertThat(analysis.nodes().stream().mapToLong(n -> n.cost().macs()).sum()).isEqualTo(144 + 36 + 36 + 48);
        assertThat(model.graph().nodes()).filteredOn(n -> n.opType().equals("MatMul")).hasSize(2);
        assertThat(model.graph().nodes()).filteredOn(n -> n.opType().equals("Softmax")).hasSize(1);
    }

    @Test
    void aTensorBoundToALocalLivesUntilTheLocalIsReboundOrItsMethodReturns() throws IOException {
        // forward calls a helper method on self, as DenseNet's _DenseLayer calls bn_function. Every tensor is 1x3
        // float32, 12 B. In eager PyTorch the local h holds its tensor through fc and the first neg (until the method
        // returns), _0 is a printer's temporary that only fc's frame holds, and out0 = neg(out) rebinds the variable
        // out, so out is gone before out1 is made.
        String code = NET_CODE.replace("    y = (fc).forward(x, )\n", "    y = (self).helper(x, )\n")
                .replace("    for i in range(torch.sub(torch.size(y, 1), 1)):\n      y = torch.relu(y)\n", "")
                .replace("class Lin(Module):", String.join("\n",
                        "  def helper(self: __torch__.m.Net,",
                        "    x: Tensor) -> Tensor:",
                        "    fc = self.fc",
                        "    h = torch.neg(x)",
                        "    _0 = torch.neg(h)",
                        "    out = (fc).forward(_0, )",
                        "    out0 = torch.neg(out)",
                        "    out1 = torch.neg(out0)",
                        "    return out1",
                        "class Lin(Module):"));
        Path path = archive("net.pt", netRecords(code));

        Model model = new TorchScriptLoader().load(path, Map.of(InputShapes.UNNAMED, Shape.of(1, 3)));

        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly("Neg", "Neg", "Linear", "Neg", "Neg", "Linear");
        // h's last reader is node 1; the helper returns after node 4; out0 is held by out1's binding until node 4.
        assertThat(model.graph().nodes().get(4).attribute(dev.tally.analysis.MemoryPass.HOLDS))
                .contains(new dev.tally.ir.Attribute.Strs(List.of("Neg")));
        dev.tally.analysis.MemoryPass.Result memory = dev.tally.analysis.MemoryPass.run(new Analyzer().analyze(model, Map.of(), true));
        // x lives throughout (the caller holds it). Node 2 (fc): x, h, _0 (fc's argument) and out = 48 B; node 4: x, h,
        // out0 and out1 = 48 B (out, rebound, is freed after node 3, its last reader); after the helper returns x and
        // out1 (y in forward) remain, and after the last node the model's output alone.
        assertThat(memory.liveAfter()).containsExactly(24L, 36L, 36L, 36L, 24L, 12L);
        assertThat(memory.peakBytes()).isEqualTo(48);
    }
}
