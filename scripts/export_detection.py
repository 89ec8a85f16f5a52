#!/usr/bin/env python3
"""Exports torchvision's heavier detection models as opset-11 ONNX, with PyTorch's own figures.

Run with Debian's python3 (python3-torch, python3-torchvision, python3-onnx):

    /usr/bin/python3 scripts/export_detection.py [--out DIR] [--models a,b] [--force]

Writes into DIR/detection/ (DIR defaults to $TALLY_FIXTURES, else models/cache/). scripts/export_zoo.py already
makes fasterrcnn_mobilenet_v3_large_320_fpn, retinanet_resnet50_fpn and ssdlite320_mobilenet_v3_large at opset
17; this script adds the forms that carry the data-dependent ops Tally must bound: fcos_resnet50_fpn,
maskrcnn_resnet50_fpn and keypointrcnn_resnet50_fpn, at opset 11 (the opset torchvision documents for
detection export), weights=None, eval mode, at 160x160 with min_size = max_size = 160 so the exports stay small.

Per model the files are those of export_zoo.export (structure-only ONNX; traced and scripted TorchScript, whose
weights, 60 MB or more here, are zeroed and the archive re-written DEFLATE-compressed; PyTorch's error for a
form it cannot make), plus in <name>.expected.json:
    "detectionsPerImg"  the model's own bound on the boxes it returns (roi_heads.detections_per_img for the R-CNNs,
                        detections_per_img for FCOS): the final outputs' first dim is at most this.

The cache key of a model is sha256(this script, export_zoo.py, export_models.py, model name, torch version); the
folder is skipped when detection/stamp holds sha256(this script, export_zoo.py, export_models.py, torch version).
"""

import argparse
import fcntl
import os
import shutil
import sys
import time
import warnings

import torch
import torchvision.models as tvm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models as em  # noqa: E402
import export_zoo as ez  # noqa: E402

SCRIPT = os.path.abspath(__file__)
SIZE = 160
MODELS = ["fcos_resnet50_fpn", "maskrcnn_resnet50_fpn", "keypointrcnn_resnet50_fpn"]


def specs():
    kwargs = {"weights_backbone": None, "min_size": SIZE, "max_size": SIZE}
    return [(name, "detection", ez.builder(tvm, name, **kwargs), [("images", (1, 3, SIZE, SIZE))]) for name in MODELS]


def detections_per_img(model):
    heads = getattr(model, "roi_heads", None)
    return heads.detections_per_img if heads is not None else model.detections_per_img


def main():
    parser = argparse.ArgumentParser(description="Export torchvision's detection models at opset 11.")
    parser.add_argument("--out", default=os.environ.get("TALLY_FIXTURES") or os.path.join(em.REPO, "models", "cache"))
    parser.add_argument("--models", default="")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    out_dir = os.path.join(os.path.abspath(args.out), "detection")
    os.makedirs(out_dir, exist_ok=True)
    with open(SCRIPT, "rb") as f:
        source = f.read()
    with open(ez.SCRIPT, "rb") as f:
        zoo_source = f.read()
    ez.OPSET = 11
    stamp = em.sha256_text(source, zoo_source, em.script_bytes(), torch.__version__)
    stamp_path = os.path.join(out_dir, "stamp")
    wanted = [s for s in specs() if not args.models or s[0] in args.models.split(",")]
    with open(os.path.join(out_dir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not args.force and not args.models and os.path.isfile(stamp_path):
            with open(stamp_path) as f:
                if f.read().strip() == stamp:
                    print(f"detection fixtures in {out_dir} are up to date")
                    return 0
        for leftover in os.listdir(out_dir):
            if leftover.startswith(".tmp-export-"):
                shutil.rmtree(os.path.join(out_dir, leftover), ignore_errors=True)
        started = time.time()
        failures = []
        for spec in wanted:
            key = em.sha256_text(source, zoo_source, em.script_bytes(), spec[0], torch.__version__)
            if not args.force and em.is_cached(out_dir, spec[0], key):
                continue
            t0 = time.time()
            try:
                expected = ez.export(spec, out_dir, key)
                torch.manual_seed(0)
                expected["detectionsPerImg"] = detections_per_img(spec[2]())
                em.write_json(os.path.join(out_dir, f"{spec[0]}.expected.json"), expected)
            except Exception as error:  # noqa: BLE001 - the oracle itself failed: report, go on
                failures.append(spec[0])
                print(f"{spec[0]:32s} FAILED: {ez.first_line(error)}", flush=True)
                continue
            made = ",".join(k for k, v in expected["files"].items() if v)
            print(f"{spec[0]:32s} {time.time() - t0:6.1f} s  params {expected['params']:>11,}  MACs "
                  f"{expected['macs']:>15,}  [{made}]  {expected['errors'].get('onnx', '')}", flush=True)
        em.write_json(os.path.join(out_dir, "index.json"), {
            "models": [s[0] for s in specs() if os.path.isfile(os.path.join(out_dir, f"{s[0]}.expected.json"))],
            "opset": 11, "size": SIZE})
        print(f"detection: {time.time() - started:.1f} s into {out_dir}")
        if failures:
            print(f"failed: {', '.join(failures)}", file=sys.stderr)
            return 1
        if not args.models:
            em.write_text(stamp_path, stamp + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
