#!/usr/bin/python3
"""Writes the checkpoint fixtures of issue 11 (.pth everywhere) into $TALLY_FIXTURES/checkpoints/, with PyTorch's
own figures beside them.

Usage: /usr/bin/python3 scripts/export_checkpoints.py --out FIXTURES_DIR

- resnet18_head10.pth: torchvision's resnet18 fine-tuned to 10 classes (num_classes=10, random weights, seed 0),
  torch.save(model.state_dict()) in the zip format; resnet18_head10.legacy.pth the same state_dict in the legacy
  format inside a training checkpoint ({"model": state_dict, "epoch": 3}); resnet18_head10.scripted.pt the same
  model, torch.jit.script and torch.jit.save, so the checkpoint can be compared with a file that has a graph.
- resnet18_extra.pth: resnet18 with one more module that forward never calls (projection, Linear(512, 128,
  bias=False)), state_dict saved: its tensors are in the file and in PyTorch's parameter count, but add no MACs.
- unknown.pth: the state_dict of a small module no catalog architecture has (keys 0.weight, 0.bias, 2.weight, 2.bias).
- <name>.expected.json for each counted model: PyTorch's params (sum of numel over parameters()), buffers (over
  buffers()), MACs of the Conv2d and Linear modules by forward hooks at 1x3x224x224 (numel(Y) * Cin/g * prod(k),
  numel(Y) * in_features, as docs/conventions.md defines them) and the output shape.

Cache: the folder is reused when stamp holds the hash of this script and the torch version.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys

import torch
import torch.nn as nn
import torchvision

INPUT = [1, 3, 224, 224]


def hook_macs(model, x):
    """Conv2d and Linear MACs by forward hooks, and the output."""
    total = [0]

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            per = (module.in_channels // module.groups) * module.kernel_size[0] * module.kernel_size[1]
            total[0] += output.numel() * per
        elif isinstance(module, nn.Linear):
            total[0] += output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        output = model(x)
    for handle in handles:
        handle.remove()
    return total[0], output


def figures(name, model, note):
    macs, output = hook_macs(model, torch.zeros(INPUT))
    return {
        "name": name,
        "model": note,
        "torch": torch.__version__,
        "inputShape": INPUT,
        "outputShape": list(output.shape),
        "params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for b in model.buffers()),
        "macs": macs,
    }


class WithUnusedProjection(nn.Module):
    """resnet18 plus a projection head that forward does not call (as a self-supervised checkpoint keeps one)."""

    def __init__(self):
        super().__init__()
        self.net = torchvision.models.resnet18(weights=None)
        self.projection = nn.Linear(512, 128, bias=False)

    def forward(self, x):
        return self.net(x)


def write_json(path, data):
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


def export(out):
    torch.manual_seed(0)
    head10 = torchvision.models.resnet18(weights=None, num_classes=10).eval()
    torch.save(head10.state_dict(), os.path.join(out, "resnet18_head10.pth"))
    torch.save({"model": head10.state_dict(), "epoch": 3}, os.path.join(out, "resnet18_head10.legacy.pth"),
               _use_new_zipfile_serialization=False)
    torch.jit.save(torch.jit.script(head10), os.path.join(out, "resnet18_head10.scripted.pt"))
    write_json(os.path.join(out, "resnet18_head10.expected.json"),
               figures("resnet18_head10", head10, "torchvision.models.resnet18(weights=None, num_classes=10)"))

    extra = WithUnusedProjection().eval()
    # The state_dict keys of the wrapped resnet18 are the catalog's own (no 'net.' prefix), plus projection.weight.
    state = dict(extra.net.state_dict())
    state["projection.weight"] = extra.projection.weight.detach()
    torch.save(state, os.path.join(out, "resnet18_extra.pth"))
    write_json(os.path.join(out, "resnet18_extra.expected.json"),
               figures("resnet18_extra", extra, "resnet18 plus projection = Linear(512, 128, bias=False), never called"))

    unknown = nn.Sequential(nn.Linear(7, 5), nn.ReLU(), nn.Linear(5, 2))
    torch.save(unknown.state_dict(), os.path.join(out, "unknown.pth"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    out = os.path.join(parser.parse_args().out, "checkpoints")
    with open(__file__, "rb") as source:
        key = hashlib.sha256(source.read() + torch.__version__.encode()).hexdigest()
    stamp = os.path.join(out, "stamp")
    if os.path.exists(stamp) and open(stamp).read().strip() == key:
        print("checkpoint fixtures are up to date in", out)
        return 0
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    export(out)
    with open(stamp, "w") as f:
        f.write(key + "\n")
    print("checkpoint fixtures written to", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
