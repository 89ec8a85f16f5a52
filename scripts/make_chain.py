#!/usr/bin/env python3
"""Writes the ONNX chains of issue 14 (resource-limit fixtures, not models).

    /usr/bin/python3 scripts/make_chain.py [--out DIR] [--nodes 1000000] [--name-width 0]

DIR defaults to $TALLY_FIXTURES, else models/cache/ under the repository. The graph is one input x of shape
[1, 16] followed by NODES unary ops in a chain, cycling Relu, Neg, Abs, Sigmoid so that neighbours differ:

    x -> Relu -> Neg -> Abs -> Sigmoid -> Relu -> ... -> y

Each node is named n<i>, its output t<i>; the last output is y. No weights. With --name-width W the digits are
zero-padded so that every node and value name but x and y is W characters long (n000...042), which makes each node
three times W bytes larger in the file without changing the graph. scripts/test writes three:

- chain/chain1m.onnx: the default, one million nodes, 35 MB (issue 14's chain);
- chain/chain2700000.onnx: 2.7 million nodes, 99.8 MB, a graph-only file just under 100 MB, past Tally's node limit;
- chain/chain1m-w28.onnx: one million nodes with 28-character names, 98.3 MB, a graph-only file just under 100 MB
  at the node limit.

The file's bytes are written directly (a million onnx helper objects cost about a minute and a GB of Python), and
must parse equal to the same chain made with onnx's helpers, which ONNX's checker accepts: both checked on a
1,001-node chain each run. A file is rewritten only when this script, fixture_cache.py, its node count, its name
width or onnx's version changes (FILE.stamp holds the key).
"""

import argparse
import os
import sys

import onnx
from onnx import TensorProto, helper

import fixture_cache as fc

OPS = ("Relu", "Neg", "Abs", "Sigmoid")
WIDTH = 16


def node_name(i, width):
    return f"n{i:0{width - 1}d}" if width else f"n{i}"


def value_name(i, count, width):
    """The value node i makes: t<i>, y for the last node; x (the graph's input) for i = -1."""
    if i < 0:
        return "x"
    if i == count - 1:
        return "y"
    return f"t{i:0{width - 1}d}" if width else f"t{i}"


def build(count, width):
    """The chain made with onnx's helpers: the reference chain_bytes must equal."""
    nodes = [helper.make_node(OPS[i % len(OPS)], [value_name(i - 1, count, width)], [value_name(i, count, width)],
                              name=node_name(i, width))
             for i in range(count)]
    graph = helper.make_graph(
        nodes, "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, WIDTH])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, WIDTH])])
    return fc.onnx_model(graph, "tally make_chain.py")


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def field(number, payload):
    """A length-delimited protobuf field: tag, length, bytes."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def chain_bytes(count, width):
    """The serialized chain: the model and graph fields from onnx (a chain of no nodes), the nodes written here
    (NodeProto input = 1, output = 2, name = 3, op_type = 4; GraphProto node = 1; ModelProto graph = 7)."""
    shell = build(0, width)
    graph = bytearray()
    ops = [op.encode() for op in OPS]
    for i in range(count):
        node = (field(1, value_name(i - 1, count, width).encode()) + field(2, value_name(i, count, width).encode())
                + field(3, node_name(i, width).encode()) + field(4, ops[i % len(OPS)]))
        graph += field(1, node)
    graph += shell.graph.SerializeToString()
    shell.ClearField("graph")
    return shell.SerializeToString() + field(7, bytes(graph))


def checked_model(count, width):
    """The chain, after its writer was checked against onnx's helpers and checker on a small chain."""
    small = build(1001, width)
    onnx.checker.check_model(small)
    if onnx.load_from_string(chain_bytes(1001, width)) != small:
        sys.exit("make_chain.py: the written chain differs from onnx's; fix chain_bytes.")
    return onnx.load_from_string(chain_bytes(count, width))


def main():
    parser = argparse.ArgumentParser(description="Write an ONNX chain of unary ops.")
    parser.add_argument("--out", default=fc.DEFAULT_OUT)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--name-width", type=int, default=0)
    args = parser.parse_args()
    if args.nodes < 1:
        sys.exit(f"--nodes must be at least 1, not {args.nodes}.")
    if args.name_width and args.name_width < len(str(args.nodes)) + 1:
        sys.exit(f"--name-width must leave room for the prefix and {len(str(args.nodes))} digits, not {args.name_width}.")
    folder = os.path.join(args.out, "chain")
    os.makedirs(folder, exist_ok=True)
    name = "chain1m" if args.nodes == 1_000_000 else f"chain{args.nodes}"
    if args.name_width:
        name += f"-w{args.name_width}"
    path = os.path.join(folder, f"{name}.onnx")
    key = fc.sha256_text(fc.source_bytes(__file__), fc.source_bytes(), str(args.nodes), str(args.name_width),
                         onnx.__version__)
    return fc.write_generated_onnx(path, key, lambda: checked_model(args.nodes, args.name_width),
                                   lambda m: f"{len(m.graph.node):,} nodes")


if __name__ == "__main__":
    sys.exit(main())
