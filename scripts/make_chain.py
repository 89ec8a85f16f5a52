#!/usr/bin/env python3
"""Writes the one-million-node ONNX chain of issue 14 (a resource-limit fixture, not a model).

    /usr/bin/python3 scripts/make_chain.py [--out DIR] [--nodes 1000000]

DIR defaults to $TALLY_FIXTURES, else models/cache/ under the repository; the file is
chain/chain1m.onnx (about 30 MB). The graph is one input x of shape [1, 16] followed by NODES
unary ops in a chain, cycling Relu, Neg, Abs, Sigmoid so that neighbours differ:

    x -> Relu -> Neg -> Abs -> Sigmoid -> Relu -> ... -> y

Each node is named n<i>, its output t<i>; the last output is y. No weights. ONNX's checker runs on
the result. The file is cached: it is rewritten only when this script, fixture_cache.py, the node count or
onnx's version changes (chain/chain1m.onnx.stamp holds the key).
"""

import argparse
import os
import sys

import onnx
from onnx import TensorProto, helper

import fixture_cache as fc

OPS = ("Relu", "Neg", "Abs", "Sigmoid")
WIDTH = 16


def build(count):
    nodes = []
    previous = "x"
    for i in range(count):
        output = "y" if i == count - 1 else f"t{i}"
        nodes.append(helper.make_node(OPS[i % len(OPS)], [previous], [output], name=f"n{i}"))
        previous = output
    graph = helper.make_graph(
        nodes, "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, WIDTH])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, WIDTH])])
    model = fc.onnx_model(graph, "tally make_chain.py")
    onnx.checker.check_model(model)
    return model


def main():
    parser = argparse.ArgumentParser(description="Write the one-million-node ONNX chain.")
    parser.add_argument("--out", default=fc.DEFAULT_OUT)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.nodes < 1:
        sys.exit(f"--nodes must be at least 1, not {args.nodes}.")
    folder = os.path.join(args.out, "chain")
    os.makedirs(folder, exist_ok=True)
    name = "chain1m" if args.nodes == 1_000_000 else f"chain{args.nodes}"
    path = os.path.join(folder, f"{name}.onnx")
    key = fc.sha256_text(fc.source_bytes(__file__), fc.source_bytes(), str(args.nodes), onnx.__version__)
    return fc.write_generated_onnx(path, key, lambda: build(args.nodes), lambda m: f"{len(m.graph.node):,} nodes")


if __name__ == "__main__":
    sys.exit(main())
