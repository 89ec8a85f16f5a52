#!/usr/bin/env python3
"""Writes a generated 10,000-node structure-only ONNX graph for the benchmark (scripts/bench).

    /usr/bin/python3 scripts/make_big_graph.py [--out DIR] [--nodes 10000]

DIR defaults to $TALLY_FIXTURES, else models/cache/ under the repository; the file is
big10k.onnx. The graph is a stem Conv, then residual blocks of seven nodes

    x -> Conv 3x3 -> BatchNormalization -> Relu -> Conv 3x3 -> BatchNormalization -> Add(x) -> Relu

at 64 channels and 56x56, then GlobalAveragePool -> Flatten -> Gemm to 1000 classes; the input has a
symbolic batch dim. Weights are ONNX external data whose file does not exist (as for the coverage
fixtures): only their dims are in the file. ONNX's own strict shape inference checks that every
shape is valid before the file is written. The file is cached: it is rewritten only when this script,
fixture_cache.py or the node count changes (big10k.onnx.stamp holds the key).
"""

import argparse
import os
import sys

import onnx
from onnx import TensorProto, helper

import fixture_cache as fc

CHANNELS = 64
SIZE = 56
CLASSES = 1000
NODES_PER_BLOCK = 7
# stem Conv + GlobalAveragePool + Flatten + Gemm
FIXED_NODES = 4


def scopes(layer):
    """The scope names PyTorch's exporter writes for a module path: a Sequential's child is named by
    its full path ("blocks.3.conv1" -> /blocks/blocks.3/conv1/Conv, as resnet's /layer1/layer1.0/conv1/Conv)."""
    parts = layer.split(".")
    if len(parts) >= 2 and parts[1].isdigit():
        return [parts[0], f"{parts[0]}.{parts[1]}"] + parts[2:]
    return parts


class Builder:
    def __init__(self, location):
        self.location = location
        self.offset = 0
        self.nodes = []
        self.initializers = []

    def weight(self, name, dims):
        """An initializer whose bytes live in an external file that is never written."""
        tensor = TensorProto()
        tensor.name = name
        tensor.data_type = TensorProto.FLOAT
        tensor.dims.extend(dims)
        tensor.data_location = TensorProto.EXTERNAL
        length = 4
        for d in dims:
            length *= d
        for key, value in (("location", self.location), ("offset", str(self.offset)), ("length", str(length))):
            entry = tensor.external_data.add()
            entry.key = key
            entry.value = value
        self.offset += length
        self.initializers.append(tensor)
        return name

    def node(self, op, inputs, layer, **attrs):
        name = "/" + "/".join(scopes(layer) + [op])
        output = f"{name}_output_0"
        self.nodes.append(helper.make_node(op, inputs, [output], name=name, **attrs))
        return output

    def conv(self, x, layer, cin, cout):
        w = self.weight(f"{layer}.weight", [cout, cin, 3, 3])
        b = self.weight(f"{layer}.bias", [cout])
        return self.node("Conv", [x, w, b], layer, kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])

    def batch_norm(self, x, layer):
        names = [self.weight(f"{layer}.{p}", [CHANNELS]) for p in ("weight", "bias", "running_mean", "running_var")]
        return self.node("BatchNormalization", [x] + names, layer, epsilon=1e-5)


def build(nodes):
    blocks, rest = divmod(nodes - FIXED_NODES, NODES_PER_BLOCK)
    if blocks < 1 or rest != 0:
        sys.exit(f"--nodes {nodes} does not fit: use {FIXED_NODES} + a multiple of {NODES_PER_BLOCK} (e.g. 10000).")
    b = Builder("big10k.onnx.data")
    x = b.conv("input", "stem", 3, CHANNELS)
    for i in range(blocks):
        layer = f"blocks.{i}"
        y = b.conv(x, f"{layer}.conv1", CHANNELS, CHANNELS)
        y = b.batch_norm(y, f"{layer}.bn1")
        y = b.node("Relu", [y], f"{layer}.relu1")
        y = b.conv(y, f"{layer}.conv2", CHANNELS, CHANNELS)
        y = b.batch_norm(y, f"{layer}.bn2")
        y = b.node("Add", [y, x], f"{layer}")
        x = b.node("Relu", [y], f"{layer}.relu2")
    x = b.node("GlobalAveragePool", [x], "pool")
    x = b.node("Flatten", [x], "flatten", axis=1)
    w = b.weight("fc.weight", [CLASSES, CHANNELS])
    bias = b.weight("fc.bias", [CLASSES])
    x = b.node("Gemm", [x, w, bias], "fc", transB=1)
    b.nodes[-1].output[0] = "output"
    graph = helper.make_graph(
        b.nodes, "big10k",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", CLASSES])],
        initializer=b.initializers)
    model = fc.onnx_model(graph, "tally make_big_graph.py")
    # Raises on any inconsistent shape; external weights are not needed, only their dims.
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    out_dims = [d.dim_param or d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim]
    if out_dims != ["batch", CLASSES]:
        sys.exit(f"big10k: output shape {out_dims}, expected ['batch', {CLASSES}].")
    return model


def main():
    parser = argparse.ArgumentParser(description="Write a generated structure-only ONNX graph for the benchmark.")
    parser.add_argument("--out", default=fc.DEFAULT_OUT)
    parser.add_argument("--nodes", type=int, default=10000)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    name = "big10k" if args.nodes == 10000 else f"big{args.nodes}"
    path = os.path.join(args.out, f"{name}.onnx")
    key = fc.sha256_text(fc.source_bytes(__file__), fc.source_bytes(), str(args.nodes))
    return fc.write_generated_onnx(path, key, lambda: build(args.nodes),
                                   lambda m: f"{len(m.graph.node):,} nodes, {len(m.graph.initializer):,} initializers")


if __name__ == "__main__":
    sys.exit(main())
