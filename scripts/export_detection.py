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

The cache key of a model is sha256(this script, export_zoo.py, fixture_cache.py, export_models.py, model name, torch
version); the folder is skipped when detection/stamp holds the same without the model name. fixture_cache.export_folder
runs the loop, shared with export_zoo.py.
"""

import os
import sys
import warnings

import torch
import torchvision.models as tvm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models as em  # noqa: E402
import export_zoo as ez  # noqa: E402
import fixture_cache as fc  # noqa: E402

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
    args = fc.export_arguments("Export torchvision's detection models at opset 11.")
    warnings.filterwarnings("ignore")
    out_dir = os.path.join(os.path.abspath(args.out), "detection")
    source = fc.source_bytes(SCRIPT)
    zoo_source = fc.source_bytes(ez.SCRIPT)
    ez.OPSET = 11

    def export(spec, key):
        expected = ez.export(spec, out_dir, key)
        torch.manual_seed(0)
        expected["detectionsPerImg"] = detections_per_img(spec[2]())
        em.write_json(os.path.join(out_dir, f"{spec[0]}.expected.json"), expected)
        return expected

    def line(spec, expected, seconds):
        made = ",".join(k for k, v in expected["files"].items() if v)
        return (f"{spec[0]:32s} {seconds:6.1f} s  params {expected['params']:>11,}  MACs "
                f"{expected['macs']:>15,}  [{made}]  {expected['errors'].get('onnx', '')}")

    def write_index():
        em.write_json(os.path.join(out_dir, "index.json"), {
            "models": [s[0] for s in specs() if os.path.isfile(os.path.join(out_dir, f"{s[0]}.expected.json"))],
            "opset": 11, "size": SIZE})
    return fc.export_folder(
        out_dir, "detection", args, specs(),
        stamp=em.sha256_text(source, zoo_source, fc.source_bytes(), em.script_bytes(), torch.__version__),
        key_of=lambda name: em.sha256_text(source, zoo_source, fc.source_bytes(), em.script_bytes(), name,
                                           torch.__version__),
        export=export, line=line, finish=write_index)


if __name__ == "__main__":
    sys.exit(main())
