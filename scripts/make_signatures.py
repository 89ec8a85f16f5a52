#!/usr/bin/python3
"""Writes the state_dict signatures of the weights catalog's own graphs, so that `tally compare MODEL.pth --catalog`,
`tally summary` and `tally audit` place a torch.save checkpoint of any torchvision builder with a weights entry, not
only the classifiers of the architecture catalog (scripts/make_catalog.py).

For every row of src/main/resources/dev/tally/catalog/weights.json.gz (scripts/make_weights_catalog.py) whose graph is
one that script exported (segmentation, detection, video, optical flow, and ViT at its SWAG input) and whose keys and
shapes no entry of the architecture catalog has, the model is built
as make_weights_catalog.py builds it, `builder(weights=W)` with the download and the load made no-ops, and every key
of its state_dict() is written with its shape, dtype and role (param or buffer: BatchNorm's running stats and
num_batches_tracked, a detection backbone's FrozenBatchNorm2d weights), as torch.save(model.state_dict()) stores them.
Rows whose state_dicts are the same (Raft_Large's six weights) give one entry, named after the builder; a builder
whose rows differ (none today) or whose name the architecture catalog already has (vit_b_16 at 384, the SWAG
end-to-end weights) is named after its graph (vit_b_16_384x384). Two builders with the same state_dict and different
graphs (fasterrcnn_mobilenet_v3_large_fpn and its _320 model: the transform's sizes are set by the builder, not by the
weights) stay two entries; Tally reports both.

The quantized rows (torchvision.models.quantization) are built as scripts/export_catalog.py's oracle builds them
(build_quantized: fused, prepared, calibrated once and converted with qnnpack), one entry per builder, named after it
(quantized_resnet50), its graph the row's: the float graph of its unquantized weights, which is also the architecture
catalog entry of that float model (googlenet_noaux for quantized_googlenet). A quantized Linear's state_dict holds a
tuple (int8 weight, float bias) under X._packed_params._packed_params and torch.qint8 under X._packed_params.dtype:
the tuple is written as X._packed_params._packed_params.weight and .bias (TorchScript's names, and how Tally's reader
flattens it), the dtype left out. Roles follow Tally's convention for quantized models (weights and biases params,
scales and zero points buffers: named_parameters() of a converted model is empty); params is the row's, the float
model's parameters, which torchvision publishes as the quantized weights' num_params and Tally counts it as.

The file, src/main/resources/dev/tally/audit/catalog/signatures.txt.gz, is text, gzipped whole (one stream, so the
backbones the models share compress against each other): a line per entry, then a line per tensor. It packs
make_catalog.py's classifier signatures (<name>.json.gz, in index.json's order) first: the jar ships this file alone
(pom.xml leaves those JSON files out of it; they stay make_catalog.py's output and this script's input), 150,768 B of
gzipped JSON that are about 33 KB here.

  = name <TAB> builder call <TAB> graph resource (under dev/tally/; empty: none) <TAB> input (1,3,520,520) <TAB> input
    names (image1,image2, or empty) <TAB> params <TAB> buffers <TAB> bytes <TAB> why there is no graph (or empty)
  P <TAB> suffix <TAB> shape (64,3,7,7; empty for a scalar) <TAB> role (p or b) <TAB> dtype (empty for float32)

where P is how many leading characters the key shares with the previous key of the same entry (front coding:
backbone.body.layer1.0.conv1.weight is mostly the previous key). An architecture catalog entry that kept no graph (its
export was too big for make_catalog.py: ViT-L/H, Swin-B/S, Swin V2, RegNet-Y-128GF) and whose keys and shapes a weights
row has is counted on that row's graph, which an alias line gives:

  ~ <TAB> architecture catalog name <TAB> graph resource <TAB> input <TAB> input names

About 2 minutes (the quantized models' calibration passes) and 2.8 GB (ViT-H/14 is built); nothing is downloaded.

Run:  /usr/bin/python3 scripts/make_signatures.py
"""
import gzip
import json
import os
import sys
import time

import torch
import torchvision
from torchvision import models

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_catalog  # noqa: E402  (skip_random_init)
import make_weights_catalog as mw  # noqa: E402  (build_as_published, the way every row's model is built)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "main", "resources", "dev", "tally", "audit", "catalog", "signatures.txt.gz")


def flat_state(state):
    """The state_dict's tensors by key, as Tally reads them (StateDicts.java): a quantized Linear's packed params, the
    tuple (int8 weight, float bias) under X._packed_params._packed_params, as X._packed_params._packed_params.weight and
    .bias (TorchScript's names for them), and its X._packed_params.dtype (torch.qint8, not a tensor) left out."""
    flat = {}
    for key, value in state.items():
        if key.endswith("._packed_params.dtype") and isinstance(value, torch.dtype):
            continue
        if key.endswith("._packed_params._packed_params") and isinstance(value, tuple):
            for name, item in zip(("weight", "bias"), value):
                if item is not None:
                    flat[f"{key}.{name}"] = item
            continue
        if not isinstance(value, torch.Tensor):
            raise ValueError(f"{key} is a {type(value).__name__}, not a tensor; the signature format has no place for it")
        flat[key] = value
    return flat


def tensors(model):
    """[key, shape, dtype, role] for every state_dict entry, in state_dict order. A quantized model's modules keep their
    weights in packed params, not nn.Parameters (named_parameters() is empty): its weight and bias tensors are params and
    its scales and zero points buffers, Tally's convention for quantized models (docs/conventions.md)."""
    flat = flat_state(model.state_dict())
    if any(value.is_quantized for value in flat.values()):
        params = {key for key in flat if key.endswith(".weight") or key.endswith(".bias")}
    else:
        params = {name for name, _ in model.named_parameters()}
    return [[key, list(value.shape), str(value.dtype).replace("torch.", ""), "p" if key in params else "b"]
            for key, value in flat.items()]


def build_quantized(row):
    """The quantized model as scripts/export_catalog.py's count_quantized builds it (the oracle): the float model of the
    unquantized weights, fused, prepared and converted with qnnpack (torchvision's weights name fbgemm, which this PyTorch
    build lacks; the engine changes the observers, not the modules or the state_dict's keys and shapes) after one
    calibration pass at the row's input, as builder(weights=W, quantize=True) does."""
    weights = models.get_model_weights(row["builder"])[row["weights"].split(".", 1)[1]]
    model = mw.build_as_published(models.get_model_builder(row["builder"]), weights.meta["unquantized"], quantize=False)
    return quantize(model, row["graphInput"])


def quantize(model, shape):
    """A torchvision.models.quantization model built with quantize=False, quantized in place as count_quantized does."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():  # random init is skipped: finite values keep the observers' ranges finite
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
    return model


def entries():
    """One entry per distinct (builder, state_dict) among the rows whose graph make_weights_catalog.py exported."""
    with gzip.open(os.path.join(ROOT, "src", "main", "resources", "dev", "tally", "catalog", "weights.json.gz")) as f:
        rows = json.load(f)["entries"]
    with open(os.path.join(os.path.dirname(OUT), "index.json")) as f:
        architectures = {e["name"] for e in json.load(f)["entries"]}
    known = mw.architecture_signatures()  # keys and shapes the architecture catalog already matches
    found = {}
    aliases = {}
    for row in rows:
        if row["task"] == "quantization" and row["graph"]:
            # Counted on the float graph the weights catalog costs the row on (same MACs, in integers), with the float
            # model's params, which torchvision publishes as the quantized weights' num_params (docs/conventions.md).
            if any(e["name"] == row["builder"] for e in found.values()):
                continue  # a builder's quantized weights (FBGEMM V1, V2) configure the same modules: built once
            model = build_quantized(row)
            signature = tensors(model)
            state = flat_state(model.state_dict())
            del model
            key = (row["builder"], json.dumps(signature))
            if key not in found:
                found[key] = {"name": row["builder"], "builder": f"torchvision.models.quantization.{row['builder'][len('quantized_'):]}"
                              f"(weights={row['weights']}, quantize=True)", "graph": row["graph"], "input": row["graphInput"],
                              "inputNames": [], "params": row["params"],
                              "buffers": sum(state[t[0]].numel() for t in signature if t[3] == "b"),
                              "bytes": sum(v.numel() * v.element_size() for v in state.values()), "tensors": signature}
                print(f"{row['builder']:40s} {len(signature):4d} tensors", flush=True)
            continue
        if row["task"] == "quantization" or not row["graph"] or row["graph"].startswith("audit/"):
            continue
        builder = models.get_model_builder(row["builder"])
        weights = models.get_model_weights(row["builder"])[row["weights"].split(".", 1)[1]]
        model = mw.build_as_published(builder, weights)
        signature = tensors(model)
        totals = (sum(p.numel() for p in model.parameters()), sum(b.numel() for b in model.buffers()),
                  sum(v.numel() * v.element_size() for v in model.state_dict().values()))
        del model  # before the next build: ViT-H holds 2.5 GB
        key = (row["builder"], json.dumps(signature))
        architecture = known.get(json.dumps([[t[0], t[1]] for t in signature]))
        if architecture:
            # The architecture catalog has it (MaxViT, ViT-L/H at 224, Swin-B/S, RegNet-Y-128GF). When its entry kept no graph
            # (too many params or bytes for make_catalog.py), the weights row's graph counts it: an alias line says so.
            name, onnx = architecture[0][0], architecture[0][1]
            if not onnx and name not in aliases:
                aliases[name] = {"name": name, "graph": row["graph"], "input": row["graphInput"], "inputNames": row["inputNames"] or []}
                print(f"{name:40s} graph {row['graph']}", flush=True)
            continue
        if key in found:
            continue
        name = row["builder"]
        if name in architectures or any(e["name"] == name for e in found.values()):
            name = row["graph"].split("/")[-1].split(".")[0]
        found[key] = {"name": name, "builder": f"torchvision.models.{row['builder']}(weights={row['weights']})",
                      "graph": row["graph"], "input": row["graphInput"], "inputNames": row["inputNames"] or [],
                      "params": totals[0], "buffers": totals[1], "bytes": totals[2], "tensors": signature}
        print(f"{name:40s} {len(signature):4d} tensors", flush=True)
    return list(found.values()), list(aliases.values())


def classifiers():
    """make_catalog.py's entries (<name>.json.gz, in index.json's order), packed here too: the jar ships this file alone
    (pom.xml leaves the per-architecture JSON files out), a fifth of their bytes."""
    folder = os.path.dirname(OUT)
    with open(os.path.join(folder, "index.json")) as f:
        names = [e["name"] for e in json.load(f)["entries"]]
    found = []
    for name in names:
        with gzip.open(os.path.join(folder, name + ".json.gz")) as f:
            data = json.load(f)
        found.append({"name": name, "builder": data["builder"], "graph": "audit/catalog/" + data["onnx"] if data["onnx"] else "",
                      "input": data["inputShape"], "inputNames": [], "params": data["params"], "buffers": data["buffers"],
                      "bytes": data["bytes"], "note": data["onnxNote"] or "",
                      "tensors": [[k, shape, dtype, "p" if role == "param" else "b"] for k, shape, dtype, role in data["tensors"]]})
    return found


def text(entry):
    lines = ["=\t" + "\t".join([entry["name"], entry["builder"], entry["graph"], ",".join(map(str, entry["input"])),
                                 ",".join(entry["inputNames"]), str(entry["params"]), str(entry["buffers"]), str(entry["bytes"]),
                                 entry.get("note", "")])]
    previous = ""
    for key, shape, dtype, role in entry["tensors"]:
        shared = len(os.path.commonprefix([previous, key]))
        lines.append("\t".join([str(shared), key[shared:], ",".join(map(str, shape)), role, "" if dtype == "float32" else dtype]))
        previous = key
    return "\n".join(lines) + "\n"


def main():
    started = time.time()
    make_catalog.skip_random_init()
    torch.set_num_threads(1)
    found, aliases = entries()
    header = (f"# tally state_dict signatures (scripts/make_signatures.py), torch {torch.__version__.split('a')[0]}, "
              f"torchvision {torchvision.__version__.split('a')[0]}\n")
    packed = classifiers()
    body = (header + "".join(text(e) for e in packed)
            + "".join("\t".join(["~", a["name"], a["graph"], ",".join(map(str, a["input"])), ",".join(a["inputNames"])]) + "\n"
                      for a in aliases)
            + "".join(text(e) for e in found))
    with gzip.GzipFile(OUT, "wb", mtime=0, compresslevel=9) as out:  # mtime 0: the same models give the same bytes
        out.write(body.encode("utf-8"))
    print(f"signatures: {len(packed)} architecture catalog entries and {len(found)} more, {len(body):,} bytes of text, {os.path.getsize(OUT):,} gzipped, "
          f"{time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
