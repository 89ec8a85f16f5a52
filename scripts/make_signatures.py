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

About 40 s and 2.8 GB (ViT-H/14 is built); nothing is downloaded.

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


def tensors(model):
    """[key, shape, dtype, role] for every state_dict entry, in state_dict order."""
    params = {name for name, _ in model.named_parameters()}
    found = []
    for key, value in model.state_dict().items():
        if not isinstance(value, torch.Tensor):
            raise ValueError(f"{key} is a {type(value).__name__}, not a tensor; the signature format has no place for it")
        found.append([key, list(value.shape), str(value.dtype).replace("torch.", ""), "p" if key in params else "b"])
    return found


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
