#!/usr/bin/env python3
"""Writes the one-million-node ONNX chain of issue 14 (a resource-limit fixture, not a model).

    /usr/bin/python3 scripts/make_chain.py [--out DIR] [--nodes 1000000]

DIR defaults to $TALLY_FIXTURES, else models/cache/ under the repository; the file is
chain/chain1m.onnx (about 30 MB). The graph is one input x of shape [1, 16] followed by NODES
unary ops in a chain, cycling Relu, Neg, Abs, Sigmoid so that neighbours differ:

    x -> Relu -> Neg -> Abs -> Sigmoid -> Relu -> ... -> y

Each node is named n<i>, its output t<i>; the last output is y. No weights. ONNX's checker runs on
the result. The file is cached: it is rewritten only when this script or the node count changes
(chain/chain1m.onnx.stamp holds the key).
"""

import argparse
import hashlib
import os
import sys

import onnx
from onnx import TensorProto, helper

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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
    model = helper.make_model(graph, producer_name="tally make_chain.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def main():
    parser = argparse.ArgumentParser(description="Write the one-million-node ONNX chain.")
    parser.add_argument("--out", default=os.environ.get("TALLY_FIXTURES") or os.path.join(REPO, "models", "cache"))
    parser.add_argument("--nodes", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.nodes < 1:
        sys.exit(f"--nodes must be at least 1, not {args.nodes}.")
    folder = os.path.join(args.out, "chain")
    os.makedirs(folder, exist_ok=True)
    name = "chain1m" if args.nodes == 1_000_000 else f"chain{args.nodes}"
    path = os.path.join(folder, f"{name}.onnx")
    with open(os.path.abspath(__file__), "rb") as f:
        key = hashlib.sha256(f.read() + str(args.nodes).encode() + onnx.__version__.encode()).hexdigest()
    stamp = path + ".stamp"
    if os.path.isfile(path) and os.path.isfile(stamp) and open(stamp).read().strip() == key:
        print(f"{path}: up to date")
        return 0
    model = build(args.nodes)
    tmp = f"{path}.tmp{os.getpid()}"
    onnx.save_model(model, tmp)
    os.replace(tmp, path)
    with open(stamp + ".tmp", "w") as f:
        f.write(key + "\n")
    os.replace(stamp + ".tmp", stamp)
    print(f"{path}: {len(model.graph.node):,} nodes, {os.path.getsize(path):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
