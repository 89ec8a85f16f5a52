#!/usr/bin/python3
"""Builds the architecture catalog that `tally audit` matches torch.save checkpoints against.

For every torchvision classification model (torchvision.models.list_models(module=torchvision.models)),
a few variants users actually save (googlenet and inception_v3 without their auxiliary heads, as a model
loaded with published weights is), and the LeNet-5 and worksheet networks, it writes into
src/main/resources/dev/tally/audit/catalog/:

  <name>.json.gz  the state_dict signature (gzipped JSON): every key with its shape, dtype and role (param or buffer),
                the builder call, the input shape the graph was exported at, and PyTorch's own totals;
  <name>.onnx.gz  the structure-only ONNX graph, gzipped (node names compress about 13 to 1): exported in the model's own (eval) mode with
                training=PRESERVE and do_constant_folding=False, so that initializer names stay the
                state_dict keys and BatchNorm is not folded; every initializer is marked as external
                data and the data file is dropped, so a file weighs a few KB;
  index.json    the list of entries, in order, with why an entry has no graph when it has none.

The jar ships no <name>.json.gz (pom.xml leaves them out): scripts/make_signatures.py packs them, in index.json's order,
with the other tasks' builders, into signatures.txt.gz, which is what Tally reads; run it after this script.

Nothing is downloaded: models are built with weights=None. Tensors get a distinct constant each instead of
their random init (values do not matter for structure, and init dominates the run time of the big ones).

Run:  /usr/bin/python3 scripts/make_catalog.py [--skip-existing] [--reverse] [--index-only] [--no-index] [--signature-only] [name ...]
      (no names: all; --index-only rewrites index.json from the entries present)
"""
import gzip
import io
import json
import os
import sys
import time

import onnx
import torch
import torch.nn as nn
import torchvision
from torchvision import models

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "main", "resources", "dev", "tally", "audit", "catalog")
OPSET = 13
# Graphs bigger than this (gzipped, after dropping the data) stay signature-only: the catalog must stay small.
MAX_ONNX_BYTES = 120_000
# Exporting traces a forward pass; above this many parameters it costs minutes and gigabytes on the
# project's 2-core machines, so those models keep their signature only.
MAX_EXPORT_PARAMS = 200_000_000
SIGNATURE_ONLY = False
# Symbolic input axes for torch.onnx.export (None: every size fixed); make_weights_catalog.py sets a symbolic batch.
DYNAMIC_AXES = None


# LeNet-5 and the worksheet network exactly as the fixture script defines them, so their checkpoints match.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_models import LeNet5, worksheet  # noqa: E402


def zero_init(tensor, *args, **kwargs):
    with torch.no_grad():
        return tensor.zero_()


def skip_random_init():
    for name in ("uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "xavier_uniform_",
                 "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_"):
        setattr(nn.init, name, zero_init)


def torchvision_entries():
    entries = []
    for name in models.list_models(module=models):
        builder = models.get_model_builder(name)
        weights = list(models.get_model_weights(name))
        crop = weights[0].transforms.keywords.get("crop_size", 224) if weights else 224
        entries.append((name, f"torchvision.models.{name}(weights=None)", lambda b=builder: b(weights=None), crop))
        if name in ("googlenet", "inception_v3"):
            # A model built with published weights drops its auxiliary heads (aux_logits=False), and so does
            # the state_dict users save from it; the published .pth file itself keeps them.
            entries.append((name + "_noaux", f"torchvision.models.{name}(weights=None, aux_logits=False)",
                            lambda b=builder: b(weights=None, aux_logits=False, init_weights=True), crop))
    return entries


def signature(model):
    param_keys = set()
    for prefix, module in model.named_modules():
        for key, value in module._parameters.items():
            if value is not None:
                param_keys.add(f"{prefix}.{key}" if prefix else key)
    tensors = []
    params = buffers = size = 0
    for key, value in model.state_dict().items():
        role = "param" if key in param_keys else "buffer"
        tensors.append([key, list(value.shape), str(value.dtype).replace("torch.", ""), role])
        params += value.numel() if role == "param" else 0
        buffers += value.numel() if role == "buffer" else 0
        size += value.numel() * value.element_size()
    return tensors, params, buffers, size


def export_structure(model, input_shape, path, example=None, opsets=(OPSET, 17)):
    """Exports the graph without its weights, then declares every weight as an initializer whose data is
    external (offset and length as if the data file existed): the structure-only form the ONNX loader reads.

    example: the forward's arguments when they are not one zero tensor of input_shape (a detection model takes a list
    of images, and its values must stay those of the caller, which made them distinct itself); opsets: tried in order."""
    if example is None:
        # In eval mode the exporter merges initializers with equal values into one (BatchNorm running means are
        # all zeros at init), which would lose the state_dict names: give every tensor its own value first.
        with torch.no_grad():
            for i, value in enumerate(model.state_dict().values()):
                if value.is_floating_point():
                    value.fill_(1.0 + i / 1024.0)
        example = torch.zeros(input_shape)
    for opset in opsets:
        try:
            graph = export(model, example, opset)
            break
        except Exception:  # some ops need a newer opset; try the next before giving up
            if opset == opsets[-1]:
                raise
    data_name = os.path.basename(path).replace(".gz", "") + ".data"
    weights = [value for value in graph.graph.input if value.name != "input"]
    for value in weights:
        tensor_type = value.type.tensor_type
        dims = [d.dim_value for d in tensor_type.shape.dim]
        init = graph.graph.initializer.add()
        init.name = value.name
        init.data_type = tensor_type.elem_type
        init.dims.extend(dims)
        init.data_location = onnx.TensorProto.EXTERNAL
        # Only the location: the offset and length (optional in the ONNX spec) of data that is never written were the
        # most random bytes of these graphs (216,063 B of the catalog's gzipped), and Tally reads only the location.
        entry = init.external_data.add()
        entry.key, entry.value = "location", data_name
    for value in weights:
        graph.graph.input.remove(value)
    graph.doc_string = "structure only: initializer data dropped (tally scripts/make_catalog.py)"
    with gzip.GzipFile(path, "wb", mtime=0) as out:  # mtime 0: the same graph gives the same bytes
        out.write(graph.SerializeToString())
    return os.path.getsize(path)


def export(model, example, opset):
    # export_params=False keeps the weights out of the protobuf (they would be dropped anyway); they arrive
    # as graph inputs named by their state_dict keys, with their types and shapes.
    buffer = io.BytesIO()
    torch.onnx.export(model, example, buffer, opset_version=opset, input_names=["input"], output_names=["output"],
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False, export_params=False,
                      dynamic_axes=DYNAMIC_AXES)
    return onnx.load_from_string(buffer.getvalue())


def build_entry(name, builder_text, make, crop):
    started = time.time()
    model = make().eval()
    if hasattr(model, "image_size"):  # ViT's position embeddings fix the input size of weights=None models
        crop = model.image_size
    channels = 1 if isinstance(model, LeNet5) else 3
    input_shape = [1, channels, crop, crop]
    tensors, params, buffers, size = signature(model)
    entry = {"name": name, "builder": builder_text, "torch": torch.__version__.split("a")[0],
             "torchvision": torchvision.__version__.split("a")[0], "inputShape": input_shape,
             "params": params, "buffers": buffers, "bytes": size, "onnx": None, "onnxNote": None,
             "tensors": tensors}
    onnx_path = os.path.join(OUT, name + ".onnx.gz")
    if SIGNATURE_ONLY:
        entry["onnxNote"] = "signature only: this catalog run skipped the export (--signature-only); run scripts/make_catalog.py " + name + " to add the graph"
    elif params > MAX_EXPORT_PARAMS:
        entry["onnxNote"] = f"not exported: {params:,} params is above the catalog's export limit of {MAX_EXPORT_PARAMS:,}"
    else:
        try:
            # Not under no_grad: in eval mode without grad, nn.MultiheadAttention takes its fused fast path
            # (aten::_native_multi_head_attention), which the ONNX exporter of torch 1.13 cannot export (ViT).
            onnx_size = export_structure(model, input_shape, onnx_path)
            if onnx_size > MAX_ONNX_BYTES:
                os.remove(onnx_path)
                entry["onnxNote"] = f"not kept: the structure-only graph is {onnx_size:,} bytes, above the catalog limit of {MAX_ONNX_BYTES:,}"
            else:
                entry["onnx"] = name + ".onnx.gz"
        except Exception as error:  # record why, keep the signature
            entry["onnxNote"] = "export failed: " + str(error).strip().splitlines()[0][:200]
    with gzip.GzipFile(os.path.join(OUT, name + ".json.gz"), "wb", mtime=0) as out:
        out.write(json.dumps(entry, separators=(",", ":")).encode("utf-8"))
    del model
    sizes = os.path.getsize(os.path.join(OUT, name + ".json.gz")) + (os.path.getsize(onnx_path) if entry["onnx"] else 0)
    print(f"{name:24s} params {params:>13,}  catalog {sizes:>9,} bytes  {time.time() - started:6.1f} s"
          + (f"  ({entry['onnxNote']})" if entry["onnxNote"] else ""), flush=True)


def main(args):
    global SIGNATURE_ONLY
    SIGNATURE_ONLY = "--signature-only" in args  # fast: state_dict signatures without graphs
    skip_existing = "--skip-existing" in args  # resume an interrupted run
    reverse = "--reverse" in args  # a second process can work from the other end
    wanted = {a for a in args if not a.startswith("--")}
    os.makedirs(OUT, exist_ok=True)
    skip_random_init()
    torch.set_num_threads(1)  # the machines are shared; a catalog run may take a while but stays polite
    entries = [("lenet5", "LeNet5() (scripts/export_models.py)", LeNet5, 32),
               ("worksheet", "worksheet() (scripts/export_models.py)", worksheet, 227)]
    entries += torchvision_entries()
    for name, builder_text, make, crop in (reversed(entries) if reverse else entries):
        if wanted and name not in wanted:
            continue
        if skip_existing and os.path.exists(os.path.join(OUT, name + ".json.gz")):
            continue
        if "--index-only" in args:
            continue
        build_entry(name, builder_text, make, crop)
    if "--no-index" not in args:  # several runs may share the folder; the last one writes the index
        write_index([name for name, *_ in entries])


def write_index(order):
    """Lists every entry whose signature is present, in the catalog's order."""
    listed = []
    for name in order:
        plain = os.path.join(OUT, name + ".json")
        if os.path.exists(plain):  # written by an older run of this script: gzip it like the others
            with open(plain, "rb") as f, gzip.GzipFile(plain + ".gz", "wb", mtime=0) as out:
                out.write(f.read())
            os.remove(plain)
        path = plain + ".gz"
        if os.path.exists(path):
            with gzip.open(path) as f:
                entry = json.load(f)
            listed.append({"name": name, "onnx": entry["onnx"], "onnxNote": entry["onnxNote"], "params": entry["params"]})
    with open(os.path.join(OUT, "index.json"), "w") as out:
        json.dump({"torch": torch.__version__.split("a")[0], "torchvision": torchvision.__version__.split("a")[0],
                   "opset": OPSET, "entries": listed}, out, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"catalog: {len(listed)} entries, {total:,} bytes in {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
