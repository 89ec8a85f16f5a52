#!/usr/bin/python3
"""Writes the fixtures of `tally compare MODEL.pth --catalog` for every task into $TALLY_FIXTURES/catalog-checkpoints/.

Usage: /usr/bin/python3 scripts/export_catalog_checkpoints.py --out FIXTURES_DIR

- <builder>.pth: torch.save(model.state_dict()) of the model as builder(weights=W) builds it for its first weights
  entry (scripts/make_weights_catalog.py's build_as_published: the download and the load are no-ops, so the values are
  the init's, made constant; only keys and shapes matter), one model per family Tally did not place before:
  lraspp_mobilenet_v3_large (segmentation), fasterrcnn_mobilenet_v3_large_320_fpn (detection; its state_dict is also
  fasterrcnn_mobilenet_v3_large_fpn's), maskrcnn_resnet50_fpn (detection, 170 MB), r3d_18 (video), raft_small
  (optical flow, a TorchScript graph in the catalog) and swin_v2_t (a classifier make_catalog.py has no graph for,
  counted on the weights catalog's, whose GELUs the ONNX export takes apart), quantized_mobilenet_v2 and
  quantized_googlenet (quantized models as scripts/export_catalog.py's oracle builds them: int8 tensors, a Linear's
  packed (weight, bias) tuple; googlenet's float model is the one without auxiliary heads), and
  quantized_mobilenet_v2_10classes.pth, a fine-tuned one (10-class head), with finetuned.json: PyTorch's parameter
  count of the float model it quantizes, the params Tally reports for it.
- signatures.json: PyTorch's state_dict keys and shapes of every builder with a weights entry (built as published, as
  above; a quantized Linear's packed tuple as X._packed_params._packed_params.weight and .bias, its dtype entry left
  out, as Tally reads them), {"weights": "ResNet50_Weights.IMAGENET1K_V1", "builder": ..., "tensors":
  [[key, shape], ...]} per weights entry, so that a test can check that Tally's catalog knows each one and names every
  builder that has the same keys and shapes.

The figures the placed checkpoints must show are the catalog oracle's (scripts/export_catalog.py). About a minute and
under 3 GB (ViT-H/14 and RegNet-Y-128GF are built for their signatures); 520 MB on disk.
Cache: the folder is reused when stamp holds the hash of this script and the torch version.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import time

import torch
from torchvision import models

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_catalog  # noqa: E402  (skip_random_init)
import make_signatures  # noqa: E402  (build_quantized, flat_state: a quantized model and its state_dict as Tally reads it)
import make_weights_catalog as mw  # noqa: E402  (build_as_published, TASKS)

CHECKPOINTS = ("lraspp_mobilenet_v3_large", "fasterrcnn_mobilenet_v3_large_320_fpn", "maskrcnn_resnet50_fpn", "r3d_18",
               "raft_small", "swin_v2_t", "quantized_mobilenet_v2", "quantized_googlenet")


def write(out):
    make_catalog.skip_random_init()
    torch.set_num_threads(1)
    signatures = []
    for task, module in mw.TASKS:
        for name in models.list_models(module=module):
            builder = models.get_model_builder(name)
            for weights in models.get_model_weights(name):
                weights_name = f"{type(weights).__name__}.{weights.name}"
                if task == "quantization" and signatures and signatures[-1]["builder"] == name:
                    # A builder's quantized weights (ResNet-50's FBGEMM V1 and V2) configure the same modules; its
                    # calibration pass (histogram observers) is the slow part, so it is built once.
                    signatures.append(dict(signatures[-1], weights=weights_name))
                    continue
                if task == "quantization":
                    model = make_signatures.build_quantized({"builder": name, "weights": weights_name,
                                                             "graphInput": mw.input_shape(task, weights)})
                else:
                    model = mw.build_as_published(builder, weights)
                state = model.state_dict()
                signatures.append({"weights": weights_name, "builder": name, "task": task,
                                   "tensors": [[k, list(v.shape)] for k, v in make_signatures.flat_state(state).items()]})
                if name in CHECKPOINTS and not os.path.exists(os.path.join(out, name + ".pth")):
                    torch.save(state, os.path.join(out, name + ".pth"))
                del model, state
    # A fine-tuned quantized model: quantized mobilenet_v2 with a 10-class head, and PyTorch's count of the float model it
    # quantizes (the params Tally reports for it, docs/conventions.md "Quantized models").
    float_model = models.quantization.mobilenet_v2(weights=None, quantize=False, num_classes=10).eval()
    finetuned = {"quantized_mobilenet_v2_10classes.pth": {"numParams": sum(p.numel() for p in float_model.parameters()),
                                                          "head": [10, 1280], "input": [1, 3, 224, 224]}}
    torch.save(make_signatures.quantize(float_model, [1, 3, 224, 224]).state_dict(),
               os.path.join(out, "quantized_mobilenet_v2_10classes.pth"))
    with open(os.path.join(out, "finetuned.json"), "w") as f:
        json.dump(finetuned, f)
    with open(os.path.join(out, "signatures.json"), "w") as f:
        json.dump({"torch": torch.__version__, "entries": signatures}, f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    out = os.path.join(parser.parse_args().out, "catalog-checkpoints")
    with open(__file__, "rb") as source:
        key = hashlib.sha256(source.read() + torch.__version__.encode()).hexdigest()
    stamp = os.path.join(out, "stamp")
    if os.path.exists(stamp) and open(stamp).read().strip() == key:
        print("catalog checkpoint fixtures are up to date in", out)
        return 0
    started = time.time()
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    write(out)
    with open(stamp, "w") as f:
        f.write(key + "\n")
    print(f"catalog checkpoint fixtures written to {out} in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
