#!/usr/bin/python3
"""Builds the weights catalog behind `tally catalog`: one entry per torchvision weights enum member.

For every builder of torchvision's classification, quantization, segmentation, detection, video and optical
flow modules and every member of its weights enum, the model is built exactly as `builder(weights=W)` builds
it, with the download and the state_dict load replaced by no-ops (nothing is downloaded: torchvision keeps
the metadata in the enum). It writes src/main/resources/dev/tally/catalog/weights.json.gz:

  task, builder, weights ("ResNet50_Weights.IMAGENET1K_V2"), family (the builder's torchvision module),
  metrics (meta["_metrics"], copied as torchvision gives it), input (the evaluation input: the weights'
  crop size; segmentation 520x520, the resize size; video 16 frames of the crop), the state_dict's
  params and tensor bytes counted by PyTorch on the built model, and the structure-only graph to count it
  with: the name of an entry of the architecture catalog (dev/tally/audit/catalog, scripts/make_catalog.py)
  whose state_dict signature (every key and shape) equals the built model's, or a graph this script exports
  into dev/tally/catalog/ when no catalog entry matches and the export is cheap, or none with the reason.

About five minutes when the graphs are present (every model is built); it exports only the graphs the architecture catalog lacks (make_catalog.py, whose
whole run takes an hour, is not touched). Run:  /usr/bin/python3 scripts/make_weights_catalog.py [--big]
"""
import gzip
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torchvision
from torchvision import models
from torchvision.models._api import WeightsEnum

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_catalog  # noqa: E402  (export_structure, skip_random_init: the catalog's own export)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "main", "resources", "dev", "tally", "catalog")
ARCHITECTURES = os.path.join(ROOT, "src", "main", "resources", "dev", "tally", "audit", "catalog")
TASKS = [("classification", models), ("quantization", models.quantization), ("segmentation", models.segmentation),
         ("detection", models.detection), ("video", models.video), ("optical_flow", models.optical_flow)]
# The architecture catalog keeps graphs up to 120 KB and models up to 200M params (audit matches need no more); a
# weights entry without a cost is a hole in the table, so this script keeps bigger graphs (Swin-B/S, Swin V2: 120-
# 250 KB gzipped) and, with --big, exports the 300M-650M-param models too, one at a time, without autograd (see
# export_lean), which keeps the export near the size of the weights (5.5 GB peak for RegNet-Y-128GF at 384x384).
# Tracing them runs their forward pass for real: RegNet-Y-128GF at 384 took 15 minutes on the shared machine, and
# ViT-H/14 at 518 is three times its MACs; a graph already present is used without --big.
MAX_EXPORT_PARAMS = 700_000_000
MAX_ONNX_BYTES = 300_000
VIDEO_FRAMES = 16  # torchvision's video references evaluate 16-frame clips (mvit's meta: min_temporal_size 16)
# Tasks whose graphs this script tries to export; detection and optical flow have data-dependent control flow
# (proposals, NMS, iterative refinement) that a structure-only graph does not describe.
EXPORTED_TASKS = ("classification", "segmentation", "video")
# Video transformers and S3D at 16x224x224: tracing mvit_v2_s for the export took over 10 GB and was killed on the
# project's shared machine (mvit_v1_b took 4.6 minutes), and the test oracle (scripts/export_catalog.py) counts on
# the meta device, where these have ops without a kernel; they keep their metrics and params, without cost.
NOT_EXPORTED = {"mvit_v1_b": "not exported: its export takes minutes, and the test oracle cannot count it cheaply "
                             "(torch 1.13 has no meta kernel for repeat_interleave)",
                "mvit_v2_s": "not exported: tracing it at 16x224x224 needs over 10 GB of memory",
                "s3d": "not exported: the test oracle cannot count it on the meta device (torch 1.13 has no meta kernel for "
                       "max_pool3d_with_indices), and a CPU count of the video models took the oracle to 19 minutes"}
BIG = "--big" in sys.argv  # also trace the models above 200M params whose graphs are not present yet
EXPORTED = {}  # state_dict signature -> (graph, graphInput) of the graphs this run exported
NO_GRAPH = {"detection": "detection models choose boxes at run time (region proposals, NMS), which no structure-only graph describes",
            "optical_flow": "not exported: RAFT takes two frames of no fixed size (its metrics are on Sintel and KITTI frames of "
                            "different sizes), and the catalog's graphs take one input of one size"}


def build_as_published(builder, weights, **kwargs):
    """builder(weights=weights) with the download and the load of the state_dict made no-ops."""
    saved_get, saved_load = WeightsEnum.get_state_dict, nn.Module.load_state_dict
    WeightsEnum.get_state_dict = lambda self, *a, **k: {}
    nn.Module.load_state_dict = lambda self, *a, **k: None
    try:
        return builder(weights=weights, **kwargs).eval()
    finally:
        WeightsEnum.get_state_dict, nn.Module.load_state_dict = saved_get, saved_load


def input_shape(task, weights):
    keywords = getattr(weights.transforms, "keywords", {})
    if task in ("classification", "quantization"):
        crop = keywords["crop_size"]
        return [1, 3, crop, crop]
    if task == "segmentation":
        size = keywords["resize_size"]
        return [1, 3, size, size]
    if task == "video":
        h, w = keywords["crop_size"]
        return [1, 3, VIDEO_FRAMES, h, w]
    return None


def published(metrics):
    """meta["_metrics"] unchanged, except that NaN (VGG16_Weights.IMAGENET1K_FEATURES: "not published") becomes
    null, which JSON can carry."""
    return {dataset: {name: None if value != value else value for name, value in values.items()}
            for dataset, values in metrics.items()}


def state_dict_facts(model):
    keys = set(name for name, _ in model.named_parameters())
    params = sum(p.numel() for p in model.parameters())
    size = 0
    signature = []
    for key, value in model.state_dict().items():
        if isinstance(value, torch.Tensor):
            size += value.numel() * value.element_size()
            signature.append([key, list(value.shape)])
    return params, size, signature, keys


def architecture_signatures():
    found = {}
    index = json.load(open(os.path.join(ARCHITECTURES, "index.json")))
    for entry in index["entries"]:
        with gzip.open(os.path.join(ARCHITECTURES, entry["name"] + ".json.gz")) as f:
            data = json.load(f)
        key = json.dumps([[t[0], t[1]] for t in data["tensors"]])
        found.setdefault(key, []).append((entry["name"], entry["onnx"], entry["onnxNote"], data["inputShape"]))
    return found


def main():
    started = time.time()
    os.makedirs(OUT, exist_ok=True)
    make_catalog.skip_random_init()
    torch.set_num_threads(1)
    known = architecture_signatures()
    rows = []
    for task, module in TASKS:
        for name in models.list_models(module=module):
            builder = models.get_model_builder(name)
            for weights in models.get_model_weights(name):
                rows.append(entry(task, name, builder, weights, known))
    data = {"torch": torch.__version__.split("a")[0], "torchvision": torchvision.__version__.split("a")[0],
            "videoFrames": VIDEO_FRAMES, "entries": rows}
    with gzip.GzipFile(os.path.join(OUT, "weights.json.gz"), "wb", mtime=0) as out:
        out.write(json.dumps(data, separators=(",", ":")).encode("utf-8"))
    size = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"weights catalog: {len(rows)} entries, {size:,} bytes in {OUT}, {time.time() - started:.0f} s")


def entry(task, name, builder, weights, known):
    started = time.time()
    shape = input_shape(task, weights)
    row = {"task": task, "builder": name, "weights": f"{type(weights).__name__}.{weights.name}",
           "family": builder.__module__.rsplit(".", 1)[-1], "metrics": published(weights.meta["_metrics"]),
           "input": shape, "params": None, "bytes": None, "graph": None, "graphInput": None, "graphNote": None}
    if task == "quantization":
        # The quantized model's packed int8 weights are no state_dict tensors; torchvision publishes the
        # float model's num_params, so params and bytes are the float model's (the weights' "unquantized").
        # The float model as its unquantized weights build it (googlenet without its auxiliary heads).
        float_name = name[len("quantized_"):]
        model = build_as_published(models.get_model_builder(float_name), weights.meta["unquantized"])
        row["graphNote"] = "quantized model: Tally counts float graphs only; see its unquantized entry " + \
                           f"{type(weights.meta['unquantized']).__name__}.{weights.meta['unquantized'].name}"
    else:
        model = build_as_published(builder, weights)
    params, size, signature, _ = state_dict_facts(model)
    row["params"], row["bytes"] = params, size
    if task == "quantization":
        pass
    elif task not in EXPORTED_TASKS:
        row["graphNote"] = NO_GRAPH[task]
    else:
        match = known.get(json.dumps(signature))
        if match and match[0][1]:
            row["graph"], row["graphInput"] = "audit/catalog/" + match[0][1], match[0][3]
        else:
            # No architecture graph (none matches, or the architecture catalog kept the signature only): export one.
            export_graph(row, model, params, shape, name)
    del model
    print(f"{row['weights']:58s} {time.time() - started:5.1f} s  {row['graph'] or row['graphNote']}", flush=True)
    return row


def export_graph(row, model, params, shape, name):
    """A graph of this script's own: for a configuration the architecture catalog lacks (ViT at 384,
    segmentation and video models)."""
    if name in NOT_EXPORTED:
        row["graphNote"] = NOT_EXPORTED[name]
        return
    if params > MAX_EXPORT_PARAMS:
        row["graphNote"] = f"not exported: {params:,} params is above the catalog's export limit of {MAX_EXPORT_PARAMS:,}"
        return
    signature = json.dumps(state_dict_facts(model)[2])
    if signature in EXPORTED:
        # The same architecture at another input (RegNet-Y-128GF SWAG: E2E at 384, LINEAR at 224): Tally re-sizes the
        # graph exported for the first entry, and the test checks the count at this entry's input.
        row["graph"], row["graphInput"] = EXPORTED[signature]
        return
    stem = f"{name}_{'x'.join(str(d) for d in shape[2:])}"
    path = os.path.join(OUT, stem + ".onnx.gz")
    if params > make_catalog.MAX_EXPORT_PARAMS and not os.path.exists(path) and not BIG:
        row["graphNote"] = (f"not exported: tracing {params:,} params takes 15 minutes and more on the shared 2-core machine; "
                            "scripts/make_weights_catalog.py --big exports it")
        return
    try:
        if not os.path.exists(path):
            size = export_lean(model, shape, path)
            if size > MAX_ONNX_BYTES:
                os.remove(path)
                row["graphNote"] = f"not kept: the structure-only graph is {size:,} bytes, above the catalog limit of {MAX_ONNX_BYTES:,}"
                return
        row["graph"], row["graphInput"] = "catalog/" + stem + ".onnx.gz", shape
        EXPORTED[signature] = (row["graph"], row["graphInput"])
    except Exception as error:  # record why; the row keeps its metrics and params
        if os.path.exists(path):
            os.remove(path)
        row["graphNote"] = "export failed: " + str(error).strip().splitlines()[0][:200]


def export_lean(model, shape, path):
    """make_catalog.export_structure without autograd: tracing under grad keeps every activation for a backward
    pass that never comes (ViT-H at 518x518 would need about 10 GB). Without grad, nn.MultiheadAttention takes
    its fused fast path, which the exporter of torch 1.13 cannot export; marking only the attention modules as
    training keeps them on the ordinary path, which is the same computation when their dropout is 0 (torchvision's
    ViT), so the graph is the eval graph."""
    attention = [m for m in model.modules() if isinstance(m, nn.MultiheadAttention)]
    if any(m.dropout for m in attention):
        raise ValueError("an attention module has dropout; its training-mode export would differ from eval")
    for m in attention:
        m.training = True
    try:
        with torch.no_grad():
            return make_catalog.export_structure(model, shape, path)
    finally:
        for m in attention:
            m.training = False


def zero(g, tensor):
    """aten::zero (Swin V2 zeroes the key third of its qkv bias in place) as zeros of the same shape; torch 1.13's
    exporter has no symbolic for it, so the whole Swin V2 family failed to export."""
    return g.op("ConstantOfShape", g.op("Shape", tensor), value_t=torch.tensor([0.0]))


torch.onnx.register_custom_op_symbolic("aten::zero", zero, 9)


if __name__ == "__main__":
    main()
