#!/usr/bin/python3
"""Writes the format fixtures of issue 11 into $TALLY_FIXTURES/formats/ with PyTorch's own figures beside them.

Usage: /usr/bin/python3 scripts/export_formats.py --out FIXTURES_DIR

- resnet18_frozen.scripted.pt: torchvision's resnet18 (random weights, seed 0) with requires_grad_(False) on every
  module but fc, scripted and saved by torch.jit.save; resnet18_frozen.expected.json holds PyTorch's own counts
  (trainable: sum of numel over parameters that require grad; frozen: the others; buffers).
- resnet50.modules.json: the class name of every module of torchvision's resnet50 by module path, from
  model.named_modules() (the root is ""), as print(model) shows them.

Cache: the folder is reused when stamp holds the hash of this script and the torch version.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys

import torch
import torchvision


def frozen_resnet18(out):
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval()
    model.requires_grad_(False)
    model.fc.requires_grad_(True)
    torch.jit.save(torch.jit.script(model), os.path.join(out, "resnet18_frozen.scripted.pt"))
    params = list(model.parameters())
    expected = {
        "model": "resnet18 with requires_grad_(False) on all modules but fc",
        "torch": torch.__version__,
        "params": sum(p.numel() for p in params),
        "trainableParams": sum(p.numel() for p in params if p.requires_grad),
        "frozenParams": sum(p.numel() for p in params if not p.requires_grad),
        "buffers": sum(b.numel() for b in model.buffers()),
    }
    with open(os.path.join(out, "resnet18_frozen.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    return expected


def resnet50_modules(out):
    model = torchvision.models.resnet50(weights=None)
    modules = {name: type(module).__name__ for name, module in model.named_modules()}
    with open(os.path.join(out, "resnet50.modules.json"), "w") as f:
        json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__, "modules": modules}, f, indent=1)
    return modules


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    out = os.path.join(parser.parse_args().out, "formats")
    with open(__file__, "rb") as source:
        key = hashlib.sha256(source.read() + torch.__version__.encode()).hexdigest()
    stamp = os.path.join(out, "stamp")
    if os.path.exists(stamp) and open(stamp).read().strip() == key:
        print(f"format fixtures in {out} are up to date")
        return 0
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    expected = frozen_resnet18(out)
    modules = resnet50_modules(out)
    print(f"format fixtures: frozen resnet18 (trainable {expected['trainableParams']:,} of {expected['params']:,}),"
          f" {len(modules)} resnet50 modules, in {out}")
    with open(stamp, "w") as f:
        f.write(key + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
