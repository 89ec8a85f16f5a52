#!/usr/bin/env python3
"""Makes the ONNX files shipped in models/, so that the README's first command needs no PyTorch.

    /usr/bin/python3 scripts/make_shipped_models.py [--out models]

- lenet5.onnx      complete, weights included (seeded, so the file is reproducible)
- alexnet.onnx     torchvision alexnet, structure only
- vgg16.onnx       torchvision vgg16, structure only
- worksheet.onnx   the worksheet network (docs/conventions.md, the ops convention), structure only, 1x3x227x227
- bottleneck.onnx  the assignment's bottleneck network (docs/bottleneck-network.md), structure only, 1x1x256x256

"Structure only" means saved with ONNX external data and the data file deleted: every tensor of
1 KB or more points at '<name>.onnx.data', which is not shipped, so the file is a few KB. Tally
counts parameters from the initializers' dims and never reads their bytes, so the figures are
the same as for the complete file. Smaller tensors (biases, shape constants) stay inline.
The batch dim is symbolic ("batch"), as in the fixtures.
"""

import argparse
import os
import sys
import warnings

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models  # noqa: E402 - the same model definitions as the fixtures
import torch.nn as nn  # noqa: E402

REPO = export_models.REPO

def bottleneck():
    """The assignment's VGG-like bottleneck network: 1x256x256 input, five blocks of two 3x3 convs (stride 1,
    padding 1) and a 2x2 max-pool (stride 2), 64-128-256-512-512 channels, then FC 4096, FC 4096, FC 2."""
    layers, channels = [], 1
    for width in (64, 128, 256, 512, 512):
        for _ in range(2):
            layers += [nn.Conv2d(channels, width, kernel_size=3, stride=1, padding=1), nn.ReLU(inplace=True)]
            channels = width
        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    layers += [nn.Flatten(), nn.Linear(512 * 8 * 8, 4096), nn.ReLU(inplace=True),
               nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Linear(4096, 2)]
    return nn.Sequential(*layers)


# Networks shipped here but not among the fixtures: (name, builder, input shape, opset).
LOCAL = {
    "bottleneck": (bottleneck, (1, 1, 256, 256), 13),
}

SHIPPED = [
    # (name, structure only)
    ("lenet5", False),
    ("alexnet", True),
    ("vgg16", True),
    ("worksheet", True),
    ("bottleneck", True),
]


def export(name, structure_only, out_dir):
    if name in LOCAL:
        build, input_shape, opset = LOCAL[name]
    else:
        _, _, build, input_shape, opset = next(m for m in export_models.MODELS if m[0] == name)
    torch.manual_seed(0)
    model = build().eval()
    export_models.make_values_distinct(model)  # else equal-valued initializers are merged
    x = torch.randn(*input_shape)
    path = os.path.join(out_dir, f"{name}.onnx")
    tmp = path + ".tmp"
    with torch.no_grad():
        torch.onnx.export(model, x, tmp, opset_version=opset, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=True)
    location = None
    if structure_only:
        proto = onnx.load(tmp)
        os.remove(tmp)
        location = f"{name}.onnx.data"
        tmp_dir = os.path.join(out_dir, f".tmp-shipped-{os.getpid()}")
        os.makedirs(tmp_dir, exist_ok=True)
        try:
            tmp = os.path.join(tmp_dir, f"{name}.onnx")
            onnx.save_model(proto, tmp, save_as_external_data=True, all_tensors_to_one_file=True,
                            location=location)
            os.replace(tmp, path)
        finally:
            data = os.path.join(tmp_dir, location)
            if os.path.exists(data):
                os.remove(data)
            os.rmdir(tmp_dir)
    else:
        os.replace(tmp, path)
    params = sum(p.numel() for p in model.parameters())
    kind = f"structure only, external data '{location}' not shipped" if structure_only else "complete"
    print(f"{path}: {os.path.getsize(path):,} bytes, {params:,} params, {kind}")


def main():
    parser = argparse.ArgumentParser(description="Make the ONNX files shipped in models/.")
    parser.add_argument("--out", default=os.path.join(REPO, "models"))
    parser.add_argument("--only", default="", help="comma-separated names (default: every shipped model)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    os.makedirs(args.out, exist_ok=True)
    only = [n for n in args.only.split(",") if n]
    for name, structure_only in SHIPPED:
        if only and name not in only:
            continue
        export(name, structure_only, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
