package dev.tally.load.onnx;

import static dev.tally.load.onnx.OnnxModels.FLOAT;
import static dev.tally.load.onnx.OnnxModels.INT64;
import static dev.tally.load.onnx.OnnxModels.external;
import static dev.tally.load.onnx.OnnxModels.floatValues;
import static dev.tally.load.onnx.OnnxModels.floatWeight;
import static dev.tally.load.onnx.OnnxModels.int64Raw;
import static dev.tally.load.onnx.OnnxModels.ints;
import static dev.tally.load.onnx.OnnxModels.model;
import static dev.tally.load.onnx.OnnxModels.node;
import static dev.tally.load.onnx.OnnxModels.smallNet;
import static dev.tally.load.onnx.OnnxModels.tensor;
import static dev.tally.load.onnx.OnnxModels.tensorAttribute;
import static dev.tally.load.onnx.OnnxModels.tensorValue;
import static dev.tally.load.onnx.OnnxModels.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.Attribute;
import dev.tally.ir.ConstData;
import dev.tally.ir.DType;
import dev.tally.ir.Dim;
import dev.tally.ir.Graph;
import dev.tally.ir.Model;
import dev.tally.ir.ModelFormat;
import dev.tally.ir.Node;
import dev.tally.ir.Param;
import dev.tally.ir.Role;
import dev.tally.ir.Shape;
import dev.tally.ir.TensorType;
import dev.tally.load.onnx.proto.Onnx.AttributeProto;
import dev.tally.load.onnx.proto.Onnx.GraphProto;
import dev.tally.load.onnx.proto.Onnx.NodeProto;
import dev.tally.load.onnx.proto.Onnx.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxLoaderTest {
    @TempDir
    Path dir;

    private Model load(GraphProto.Builder graph) {
        return new OnnxLoader().load(write(dir, "net.onnx", model(graph)));
    }

    private static Map<String, Role> roles(Graph graph) {
        return graph.params().values().stream().collect(Collectors.toMap(Param::name, Param::role));
    }

    @Test
    void aSmallNetLoadsWithFormatProducerInputsOutputsAndParams() {
        Model model = load(smallNet());

        assertThat(model.format()).isEqualTo(ModelFormat.ONNX);
        assertThat(model.producer()).isEqualTo("pytorch 1.13.1");
        assertThat(model.notes()).containsExactly("ONNX opset 13, IR version 7.");
        Graph graph = model.graph();
        assertThat(graph.inputs()).hasSize(1);
        assertThat(graph.inputs().get(0).name()).isEqualTo("input");
        assertThat(graph.inputs().get(0).type()).contains(new TensorType(DType.FLOAT32,
                List.of(Dim.symbol("batch"), Dim.of(3), Dim.of(8), Dim.of(8))));
        assertThat(graph.outputs().get(0).name()).isEqualTo("output");
        // 4*3*3*3 + 4 + 10*144 + 10, worked by hand.
        assertThat(graph.params().values().stream().mapToLong(Param::numel).sum()).isEqualTo(1562);
        assertThat(roles(graph)).containsOnlyKeys("features.0.weight", "features.0.bias", "classifier.weight", "classifier.bias")
                .allSatisfy((name, role) -> assertThat(role).isEqualTo(Role.PARAM));
        assertThat(graph.param("classifier.weight").orElseThrow().shape()).isEqualTo(Shape.of(10, 144));
        // The file is unmapped once loaded: everything the model holds must be a copy, which this reads.
        assertThat(model.toString()).contains("/classifier/Gemm", "features.0.bias", "batch");
    }

    /**
     * The loader reads node and value names from the file itself (RawNode.Strings), not through protobuf's readString:
     * every name must still be what protobuf's own parser decodes, ASCII or not, malformed UTF-8 included (replaced),
     * and a value read again soon after its maker is the same string whatever its bytes.
     */
    @Test
    void nodeAndValueNamesAreWhatProtobufDecodes() throws Exception {
        com.google.protobuf.ByteString malformed = com.google.protobuf.ByteString.copyFrom(new byte[] {'t', (byte) 0xff, 'x'});
        com.google.protobuf.ByteString truncatedCharacter = com.google.protobuf.ByteString.copyFrom(new byte[] {'n', (byte) 0xe5});
        GraphProto.Builder graph = GraphProto.newBuilder().setName("names")
                .addInput(tensorValue("x", 1, 4))
                .addNode(node("caf\u00e9.relu", "Relu", List.of("x"), List.of("\u5c42\u4e00")))
                .addNode(node("", "Neg", List.of("\u5c42\u4e00"), List.of("")).clearOutput().addOutputBytes(malformed))
                .addNode(node("", "Abs", List.of(), List.of("\ud83d\ude00")).clearInput().addInputBytes(malformed)
                        .setNameBytes(truncatedCharacter))
                .addNode(node("plain", "Sigmoid", List.of("\ud83d\ude00"), List.of("y")))
                .addOutput(tensorValue("y", 1, 4));
        Path file = write(dir, "names.onnx", model(graph));
        List<NodeProto> expected = dev.tally.load.onnx.proto.Onnx.ModelProto.parseFrom(Files.readAllBytes(file))
                .getGraph().getNodeList();

        List<Node> nodes = new OnnxLoader().load(file).graph().nodes();

        assertThat(nodes).hasSize(expected.size());
        for (int i = 0; i < nodes.size(); i++) {
            assertThat(nodes.get(i).inputs()).as("inputs of node %d", i).isEqualTo(expected.get(i).getInputList());
            assertThat(nodes.get(i).outputs()).as("outputs of node %d", i).isEqualTo(expected.get(i).getOutputList());
        }
        assertThat(nodes.get(0).name()).isEqualTo("caf\u00e9.relu");
        assertThat(nodes.get(2).name()).isEqualTo(expected.get(2).getName()).isEqualTo("n\ufffd");
        assertThat(nodes.get(1).outputs().get(0)).isEqualTo("t\ufffdx");
        // Maker and reader share one string, ASCII or not.
        assertThat(nodes.get(1).inputs().get(0)).isSameAs(nodes.get(0).outputs().get(0));
        assertThat(nodes.get(2).inputs().get(0)).isSameAs(nodes.get(1).outputs().get(0));
        assertThat(nodes.get(3).inputs().get(0)).isSameAs(nodes.get(2).outputs().get(0));
    }

    /**
     * An ASCII name met lately is reused when the file's bytes are its chars: names of one length and one
     * String.hashCode ("AaAa", "AaBB", "BBAa", "BBBB", ...) land in one slot of the table of names met, so each must be
     * told apart by its bytes. Every name as protobuf decodes it; each reader shares its maker's string.
     */
    @Test
    void asciiNamesWithOneHashAreToldApartByTheirBytes() throws Exception {
        List<String> names = List.of("AaAaAa", "AaAaBB", "AaBBAa", "BBAaAa", "BBBBAa", "BBBBBB", "AaBBBB", "BBAaBB");
        GraphProto.Builder graph = GraphProto.newBuilder().setName("hashes").addInput(tensorValue("x", 1, 4));
        String last = "x";
        for (int i = 0; i < names.size(); i++) {
            assertThat(names.get(i).hashCode()).isEqualTo(names.get(0).hashCode());
            graph.addNode(node(names.get((i + 3) % names.size()), "Relu", List.of(last), List.of(names.get(i))));
            last = names.get(i);
        }
        Path file = write(dir, "hashes.onnx", model(graph.addOutput(tensorValue(last, 1, 4))));
        List<NodeProto> expected = dev.tally.load.onnx.proto.Onnx.ModelProto.parseFrom(Files.readAllBytes(file))
                .getGraph().getNodeList();

        List<Node> nodes = new OnnxLoader().load(file).graph().nodes();

        for (int i = 0; i < nodes.size(); i++) {
            assertThat(nodes.get(i).name()).isEqualTo(expected.get(i).getName());
            assertThat(nodes.get(i).inputs()).isEqualTo(expected.get(i).getInputList());
            assertThat(nodes.get(i).outputs()).isEqualTo(expected.get(i).getOutputList());
            if (i > 0) {
                assertThat(nodes.get(i).inputs().get(0)).isSameAs(nodes.get(i - 1).outputs().get(0));
            }
        }
    }

    @Test
    void layersComeFromTheModulePathInNodeNames() {
        Graph graph = load(smallNet()).graph();

        assertThat(graph.nodes()).extracting(Node::layer)
                .containsExactly("features.0", "features.1", "/Flatten", "classifier");
        assertThat(graph.nodes()).extracting(Node::name).startsWith("/features/features.0/Conv");
    }

    @Test
    void attributesBecomeTypedAttributes() {
        GraphProto.Builder graph = smallNet();
        graph.setNode(0, graph.getNode(0).toBuilder()
                .addAttribute(AttributeProto.newBuilder().setName("group").setType(AttributeProto.AttributeType.INT).setI(1))
                .addAttribute(AttributeProto.newBuilder().setName("auto_pad").setType(AttributeProto.AttributeType.STRING)
                        .setS(com.google.protobuf.ByteString.copyFromUtf8("NOTSET")))
                .addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(0.5f))
                .addAttribute(AttributeProto.newBuilder().setName("scales").setType(AttributeProto.AttributeType.FLOATS)
                        .addFloats(2f).addFloats(0.25f))
                .addAttribute(AttributeProto.newBuilder().setName("names").setType(AttributeProto.AttributeType.STRINGS)
                        .addStrings(com.google.protobuf.ByteString.copyFromUtf8("a")))
                .addAttribute(AttributeProto.newBuilder().setName("hint").setType(AttributeProto.AttributeType.TYPE_PROTO)));
        Node conv = load(graph).graph().nodes().get(0);

        assertThat(conv.attributes()).containsEntry("kernel_shape", Attribute.ints(3, 3))
                .containsEntry("group", new Attribute.Int(1))
                .containsEntry("auto_pad", new Attribute.Str("NOTSET"))
                .containsEntry("alpha", new Attribute.Float(0.5))
                .containsEntry("scales", new Attribute.Floats(List.of(2.0, 0.25)))
                .containsEntry("names", new Attribute.Strs(List.of("a")))
                .containsEntry("hint", new Attribute.Opaque("TYPE_PROTO"));
    }

    @Test
    void aSubgraphAttributeIsConvertedRecursively() {
        GraphProto.Builder body = GraphProto.newBuilder().setName("then")
                .addOutput(tensorValue("then_out", 1))
                .addNode(node("/Identity", "Identity", List.of("output"), List.of("then_out")));
        GraphProto.Builder graph = smallNet()
                .addInitializer(tensor("cond", TensorProto.DataType.BOOL_VALUE).addInt32Data(1))
                .addNode(node("/If", "If", List.of("cond"), List.of("chosen"))
                        .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                                .setType(AttributeProto.AttributeType.GRAPH).setG(body)));
        Node branch = load(graph).graph().nodes().get(4);

        assertThat(branch.attribute("then_branch")).get().isInstanceOfSatisfying(Attribute.SubGraph.class,
                sub -> assertThat(sub.value().nodes()).extracting(Node::opType).containsExactly("Identity"));
    }

    @Test
    void subgraphsNestedDeeperThanTheLimitAreRefusedWithOneSentence() {
        GraphProto.Builder body = GraphProto.newBuilder().setName("leaf").addOutput(tensorValue("leaf_out", 1))
                .addNode(node("/Identity", "Identity", List.of("output"), List.of("leaf_out")));
        for (int level = 0; level <= OnnxGraphReader.MAX_DEPTH; level++) {
            body = GraphProto.newBuilder().setName("level" + level).addOutput(tensorValue("out" + level, 1))
                    .addNode(node("/If" + level, "If", List.of("cond"), List.of("out" + level))
                            .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                                    .setType(AttributeProto.AttributeType.GRAPH).setG(body)));
        }
        GraphProto.Builder graph = smallNet()
                .addInitializer(tensor("cond", TensorProto.DataType.BOOL_VALUE).addInt32Data(1))
                .addNode(node("/If", "If", List.of("cond"), List.of("chosen"))
                        .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                                .setType(AttributeProto.AttributeType.GRAPH).setG(body)));
        assertThatThrownBy(() -> load(graph)).isInstanceOf(dev.tally.ir.ModelException.class)
                .hasMessageEndingWith("its subgraphs nest more than 16 levels deep, and Tally reads at most 16.");
    }

    @Test
    void unnamedNodesGetUniqueNamesFromTheirOpAndIndex() {
        GraphProto.Builder graph = smallNet();
        graph.setNode(1, graph.getNode(1).toBuilder().clearName());
        graph.setNode(2, graph.getNode(2).toBuilder().setName("/features/features.0/Conv"));

        List<Node> nodes = load(graph).graph().nodes();
        assertThat(nodes).extracting(Node::name)
                .containsExactly("/features/features.0/Conv", "Relu_1", "/features/features.0/Conv_1", "/classifier/Gemm");
        assertThat(nodes.get(1).layer()).isEqualTo("Relu_1");
    }

    @Test
    void anOpOfAnotherDomainIsNamedWithItsDomain() {
        GraphProto.Builder graph = smallNet();
        graph.setNode(1, graph.getNode(1).toBuilder().setDomain("com.microsoft").setOpType("FusedRelu"));

        assertThat(load(graph).graph().nodes().get(1).opType()).isEqualTo("com.microsoft.FusedRelu");
    }

    @Test
    void initializersListedAsGraphInputsAreNotInputs() {
        GraphProto.Builder graph = smallNet()
                .addInput(tensorValue("features.0.weight", 4, 3, 3, 3))
                .addInput(tensorValue("classifier.bias", 10));

        assertThat(load(graph).graph().inputs()).extracting(v -> v.name()).containsExactly("input");
    }

    @Test
    void batchNormMeanAndVarianceAreBuffersAndScaleAndBiasAreParams() {
        GraphProto.Builder graph = smallNet()
                .addInitializer(floatWeight("bn.weight", 4)).addInitializer(floatWeight("bn.bias", 4))
                .addInitializer(floatWeight("bn.running_mean", 4)).addInitializer(floatWeight("bn.running_var", 4))
                .addNode(node("/bn/BatchNormalization", "BatchNormalization",
                        List.of("/features/features.1/Relu_output_0", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"),
                        List.of("bn_out")));

        assertThat(roles(load(graph).graph())).containsEntry("bn.weight", Role.PARAM).containsEntry("bn.bias", Role.PARAM)
                .containsEntry("bn.running_mean", Role.BUFFER).containsEntry("bn.running_var", Role.BUFFER);
    }

    @Test
    void integerInitializersAreConstantsWithTheirValuesRead() {
        GraphProto.Builder graph = smallNet()
                .addInitializer(int64Raw("onnx::Reshape_7", new long[] {2}, 1, -1))
                .addInitializer(tensor("axes", INT64, 1).addInt64Data(0))
                .addInitializer(tensor("ratio", TensorProto.DataType.INT32_VALUE).addInt32Data(3))
                .addNode(node("/Reshape", "Reshape", List.of("output", "onnx::Reshape_7"), List.of("flat")))
                .addNode(node("/Unsqueeze", "Unsqueeze", List.of("flat", "axes"), List.of("wide")))
                .addNode(node("/Mul", "Mul", List.of("wide", "ratio"), List.of("scaled")));
        Graph loaded = load(graph).graph();

        assertThat(roles(loaded)).containsEntry("onnx::Reshape_7", Role.CONSTANT).containsEntry("axes", Role.CONSTANT)
                .containsEntry("ratio", Role.CONSTANT);
        assertThat(loaded.constant("onnx::Reshape_7").orElseThrow().data()).isEqualTo(ConstData.ofInts(1, -1));
        assertThat(loaded.constant("axes").orElseThrow().shape()).isEqualTo(Shape.of(1));
        assertThat(loaded.constant("axes").orElseThrow().data()).isEqualTo(ConstData.ofInts(0));
        assertThat(loaded.constant("ratio").orElseThrow().shape()).isEqualTo(Shape.scalar());
        assertThat(loaded.constant("ratio").orElseThrow().dtype()).isEqualTo(DType.INT32);
    }

    @Test
    void aLargeIntegerInitializerIsAConstantWhoseValuesAreNotRead() {
        GraphProto.Builder graph = smallNet()
                .addInitializer(tensor("index", INT64, 1025).addAllInt64Data(java.util.Collections.nCopies(1025, 0L)))
                .addNode(node("/Gather", "Gather", List.of("output", "index"), List.of("picked")));
        Graph loaded = load(graph).graph();

        assertThat(loaded.param("index").orElseThrow().role()).isEqualTo(Role.CONSTANT);
        assertThat(loaded.constant("index")).isEmpty();
    }

    @Test
    void aSmallFloatInitializerTheExporterMadeIsAConstantWithItsValues() {
        GraphProto.Builder graph = smallNet()
                .addInitializer(floatValues("onnx::Resize_9", new long[] {2}, 2f, 2f))
                .addNode(node("/Resize", "Resize", List.of("output", "", "onnx::Resize_9"), List.of("bigger")));
        Graph loaded = load(graph).graph();

        assertThat(loaded.param("onnx::Resize_9").orElseThrow().role()).isEqualTo(Role.CONSTANT);
        assertThat(loaded.constant("onnx::Resize_9").orElseThrow().data()).isEqualTo(ConstData.ofFloats(2, 2));
    }

    @Test
    void aLargeTensorTorchOnnxComputedFromParametersIsAConstantAndNoted() {
        // swin_t: the relative position bias, gathered from a 169x3 table at export time, is stored as
        // onnx::Add_6922 of 1x3x49x49 and read by an Add.
        GraphProto.Builder graph = smallNet()
                .addInitializer(floatWeight("onnx::Add_6922", 1, 3, 49, 49))
                .addNode(node("/attn/Add", "Add", List.of("output", "onnx::Add_6922"), List.of("biased")));
        Model model = load(graph);

        assertThat(model.graph().param("onnx::Add_6922").orElseThrow().role()).isEqualTo(Role.CONSTANT);
        assertThat(model.graph().constant("onnx::Add_6922")).isEmpty();
        assertThat(model.notes()).contains("The exporter computed 1 tensors from parameters ahead of time (7,203"
                + " elements, e.g. 'onnx::Add_6922'): they count as constants, not params, and the parameters they"
                + " came from are not in the file.");
    }

    @Test
    void smallFloatParametersStayParamsWhenNamedLikeModulesOrReadAsWeights() {
        // LeNet-5's first conv has a 6-element bias; a layer scale of 4 elements feeds a Mul under its own name;
        // a folded-BatchNorm bias named by the exporter still feeds Conv's bias operand.
        GraphProto.Builder graph = smallNet()
                .addInitializer(floatWeight("scale", 4, 1, 1))
                .addInitializer(floatWeight("onnx::Conv_5", 4, 4, 1, 1))
                .addInitializer(floatWeight("onnx::Conv_6", 4))
                .addNode(node("/Mul", "Mul", List.of("/features/features.1/Relu_output_0", "scale"), List.of("scaled")))
                .addNode(node("/conv2/Conv", "Conv", List.of("scaled", "onnx::Conv_5", "onnx::Conv_6"), List.of("c2")));
        Graph loaded = load(graph).graph();

        assertThat(roles(loaded)).containsEntry("scale", Role.PARAM).containsEntry("onnx::Conv_6", Role.PARAM)
                .containsEntry("onnx::Conv_5", Role.PARAM);
        assertThat(loaded.constant("scale").orElseThrow().data()).isEqualTo(ConstData.ofFloats(0, 0, 0, 0));
        assertThat(loaded.constant("onnx::Conv_6")).isEmpty();
        assertThat(loaded.constant("features.0.bias")).isEmpty();
    }

    @Test
    void aSmallConstantNodeStaysANodeWithItsValueAsATensorAttribute() {
        GraphProto.Builder graph = smallNet()
                .addNode(node("/Constant", "Constant", List.of(), List.of("/Constant_output_0"))
                        .addAttribute(tensorAttribute("value", int64Raw("", new long[] {2}, 1, 144))))
                .addNode(node("/Constant_1", "Constant", List.of(), List.of("/Constant_1_output_0"))
                        .addAttribute(ints("value_ints", 0, 1, 2)))
                .addNode(node("/Constant_2", "Constant", List.of(), List.of("/Constant_2_output_0"))
                        .addAttribute(AttributeProto.newBuilder().setName("value_float")
                                .setType(AttributeProto.AttributeType.FLOAT).setF(1.5f)));
        List<Node> nodes = load(graph).graph().nodes();

        assertThat(nodes.get(4).attributes()).containsOnlyKeys("value");
        assertThat(nodes.get(4).attribute("value")).get().isInstanceOfSatisfying(Attribute.Tensor.class, t -> {
            assertThat(t.value().shape()).isEqualTo(Shape.of(2));
            assertThat(t.value().data()).isEqualTo(ConstData.ofInts(1, 144));
        });
        assertThat(nodes.get(5).attribute("value")).get().isInstanceOfSatisfying(Attribute.Tensor.class, t ->
                assertThat(t.value().data()).isEqualTo(ConstData.ofInts(0, 1, 2)));
        assertThat(nodes.get(6).attribute("value")).get().isInstanceOfSatisfying(Attribute.Tensor.class, t -> {
            assertThat(t.value().shape()).isEqualTo(Shape.scalar());
            assertThat(t.value().data()).isEqualTo(ConstData.ofFloats(1.5));
        });
    }

    @Test
    void aLargeConstantNodeReadAsAWeightBecomesAParamNamedAfterItsOutputAndTheNodeIsDropped() {
        GraphProto.Builder graph = smallNet()
                .addNode(node("/Constant", "Constant", List.of(), List.of("/Constant_output_0"))
                        .addAttribute(tensorAttribute("value", floatWeight("", 10, 2000))))
                .addNode(node("/MatMul", "MatMul", List.of("output", "/Constant_output_0"), List.of("product")));
        Graph loaded = load(graph).graph();

        assertThat(loaded.nodes()).extracting(Node::opType).doesNotContain("Constant");
        Param param = loaded.param("/Constant_output_0").orElseThrow();
        assertThat(param.role()).isEqualTo(Role.PARAM);
        assertThat(param.shape()).isEqualTo(Shape.of(10, 2000));
    }

    @Test
    void aLargeConstantNodeTorchOnnxMadeThatNoNodeReadsAsAWeightIsAConstant() {
        // deepspeech: nn.RNN's zero initial state, 2 x 1 x 2048, written as a Constant node and expanded to the
        // batch; PyTorch has no such parameter, so counting it would overstate params by 4,096.
        GraphProto.Builder graph = smallNet()
                .addNode(node("/bi_rnn/Constant", "Constant", List.of(), List.of("/bi_rnn/Constant_output_0"))
                        .addAttribute(tensorAttribute("value", floatWeight("", 2, 1, 2048))))
                .addNode(node("/bi_rnn/Add", "Add", List.of("output", "/bi_rnn/Constant_output_0"), List.of("sum")));
        Graph loaded = load(graph).graph();

        assertThat(loaded.param("/bi_rnn/Constant_output_0").orElseThrow().role()).isEqualTo(Role.CONSTANT);
    }

    @Test
    void theAffineOperandsOfAnExportedGroupNormAreParamsThoughTheirNamesAreMadeUp() {
        // torch.onnx writes GroupNorm(1, 4) as Reshape, InstanceNormalization (ones and zeros per group), Reshape,
        // Mul by the weight and Add of the bias, both unsqueezed to 4 x 1 under made-up names (conv_tasnet_base).
        GraphProto.Builder graph = smallNet()
                .addInitializer(floatWeight("onnx::Mul_1312", 40, 1))
                .addInitializer(floatWeight("onnx::Add_1313", 40, 1))
                .addInitializer(floatWeight("onnx::Add_99", 40, 1))
                .addInitializer(int64Raw("shape", new long[] {3}, 0, 1, -1))
                .addInitializer(int64Raw("back", new long[] {2}, 1, 10))
                .addNode(node("/norm/Constant_1", "Constant", List.of(), List.of("ones"))
                        .addAttribute(tensorAttribute("value", floatValues("", new long[] {1}, 1f))))
                .addNode(node("/norm/Constant_2", "Constant", List.of(), List.of("zeros"))
                        .addAttribute(tensorAttribute("value", floatValues("", new long[] {1}, 0f))))
                .addNode(node("/norm/Reshape", "Reshape", List.of("output", "shape"), List.of("grouped")))
                .addNode(node("/norm/InstanceNormalization", "InstanceNormalization", List.of("grouped", "ones", "zeros"),
                        List.of("normalised")))
                .addNode(node("/norm/Reshape_1", "Reshape", List.of("normalised", "back"), List.of("ungrouped")))
                .addNode(node("/norm/Mul", "Mul", List.of("ungrouped", "onnx::Mul_1312"), List.of("scaled")))
                .addNode(node("/norm/Add", "Add", List.of("scaled", "onnx::Add_1313"), List.of("shifted")))
                .addNode(node("/other/Add", "Add", List.of("shifted", "onnx::Add_99"), List.of("moved")));
        Graph loaded = load(graph).graph();

        assertThat(roles(loaded)).containsEntry("onnx::Mul_1312", Role.PARAM).containsEntry("onnx::Add_1313", Role.PARAM)
                .as("an Add elsewhere keeps the exporter-constant rule").containsEntry("onnx::Add_99", Role.CONSTANT);
    }

    @Test
    void theScaleOfAnExportedL2NormIsAParamAndAPerChannelProductOfBuffersIsNot() {
        // ssd300_vgg16: F.normalize(x, dim=1) * scale_weight.view(1, -1, 1, 1) is written as Div(x, Expand(Clip(
        // ReduceL2(x)))) and a Mul by the weight under a made-up name; a FrozenBatchNorm's scale, computed from its
        // buffers ahead of time, has the same 1 x C x 1 x 1 shape but multiplies the input itself.
        GraphProto.Builder graph = smallNet()
                .addInitializer(floatWeight("onnx::Mul_3543", 1, 40, 1, 1))
                .addInitializer(floatWeight("onnx::Mul_77", 1, 40, 1, 1))
                .addInitializer(int64Raw("axes", new long[] {1}, 1))
                .addInitializer(int64Raw("target", new long[] {2}, 1, 10))
                .addNode(node("/backbone/ReduceL2", "ReduceL2", List.of("output"), List.of("norm")))
                .addNode(node("/backbone/Clip", "Clip", List.of("norm"), List.of("clamped")))
                .addNode(node("/backbone/Expand", "Expand", List.of("clamped", "target"), List.of("wide")))
                .addNode(node("/backbone/Div", "Div", List.of("output", "wide"), List.of("unit")))
                .addNode(node("/backbone/Mul", "Mul", List.of("onnx::Mul_3543", "unit"), List.of("scaled")))
                .addNode(node("/frozen/Mul", "Mul", List.of("scaled", "onnx::Mul_77"), List.of("frozen")));
        Graph loaded = load(graph).graph();

        assertThat(roles(loaded)).containsEntry("onnx::Mul_3543", Role.PARAM).containsEntry("onnx::Mul_77", Role.CONSTANT);
    }

    @Test
    void initializersTheExporterMergedByValueAreCountedUnderEachOfTheirNames() {
        // torch.onnx in eval mode keeps one of several equal tensors and names the others through Identity
        // nodes: this is what it wrote for two zero-initialised conv biases and a fresh BatchNorm2d(4).
        GraphProto.Builder graph = smallNet()
                .addInitializer(floatWeight("bn.weight", 4))
                .addNode(node("Identity_0", "Identity", List.of("bn.weight"), List.of("bn.running_var")))
                .addNode(node("Identity_1", "Identity", List.of("features.0.bias"), List.of("bn.running_mean")))
                .addNode(node("Identity_2", "Identity", List.of("features.0.bias"), List.of("bn.bias")))
                .addNode(node("/bn/BatchNormalization", "BatchNormalization",
                        List.of("/features/features.1/Relu_output_0", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"),
                        List.of("bn_out")));
        Graph loaded = load(graph).graph();

        assertThat(loaded.nodes()).extracting(Node::opType).doesNotContain("Identity");
        assertThat(roles(loaded)).containsEntry("bn.bias", Role.PARAM).containsEntry("bn.running_mean", Role.BUFFER)
                .containsEntry("bn.running_var", Role.BUFFER).containsEntry("bn.weight", Role.PARAM);
        assertThat(loaded.param("bn.bias").orElseThrow().sourceName()).isEqualTo("features.0.bias");
        // PyTorch's count: conv 108 + 4, classifier 1440 + 10, bn weight and bias 4 + 4; buffers 4 + 4.
        assertThat(sum(loaded, Role.PARAM)).isEqualTo(1570);
        assertThat(sum(loaded, Role.BUFFER)).isEqualTo(8);
    }

    private static long sum(Graph graph, Role role) {
        return graph.params().values().stream().filter(p -> p.role() == role).mapToLong(Param::numel).sum();
    }

    @Test
    void aBatchNormFoldedIntoConvByTheExporterIsNoted() {
        GraphProto.Builder graph = smallNet();
        graph.setInitializer(0, floatWeight("onnx::Conv_21", 4, 3, 3, 3));
        graph.setInitializer(1, floatWeight("onnx::Conv_22", 4));
        graph.setNode(0, graph.getNode(0).toBuilder().setInput(1, "onnx::Conv_21").setInput(2, "onnx::Conv_22"));

        // One BatchNorm over the Conv's 4 output channels: its weight and bias (8) became a Conv bias of 4.
        assertThat(load(graph).notes()).contains("BatchNorm folded into 1 Conv node by the exporter (4 channels): params count"
                + " the folded Conv weights, so PyTorch's count as trained is 4 higher if those Convs had no bias (torchvision's"
                + " ResNets, MobileNets) or 8 if they had one (VGG-BN).");
        assertThat(load(graph).folding()).isEqualTo(new dev.tally.ir.Folding(1, 4, java.util.List.of("/features/features.0/Conv"), -1));
    }

    @Test
    void aConvWithItsOwnWeightsIsNotNotedAsFolded() {
        assertThat(load(smallNet()).notes()).noneMatch(note -> note.contains("folded"));
    }

    @Test
    void externalWeightsWhoseFileIsAbsentAreCountedFromDimsAndNoted() {
        GraphProto.Builder graph = smallNet();
        graph.setInitializer(0, external("features.0.weight", "net.onnx.data", 4, 3, 3, 3));
        graph.setInitializer(2, external("classifier.weight", "net.onnx.data", 10, 144));
        Model model = load(graph);

        assertThat(model.graph().params().values().stream().mapToLong(Param::numel).sum()).isEqualTo(1562);
        assertThat(model.notes()).contains("Weights are stored outside the file (net.onnx.data) and are absent: structure only.");
    }

    @Test
    void externalWeightsWhoseFileIsPresentAreNotNoted() throws Exception {
        Files.write(dir.resolve("net.onnx.data"), new byte[4 * 108]);
        GraphProto.Builder graph = smallNet();
        graph.setInitializer(0, external("features.0.weight", "net.onnx.data", 4, 3, 3, 3));

        assertThat(load(graph).notes()).noneMatch(note -> note.contains("outside"));
    }

    @Test
    void aStructureOnlyModelWithoutAnyDataLoads() {
        GraphProto.Builder graph = smallNet();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            graph.setInitializer(i, graph.getInitializer(i).toBuilder().clearRawData());
        }
        assertThat(load(graph).graph().params().values().stream().mapToLong(Param::numel).sum()).isEqualTo(1562);
    }

    @Test
    void nodesStoredOutOfOrderAreSortedTopologically() {
        GraphProto.Builder graph = smallNet();
        List<NodeProto> nodes = List.copyOf(graph.getNodeList());
        graph.clearNode().addNode(nodes.get(3)).addNode(nodes.get(1)).addNode(nodes.get(2)).addNode(nodes.get(0));

        assertThat(load(graph).graph().nodes()).extracting(Node::opType).containsExactly("Conv", "Relu", "Flatten", "Gemm");
    }

    @Test
    void looksLikeOnnxAcceptsAnIrVersionFieldFirst() {
        byte[] bytes = model(smallNet()).toByteArray();
        assertThat(OnnxLoader.looksLikeOnnx(bytes, bytes.length)).isTrue();
        assertThat(OnnxLoader.looksLikeOnnx(new byte[] {'P', 'K', 3, 4}, 4)).isFalse();
        assertThat(OnnxLoader.looksLikeOnnx(new byte[] {0x08, 0}, 2)).isFalse();
        assertThat(OnnxLoader.looksLikeOnnx(new byte[] {0x08}, 1)).isFalse();
    }

    @Test
    void modelLoaderRecognisesAnOnnxFileByItsContentWhateverItsName() {
        Path path = write(dir, "weights.bin", model(smallNet()));

        assertThat(dev.tally.load.ModelLoader.detect(path)).isEqualTo(dev.tally.load.ModelLoader.Kind.ONNX);
        assertThat(dev.tally.load.ModelLoader.load(path).format()).isEqualTo(ModelFormat.ONNX);
    }

    @Test
    void theModelFileIsMappedNotCopiedSoWeightBytesCostNoHeap() {
        // One 48 MB weight: copying raw_data onto the heap would show as ~48 MB more used heap.
        GraphProto.Builder graph = smallNet().addInitializer(floatWeight("big.weight", 3, 1024, 4096));
        Path path = write(dir, "big.onnx", model(graph));
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        long before = runtime.totalMemory() - runtime.freeMemory();
        Model model = new OnnxLoader().load(path);
        long after = runtime.totalMemory() - runtime.freeMemory();

        assertThat(model.graph().param("big.weight").orElseThrow().numel()).isEqualTo(3L * 1024 * 4096);
        assertThat(after - before).isLessThan(16L << 20);
    }
}
