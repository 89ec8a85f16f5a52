#!/usr/bin/python3
"""The oracle for `tally catalog`'s tests, read from the installed torchvision at test time, never from Tally's data.

Writes $TALLY_FIXTURES/catalog/oracle.json (--out FIXTURES): for every weights enum member of every torchvision
builder (classification, quantization, segmentation, detection, video, optical flow):

  weights     "ResNet50_Weights.IMAGENET1K_V2"
  task        the torchvision module it comes from
  numParams   meta["num_params"], as torchvision publishes it
  metrics     meta["_metrics"], NaN written as null (JSON has no NaN)
  input       the evaluation input: the weights' crop size (segmentation: 520x520; video: 16 frames of the crop;
              optical flow: one of the two frames, the padded Sintel or KITTI frame, see FLOW_FRAMES)
  macs        the aten-level multiply-accumulates of the real model at that input, counted by
              export_models.MacCounter (convolution, mm, bmm, addmm, ...; quantized models add quantized::conv2d
              and quantized::linear), or null with macsError
  macs160     the same at 1x3x160x160 (classification, and optical flow with both frames at that shape), or null with
              macs160Error when the real model refuses that size (ViT's position embeddings)
  numFlowUpdates  optical flow only: the flow updates forward ran, its own default (num_flow_updates)
  macs100     optical flow only: the same with both frames at 1x3x100x100, or null with macs100Error: RAFT refuses
              frames whose sides do not divide by 8

The model is the one builder(weights=W) builds, with the download and the state_dict load made no-ops (the
weights are never fetched: the architecture is what matters, and torchvision keeps the metadata in the enum).
It runs on device="meta": no memory is touched and no arithmetic done, so vit_h_14 at 518x518 costs
milliseconds; the count is the real model's, op by op. Three video models have ops without a meta kernel in
torch 1.13 (MViT v1/v2, S3D): they are counted on the CPU, with random init skipped (a real forward pass, about
a CPU-second per 20 GMACs). Quantized entries are the real quantized model (count_quantized), on the CPU.
Detection entries (count_detection) run on the CPU with the zoo's values (scripts/export_zoo.py: the builder's values
plus export_models.make_values_distinct's seeded noise) at one image of the side the model's transform resizes to
(800, or fixed_size/min_size 300, 320), through export_models.run_hooks, the zoo's per-module count:
  macs                 the whole model's count on this image (its proposals and detections as this run found them)
  macsDataIndependent  the modules whose work does not depend on the data: backbone (with its FPN) and rpn.head or
                       head, the parts the zoo's detection cells check; the rest (RoI heads on the proposals, masks,
                       keypoints) depends on how many boxes the data gives
  frozenBatchNormBuffers  elements of the FrozenBatchNorm2d buffers (weight, bias, running mean and variance: buffers in
                       PyTorch, which an ONNX graph stores like any weight)
Optical flow entries (count_optical_flow) run on the meta device with two frames of the input shape (image1, image2)
and forward's own default number of flow updates (num_flow_updates=12). The whole
run took 16.5 minutes on the shared machine at load 10-14 (2026-12-01), most of it the CPU passes; with RAFT, 18.4 minutes
(375 CPU-s) at load 4-12, of which the 24 RAFT passes on meta took 4.8 s.

Cache key: this file's text and the torch and torchvision versions; a cached oracle is reused.
Run:  /usr/bin/python3 scripts/export_catalog.py --out FIXTURES
"""
import argparse
import hashlib
import inspect
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torchvision
from torchvision import models
from torchvision.models._api import WeightsEnum
from torchvision.ops.misc import FrozenBatchNorm2d

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models as em  # noqa: E402  (run_hooks: the zoo's per-module count, for detection)
from export_models import MacCounter  # noqa: E402  (the aten-level MAC count the other oracles use)

SCRIPT = os.path.abspath(__file__)
TASKS = [("classification", models), ("quantization", models.quantization), ("segmentation", models.segmentation),
         ("detection", models.detection), ("video", models.video), ("optical_flow", models.optical_flow)]
COUNTED = ("classification", "quantization", "segmentation", "video", "detection", "optical_flow")
# One of RAFT's two frames: the frame of the dataset an entry's first metric is on (Sintel 436x1024, KITTI 375x1242 for most
# frames), padded to the next multiple of 8 as torchvision's optical-flow reference pads it (references/optical_flow/utils.py,
# InputPadder) before the model; scripts/make_weights_catalog.py chooses the same.
FLOW_FRAMES = {"Sintel": [1, 3, 440, 1024], "Kitti": [1, 3, 376, 1248]}
# The modules of a detection model whose MACs do not depend on the data (the zoo's detection cells check the same).
DATA_INDEPENDENT = ("backbone", "rpn.head", "head")


def cache_key():
    with open(SCRIPT, "rb") as f:
        source = f.read()
    return hashlib.sha256(source + torch.__version__.encode() + torchvision.__version__.encode()).hexdigest()


def build(builder, weights, **kwargs):
    saved_get, saved_load = WeightsEnum.get_state_dict, nn.Module.load_state_dict
    WeightsEnum.get_state_dict = lambda self, *a, **k: {}
    nn.Module.load_state_dict = lambda self, *a, **k: None
    try:
        with torch.no_grad():
            return builder(weights=weights, **kwargs).eval()
    finally:
        WeightsEnum.get_state_dict, nn.Module.load_state_dict = saved_get, saved_load


def evaluation_input(task, weights):
    keywords = getattr(weights.transforms, "keywords", {})
    if task in ("classification", "quantization"):
        return [1, 3, keywords["crop_size"], keywords["crop_size"]]
    if task == "segmentation":
        return [1, 3, keywords["resize_size"], keywords["resize_size"]]
    if task == "video":
        return [1, 3, 16] + list(keywords["crop_size"])
    if task == "optical_flow":
        return list(FLOW_FRAMES[next(iter(weights.meta["_metrics"])).split("-")[0]])
    return None


class QuantizedMacCounter(MacCounter):
    """MacCounter, plus the quantized convolutions and linears a converted model dispatches (quantized::conv2d,
    conv2d_relu, linear, linear_relu): numel(Y) * prod(weight.shape[1:]) and numel(Y) * in_features, the aten
    formulas, with the int8 weight read from the op's packed params."""

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func._schema.name
        if name in ("quantized::conv2d", "quantized::conv2d_relu"):
            out = func(*args, **(kwargs or {}))
            self.total += out.numel() * math.prod(args[1].unpack()[0].shape[1:])
            return out
        if name in ("quantized::linear", "quantized::linear_relu"):
            out = func(*args, **(kwargs or {}))
            self.total += out.numel() * args[0].shape[-1]
            return out
        return super().__torch_dispatch__(func, types, args, kwargs)


def count(model, shape, device, counter=None):
    counter = counter or MacCounter([])
    with torch.no_grad(), counter:
        model(torch.zeros(shape, device=device))
    return counter.total


def count_real_model(builder, weights, shape):
    try:
        return count(build(builder, weights).to("meta"), shape, "meta")
    except (NotImplementedError, RuntimeError) as error:
        if "meta" not in str(error).lower():
            raise
        # MViT v1/v2 and S3D call ops without a meta kernel in torch 1.13 (repeat_interleave,
        # max_pool3d_with_indices): the same count on the CPU, a real forward pass (random init is skipped, so
        # building costs nothing; the pass costs about a CPU-second per 20 GMACs).
        return count(build(builder, weights), shape, "cpu")


def count_optical_flow(builder, weights, shape):
    """(MACs, flow updates) of RAFT as builder(weights=W) builds it, on the meta device: model(image1, image2) with both
    frames of `shape`, so forward runs its own default number of flow updates (num_flow_updates), returned beside the
    count."""
    model = build(builder, weights).to("meta")
    counter = MacCounter([])
    with torch.no_grad(), counter:
        model(torch.zeros(shape, device="meta"), torch.zeros(shape, device="meta"))
    return counter.total, inspect.signature(model.forward).parameters["num_flow_updates"].default


def count_quantized(name, weights, shape):
    """The real quantized model as builder(weights=W, quantize=True) makes it, with PyTorch's eager post-training
    quantization (fuse_model, prepare, one calibration pass, convert). torchvision's weights name the fbgemm
    engine, which this PyTorch build lacks; the engine changes the observers, not the modules, so qnnpack builds
    the same quantized architecture. Counted on the CPU: quantized kernels have no meta form."""
    # builder(weights=W, quantize=False) refuses quantized weights; their unquantized ones configure the same modules.
    model = build(models.get_model_builder(name), weights.meta["unquantized"], quantize=False)
    # Random init is skipped (the memory is left as it was): finite values keep the observers' ranges finite.
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for key, tensor in model.state_dict().items():
            if tensor.is_floating_point():
                tensor.fill_(1.0) if key.endswith("running_var") else tensor.normal_(0, 0.01, generator=generator)
    model.fuse_model()
    torch.backends.quantized.engine = "qnnpack"
    model.qconfig = torch.ao.quantization.get_default_qconfig("qnnpack")
    torch.ao.quantization.prepare(model, inplace=True)
    with torch.no_grad():
        model(torch.rand(shape))
    torch.ao.quantization.convert(model, inplace=True)
    return count(model, shape, "cpu", QuantizedMacCounter([]))


def detection_input(model):
    """One [3, S, S] image, S the side the model's transform resizes a square image to (so it is not resized)."""
    transform = model.transform
    side = transform.fixed_size[0] if transform.fixed_size else transform.min_size[-1]
    return [3, side, side]


def count_detection(name, builder, weights):
    """(input, whole count, data-independent count, FrozenBatchNorm2d buffer elements) of the real detection model
    builder(weights=W) on one image."""
    model = build(builder, weights)
    # Random init is skipped (the memory is left as it was): zero, then the zoo's seeded noise, so the run is sane.
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.zero_()
    em.make_values_distinct(model)
    shape = detection_input(model)
    image = torch.rand(shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        modules, _, total, _ = em.run_hooks(name, model, [image])
    independent = sum(m["macs"] for m in modules if m["name"] in DATA_INDEPENDENT)
    frozen = sum(b.numel() for m in model.modules() if isinstance(m, FrozenBatchNorm2d) for b in m.buffers())
    return shape, total, independent, frozen


def no_nan(metrics):
    return {d: {k: None if v != v else v for k, v in values.items()} for d, values in metrics.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    out_dir = os.path.join(parser.parse_args().out, "catalog")
    path = os.path.join(out_dir, "oracle.json")
    key = cache_key()
    if os.path.exists(path):
        with open(path) as f:
            if json.load(f).get("key") == key:
                print(f"catalog oracle: cached in {path}")
                return
    started = time.time()
    # Random init is skipped: values do not matter for a count, and on the meta device there are none anyway.
    for name in ("uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "xavier_uniform_",
                 "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_"):
        setattr(nn.init, name, lambda tensor, *a, **k: tensor)
    torch.set_num_threads(1)
    rows = []
    detections = {}
    for task, module in TASKS:
        for name in models.list_models(module=module):
            builder = models.get_model_builder(name)
            for weights in models.get_model_weights(name):
                row = {"weights": f"{type(weights).__name__}.{weights.name}", "task": task, "builder": name,
                       "numParams": weights.meta["num_params"], "metrics": no_nan(weights.meta["_metrics"]),
                       "input": evaluation_input(task, weights), "macs": None, "macs160": None}
                if task == "detection":
                    # One architecture per builder (KeypointRCNN's two weights entries): counted once.
                    if name not in detections:
                        detections[name] = count_detection(name, builder, weights)
                    row["input"], row["macs"], row["macsDataIndependent"], row["frozenBatchNormBuffers"] = detections[name]
                elif task == "optical_flow":
                    # Both frames at the entry's frame, then both at 1x3x160x160 (`tally catalog --input 1x3x160x160`).
                    row["macs"], row["numFlowUpdates"] = count_optical_flow(builder, weights, row["input"])
                    row["macs160"], _ = count_optical_flow(builder, weights, [1, 3, 160, 160])
                    # A frame whose sides do not divide by 8, which RAFT's forward refuses: the test expects Tally's row to
                    # say the model's own words.
                    try:
                        row["macs100"], _ = count_optical_flow(builder, weights, [1, 3, 100, 100])
                    except Exception as error:
                        row["macs100"], row["macs100Error"] = None, str(error).strip().splitlines()[0][:200]
                elif task in COUNTED:
                    for field, shape in (("macs", row["input"]), ("macs160", [1, 3, 160, 160] if task == "classification" else None)):
                        if shape is None:
                            continue
                        try:
                            row[field] = (count_quantized(name, weights, shape) if task == "quantization"
                                          else count_real_model(builder, weights, shape))
                        except Exception as error:  # the real model refuses this input: the test expects no cost
                            row[field + "Error"] = str(error).strip().splitlines()[0][:200]
                rows.append(row)
    os.makedirs(out_dir, exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump({"key": key, "torch": torch.__version__, "torchvision": torchvision.__version__, "entries": rows}, f, indent=1)
    os.replace(path + ".tmp", path)
    print(f"catalog oracle: {len(rows)} weights entries in {time.time() - started:.0f} s, {os.path.getsize(path):,} bytes")


if __name__ == "__main__":
    main()
