#!/usr/bin/env python3
"""Makes the small models the launcher's training run analyses to build the JVM's AOT/CDS archive.

    /usr/bin/python3 scripts/make_training_models.py [--out src/main/resources/dev/tally/cli/training]

The launcher (src/main/dist/bin/tally) makes a class archive once per JDK and classpath by running
dev.tally.cli.Training, which reads these files from the jar: whatever classes a summary of them loads
are then mapped from the archive instead of being loaded one by one. So they hold the layer kinds of
the torchvision families at a few KB each (one constant per weight tensor): convolution, batch norm, ReLU,
pooling, a residual add, a dense concat, a transformer block (LayerNorm, attention by MatMul,
Softmax, GELU), flatten and linear. One ONNX export (opset 13, symbolic batch dim) and one traced
and one scripted TorchScript file of the same module.
"""

import argparse
import os
import warnings

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "main", "resources", "dev", "tally", "cli", "training")


class Block(nn.Module):
    """A pre-norm transformer block over the 16 positions of a 4x4 feature map, 8 channels."""

    def __init__(self, width):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.mlp = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width))

    def forward(self, x):
        q, k, v = self.qkv(self.norm(x)).chunk(3, dim=-1)
        attention = torch.softmax(torch.matmul(q, k.transpose(1, 2)) * 0.35, dim=-1)
        x = x + torch.matmul(attention, v)
        return x + self.mlp(x)


class Sampler(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
                                  nn.MaxPool2d(2))
        self.residual = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.ReLU())
        self.dense = nn.Conv2d(8, 4, 1)
        self.project = nn.Conv2d(12, 8, 1)
        self.pool = nn.AdaptiveAvgPool2d(4)
        self.block = Block(8)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.1), nn.Linear(8 * 16, 10))

    def forward(self, x):
        x = self.stem(x)
        x = x + self.residual(x)
        x = self.project(torch.cat([x, self.dense(x)], dim=1))
        x = self.pool(x)
        b, c, h, w = x.shape
        tokens = self.block(x.flatten(2).transpose(1, 2))
        return self.head(tokens.transpose(1, 2).reshape(b, c, h, w))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=OUT)
    out = parser.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = Sampler().eval()
    # One constant per tensor instead of random values: the training run only counts (it never reads weight bytes),
    # and constants deflate to almost nothing in the jar, whose dependency tree has a 10 MB budget
    # (DependencyTreeTest). Distinct values, so the ONNX exporter merges no initializers.
    with torch.no_grad():
        tensors = list(model.parameters()) + [b for b in model.buffers() if b.is_floating_point()]
        for i, tensor in enumerate(tensors):
            tensor.fill_(0.01 * (i + 1))
    x = torch.randn(1, 3, 16, 16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, x, os.path.join(out, "sampler.onnx"), opset_version=13, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        torch.jit.save(torch.jit.trace(model, x), os.path.join(out, "sampler.traced.pt"))
        torch.jit.save(torch.jit.script(model), os.path.join(out, "sampler.scripted.pt"))
    for name in sorted(os.listdir(out)):
        print(f"{name}: {os.path.getsize(os.path.join(out, name))} bytes")


if __name__ == "__main__":
    main()
