#!/usr/bin/env python3
"""Exports one detection model WITH its weights, so that `tally verify` can run it in ONNX Runtime.

Run with Debian's python3 (python3-torch, python3-torchvision, python3-onnx):

    /usr/bin/python3 scripts/export_verify_detection.py [--out DIR] [--force]

Writes into DIR/verify-detection/ (DIR defaults to $TALLY_FIXTURES, else models/cache/):
    ssdlite320_mobilenet_v3_large.onnx            opset 17, eval mode, weights=None (seeded), weights inside (14 MB)
    ssdlite320_mobilenet_v3_large.expected.json   the input shape, PyTorch's own output shapes for a seeded
                                                  random image of that shape, and detections_per_img, the bound
                                                  the model states on the boxes it returns

The zoo's ONNX files are structure-only (no weights) and cannot run; this is the one detection model CI runs. About
20 CPU-seconds (71 s wall on the loaded machine, 2026-12-01) and 14 MB. The folder is skipped when its stamp holds sha256(this script, torch version).
"""

import argparse
import hashlib
import json
import os
import sys
import time
import warnings

import torch
import torchvision

NAME = "ssdlite320_mobilenet_v3_large"
SIZE = 256


def main():
    parser = argparse.ArgumentParser(description="Export a detection model with weights for tally verify.")
    parser.add_argument("--out", default=os.environ.get("TALLY_FIXTURES")
                        or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models", "cache"))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    out_dir = os.path.join(os.path.abspath(args.out), "verify-detection")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.abspath(__file__), "rb") as f:
        stamp = hashlib.sha256(f.read() + torch.__version__.encode()).hexdigest()
    stamp_path = os.path.join(out_dir, "stamp")
    if not args.force and os.path.isfile(stamp_path) and open(stamp_path).read().strip() == stamp:
        print(f"verify-detection fixtures in {out_dir} are up to date")
        return 0
    started = time.time()
    torch.manual_seed(0)
    model = torchvision.models.detection.ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None).eval()
    image = torch.rand(3, SIZE, SIZE, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        detections = model([image])[0]
    tmp = os.path.join(out_dir, f".{NAME}.onnx.tmp")
    torch.onnx.export(model, ([image],), tmp, opset_version=17, input_names=["images"], do_constant_folding=True)
    os.replace(tmp, os.path.join(out_dir, f"{NAME}.onnx"))
    expected = {
        "name": NAME,
        "inputShape": [3, SIZE, SIZE],
        "outputShapes": [list(t.shape) for t in (detections["boxes"], detections["scores"], detections["labels"])],
        "detectionsPerImg": model.detections_per_img,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
    }
    with open(os.path.join(out_dir, f"{NAME}.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    with open(stamp_path, "w") as f:
        f.write(stamp + "\n")
    print(f"verify-detection: {time.time() - started:.1f} s into {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
