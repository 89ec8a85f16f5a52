#!/usr/bin/python3
"""Builds the weights catalog behind `tally catalog`: one entry per torchvision weights enum member.

For every builder of torchvision's classification, quantization, segmentation, detection, video and optical
flow modules and every member of its weights enum, the model is built exactly as `builder(weights=W)` builds
it, with the download and the state_dict load replaced by no-ops (nothing is downloaded: torchvision keeps
the metadata in the enum). It writes src/main/resources/dev/tally/catalog/weights.json.gz:

  task, builder, weights ("ResNet50_Weights.IMAGENET1K_V2"), family (the builder's torchvision module),
  metrics (meta["_metrics"], copied as torchvision gives it), input (the evaluation input: the weights'
  crop size; segmentation 520x520, the resize size; video 16 frames of the crop; optical flow one frame, see
  flow_frame), inputNames (the forward's tensor arguments when there are several: RAFT's image1 and image2,
  which both take the input; null for the one-input models), the state_dict's
  params and tensor bytes counted by PyTorch on the built model, and the structure-only graph to count it
  with: the name of an entry of the architecture catalog (dev/tally/audit/catalog, scripts/make_catalog.py)
  whose state_dict signature (every key and shape) equals the built model's, or a graph this script exports
  into dev/tally/catalog/ when no catalog entry matches and the export is cheap, or none with the reason.

About five minutes when the graphs are present (every model is built); it exports only the graphs the architecture catalog lacks (make_catalog.py, whose
whole run takes an hour, is not touched). Run:  /usr/bin/python3 scripts/make_weights_catalog.py [--big]
"""
import gzip
import inspect
import io
import json
import os
import sys
import time
import zipfile

import onnx
import torch
import torch.nn as nn
import torchvision
from torchvision import models
from torchvision.models._api import WeightsEnum

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models as em  # noqa: E402  (make_values_distinct: the zoo's values for detection models)
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
# RAFT takes two frames of any size whose sides divide by 8 (its forward checks it). Its weights' metrics are on Sintel
# (frames of 436x1024) and KITTI (375x1242 for most frames), which torchvision's optical-flow reference pads to the next
# multiple of 8 before the model (references/optical_flow/utils.py, InputPadder): each entry is counted at the padded
# frame of the dataset its first metric is on. Both frames take that shape.
FLOW_FRAMES = {"Sintel": [1, 3, 440, 1024], "Kitti": [1, 3, 376, 1248]}
# A detection model's ONNX export needs a newer opset than the classifiers' (RoiAlign, the NMS and NonZero of its
# postprocess); the zoo's detection fixtures use the same.
DETECTION_OPSET = 17
# Video transformers at 16x224x224: mvit_v1_b's graph keeps the sequence ops its torch.split loops export to
# (SequenceEmpty, a Loop carrying a sequence, SequenceInsert, SequenceAt), which Tally counts since issue 12; mvit_v2_s's
# ONNX export folds its relative-position tables into per-block constants (over 10 GB), so it is kept as its traced
# graph alone (TRACED_ONLY).
NOT_EXPORTED = {}
# Builders whose ONNX graphs fix a size the model does not (found by `tally catalog --input 1x3x160x160` and
# `--memory`): VGG's and AlexNet's adaptive pooling exported as a fixed kernel, ShuffleNet's channel shuffle and Swin
# V1's window partition as Reshapes to constant sizes, batch 1 in ViT's Reshapes. They get a traced graph too.
TRACED = ("alexnet", "vgg", "shufflenet_v2_", "swin_t", "swin_s", "swin_b", "vit_")
# Swin V2 and MaxViT keep batch 1 in their ONNX Reshapes too, and MViT v1 in the Concat of its class token: their ONNX graphs
# are exported with a symbolic batch axis instead of a traced graph, so that those ops read the batch from the input
# (fitBatch), at about the same size (MViT v1: 39,458 B against 37,606 B with batch 1).
# MaxViT gets a graph of its own for that (42 KB), beside the architecture catalog's fixed-batch one the audit matches.
SYMBOLIC_BATCH = ("swin_v2_", "maxvit", "mvit_v1")
# Catalog-only architectures kept as their traced graph alone, with no ONNX graph: it follows any input and batch, and
# weighs a quarter of the ONNX graph (Swin-B/S: 28 KB against 113 KB gzipped), which keeps the library's dependency tree
# under its 10 MB with the detection graphs in it; MViT v2, whose ONNX export needs over 10 GB, has only this one.
TRACED_ONLY = ("swin_b", "swin_s", "mvit_v2_s")
# Kept as their scripted TorchScript graph alone (torch.jit.script, no input at all): RAFT. A script keeps what a trace
# drops: the loop of flow updates with forward's own default count (num_flow_updates=12), and RAFT's checks of its
# frames (the same size, sides that divide by 8), so that a frame size the model refuses is refused by its own code
# under `--input`, not counted. It follows any frame size and batch. 17.7 KB (raft_large) and 18.0 KB (raft_small)
# gzipped; a traced raft_small keeps 264 KB of code and data.pkl against the script's 140 KB (the trace unrolls the updates).
SCRIPTED_ONLY = ("raft_",)
BIG = "--big" in sys.argv  # also trace the models above 200M params whose graphs are not present yet
EXPORTED = {}  # state_dict signature -> (graph, graphInput) of the graphs this run exported


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
    if task == "optical_flow":
        return flow_frame(weights)
    return None


def flow_frame(weights):
    """One of RAFT's two frames: the padded frame of the dataset the entry's first metric is on (FLOW_FRAMES);
    "Sintel-Train-Cleanpass" and "Kitti-Test" name their dataset first. The transform (OpticalFlow) resizes nothing."""
    dataset = next(iter(weights.meta["_metrics"])).split("-")[0]
    return list(FLOW_FRAMES[dataset])


def tensor_arguments(model):
    """The names of forward's arguments without a default (RAFT: image1, image2), when there are several."""
    names = [p.name for p in inspect.signature(model.forward).parameters.values() if p.default is inspect.Parameter.empty]
    return names if len(names) > 1 else None


def detection_input(model):
    """One image as the model resizes it (its forward takes a list of [3, H, W] images): a square of the side its
    transform resizes to, fixed_size for SSD (300, 320), else min_size (800; 320 for the _320 model), so that the
    transform's resize keeps it as it is. Any square image costs the same, as the transform resizes it to this side."""
    transform = model.transform
    side = transform.fixed_size[0] if transform.fixed_size else transform.min_size[-1]
    return [3, side, side]


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
    for name in sorted(os.listdir(OUT)):
        if name.endswith(".onnx.gz"):
            compact(os.path.join(OUT, name))
            slim(os.path.join(OUT, name))
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
           "input": shape, "params": None, "bytes": None, "graph": None, "graphInput": None, "graphNote": None,
           "tracedGraph": None, "inputNames": None}
    if task == "quantization":
        # The quantized model's packed int8 weights are no state_dict tensors; torchvision publishes the
        # float model's num_params, so params and bytes are the float model's (the weights' "unquantized").
        # The float model as its unquantized weights build it (googlenet without its auxiliary heads).
        float_name = name[len("quantized_"):]
        unquantized = weights.meta["unquantized"]
        model = build_as_published(models.get_model_builder(float_name), unquantized)
    else:
        model = build_as_published(builder, weights)
    params, size, signature, _ = state_dict_facts(model)
    row["params"], row["bytes"] = params, size
    if task == "detection":
        shape = row["input"] = detection_input(model)
    row["inputNames"] = tensor_arguments(model)
    match = known.get(json.dumps(signature))
    if match and match[0][1] and not name.startswith(SYMBOLIC_BATCH):
        row["graph"], row["graphInput"] = "audit/catalog/" + match[0][1], match[0][3]
    else:
        # No architecture graph (none matches, or the architecture catalog kept the signature only): export one.
        export_graph(row, model, params, shape, name)
    traced_graph(row, model, name[len("quantized_"):] if task == "quantization" else name)
    if task == "quantization" and row["graph"]:
        # docs/conventions.md, "Quantized models": a quantized conv or linear does the float op's multiply-accumulates
        # in integers, so the float graph of the same architecture has the quantized model's MACs (the test checks them
        # against the real quantized model's count). Its activations are float32, not quint8: no memory figure.
        row["graphNote"] = ("quantized model counted on the float graph of its unquantized weights "
                            f"{type(unquantized).__name__}.{unquantized.name}: the same multiply-accumulates, in integers")
    if task == "optical_flow" and row["graph"]:
        # The count is the forward's own default (the oracle calls model(image1, image2) too); torchvision's reference
        # evaluation (references/optical_flow/train.py) passes num_flow_updates=32 on Sintel and 24 on KITTI.
        updates = inspect.signature(model.forward).parameters["num_flow_updates"].default
        row["graphNote"] = (f"two frames ({', '.join(row['inputNames'])}), each of the input shown, with forward's default of "
                            f"{updates} flow updates (num_flow_updates); torchvision's reference evaluation of the published "
                            "metrics runs 32 on Sintel and 24 on KITTI")
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
    if row["task"] == "detection":
        # The same weights at another resize side (FasterRCNN_MobileNet_V3_Large_FPN and its _320 model) is another
        # graph: the transform's sizes are set by the builder, not by the state_dict.
        signature += name
    if signature in EXPORTED:
        # The same architecture at another input (RegNet-Y-128GF SWAG: E2E at 384, LINEAR at 224): Tally re-sizes the
        # graph exported for the first entry, and the test checks the count at this entry's input.
        row["graph"], row["graphInput"] = EXPORTED[signature]
        if row["graph"].endswith(".pt.gz"):
            # A TorchScript graph kept alone (RAFT's six Raft_Large entries share one) is also the graph RowCoster re-sizes
            # and searches for the fitBatch.
            row["tracedGraph"] = row["graph"]
        return
    stem = f"{name}_{'x'.join(str(d) for d in shape[-2 if row['task'] == 'detection' else 2:])}"
    path = os.path.join(OUT, stem + ".onnx.gz")
    if params > make_catalog.MAX_EXPORT_PARAMS and not os.path.exists(path) and not BIG:
        row["graphNote"] = (f"not exported: tracing {params:,} params takes 15 minutes and more on the shared 2-core machine; "
                            "scripts/make_weights_catalog.py --big exports it")
        return
    if name.startswith(SCRIPTED_ONLY):
        # A script has no input size: one graph per architecture, named after it alone.
        path = os.path.join(OUT, name + ".scripted.pt.gz")
        if not os.path.exists(path):
            export_scripted(model, path)
        row["graph"] = row["tracedGraph"] = "catalog/" + name + ".scripted.pt.gz"
        row["graphInput"] = shape
        EXPORTED[signature] = (row["graph"], row["graphInput"])
        return
    if name.startswith(TRACED_ONLY):
        path = os.path.join(OUT, stem + ".traced.pt.gz")
        if not os.path.exists(path):
            export_traced(model, shape, path)
        row["graph"] = row["tracedGraph"] = "catalog/" + stem + ".traced.pt.gz"
        row["graphInput"] = shape
        EXPORTED[signature] = (row["graph"], row["graphInput"])
        return
    try:
        if not os.path.exists(path):
            vit = isinstance(model, models.VisionTransformer)
            detection = hasattr(model, "transform") and hasattr(model.transform, "min_size")
            size = (export_detection(model, shape, path) if detection
                    else export_vit_on_meta(model, shape, path) if vit
                    else export_lean(model, shape, path, symbolic_batch=name.startswith(SYMBOLIC_BATCH)))
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


# The doc string of a graph in the compact form below; a graph without it is compacted when the script runs.
COMPACT = "structure only, compact: initializer data, node names and intermediate value names dropped (tally scripts/make_weights_catalog.py)"


def compact(path):
    """Rewrites a graph of this script without what the catalog's count does not read, about 40% smaller gzipped.

    The library's dependency tree must stay under 10 MB (src/it/library-user) and these graphs ship in its jar. A
    catalog row needs the ops, their attributes and constants, the initializers' names, shapes and types (the
    state_dict keys: a weight read twice is one param) and the graph's input and output: node names (the module
    paths a per-layer report shows), doc strings and value_info are dropped, and every intermediate value is renamed
    to a number, as torch.onnx names its own temporaries (Swin-B's /features/features.1/features.1.0/attn/Reshape_3_output_0
    and its like were most of its 2.9 MB). Nothing Tally counts changes: the catalog test checks every row against the
    real model after the rewrite."""
    with gzip.open(path) as f:
        model = onnx.load_from_string(f.read())
    if model.doc_string == COMPACT:
        return os.path.getsize(path)
    graph = model.graph
    kept = {t.name for t in graph.initializer} | {v.name for v in graph.input} | {v.name for v in graph.output}
    renamed = {}

    def short(name):
        if not name or name in kept:
            return name
        if name not in renamed:
            # A kept name may itself be a number (a detection model's second and later outputs are named by torch.onnx,
            # "3317"): a new name never takes it, or that value would have two producers.
            number = str(len(renamed))
            renamed[name] = number + "_" if number in kept else number
        return renamed[name]

    def rewrite(body):
        # An If's or Loop's body reads outer values by name: one renaming for every scope.
        for node in body.node:
            node.name, node.doc_string = "", ""
            node.input[:] = [short(n) for n in node.input]
            node.output[:] = [short(n) for n in node.output]
            for attribute in node.attribute:
                for inner in ([attribute.g] if attribute.HasField("g") else []) + list(attribute.graphs):
                    for value in list(inner.input) + list(inner.output):
                        value.name = short(value.name)
                    rewrite(inner)
        del body.value_info[:]

    rewrite(graph)
    drop_data_offsets(graph)
    model.doc_string = COMPACT
    with gzip.GzipFile(path, "wb", mtime=0, compresslevel=9) as out:
        out.write(model.SerializeToString())
    return os.path.getsize(path)


def drop_data_offsets(graph):
    """Keeps only the "location" of each weight's external data: the offset and length of data that is never written
    are the most random bytes of a structure-only graph (about 20% of a detection graph gzipped), and Tally reads only
    the location (the ONNX spec makes both optional)."""
    for tensor in graph.initializer:
        kept = [(e.key, e.value) for e in tensor.external_data if e.key == "location"]
        del tensor.external_data[:]
        for key, value in kept:
            entry = tensor.external_data.add()
            entry.key, entry.value = key, value


def slim(path):
    """drop_data_offsets on a graph compacted before it existed."""
    with gzip.open(path) as f:
        model = onnx.load_from_string(f.read())
    if all(e.key == "location" for t in model.graph.initializer for e in t.external_data):
        return os.path.getsize(path)
    drop_data_offsets(model.graph)
    with gzip.GzipFile(path, "wb", mtime=0, compresslevel=9) as out:
        out.write(model.SerializeToString())
    return os.path.getsize(path)


def export_lean(model, shape, path, symbolic_batch=False):
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
    make_catalog.DYNAMIC_AXES = {"input": {0: "batch"}} if symbolic_batch else None
    try:
        with torch.no_grad():
            make_catalog.export_structure(model, shape, path)
        return compact(path)
    finally:
        make_catalog.DYNAMIC_AXES = None
        for m in attention:
            m.training = False


def export_detection(model, shape, path):
    """A detection model's structure-only graph at one image of `shape`, in the zoo's way (scripts/export_zoo.py): its
    values are those its builder makes plus export_models.make_values_distinct's seeded noise, not one constant per
    tensor, since the boxes the trace runs with come from the values (a model that finds nothing still exports
    every op, but keeps the forward sane). The image is seeded noise."""
    em.make_values_distinct(model)
    image = torch.rand(shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        make_catalog.export_structure(model, shape, path, example=([image],), opsets=(DETECTION_OPSET,))
    return compact(path)


def traced_graph(row, model, name):
    """Adds a traced TorchScript graph of the row's architecture (see export_traced) when its ONNX graph fixes a size:
    Tally counts the row there at another --input and finds its fitBatch on it. One archive per graph, shared by the
    entries that share the graph."""
    if row["graph"] is None or row["tracedGraph"] or not name.startswith(TRACED) or batch_is_symbolic(row["graph"]):
        return
    stem = row["graph"].rsplit("/", 1)[1][:-len(".onnx.gz")]
    path = os.path.join(OUT, stem + ".traced.pt.gz")
    if not os.path.exists(path):
        export_traced(model, row["graphInput"], path)
    row["tracedGraph"] = "catalog/" + stem + ".traced.pt.gz"


def export_vit_on_meta(model, shape, path):
    """A ViT the architecture catalog lacks (ViT-B/16 at 384, ViT-L, ViT-H) exported without running it, with a
    symbolic batch, so that it needs no traced graph for its fitBatch (ViT cannot be re-sized: its position embedding
    fixes the size): every module but the patch embedding lives on the meta device
    (shapes, no data, no arithmetic), so ViT-H/14 at 518x518 (1 TMAC, 45 minutes of tracing on the shared machine)
    takes seconds. conv_proj stays on the CPU, because torch 1.13 traces a convolution on meta as a constant; its
    output moves to meta through a hook, which the exporter writes as a Cast to float32 that drop_device_cast takes
    out again. Two exporter passes read tensor values, which meta tensors lack: shape inference gets no parameter
    values (it uses them only to fold constants, and nothing here is folded), and the initializer deduplication,
    which merges equal values, is skipped (export_structure makes every value distinct, so it merges nothing in a
    CPU export either). vit_b_32 exported this way is node for node the CPU export (values renamed alike). The input's
    batch axis is symbolic, so that the graph follows any batch (its Reshapes read the batch from the input): fitBatch."""
    for name, child in model.named_children():
        if name != "conv_proj":
            child.to("meta")
    model.class_token = nn.Parameter(model.class_token.to("meta"))
    model.conv_proj.register_forward_hook(lambda module, inputs, output: output.to("meta"))
    for m in model.modules():
        if isinstance(m, nn.MultiheadAttention):
            m.training = True  # the ordinary attention path, as in export_lean
    exporter = torch.onnx.utils._C
    shape_inference = exporter._jit_pass_onnx_graph_shape_type_inference

    class MetaExporter:
        def __getattr__(self, name):
            return getattr(exporter, name)

        @staticmethod
        def _jit_pass_onnx_graph_shape_type_inference(graph, params, *rest):
            return shape_inference(graph, {}, *rest)

        @staticmethod
        def _jit_pass_onnx_deduplicate_initializers(graph, params, *rest):
            return params

    torch.onnx.utils._C = MetaExporter()
    make_catalog.DYNAMIC_AXES = {"input": {0: "batch"}}
    try:
        with torch.no_grad():
            make_catalog.export_structure(model, shape, path)
    finally:
        torch.onnx.utils._C = exporter
        make_catalog.DYNAMIC_AXES = None
    drop_device_cast(path)
    return compact(path)


def drop_device_cast(path):
    """Removes the Cast that export_vit_on_meta's move to the meta device left after conv_proj (float32 to float32)."""
    with gzip.open(path) as f:
        model = onnx.load_from_string(f.read())
    graph = model.graph
    casts = [n for n in graph.node if n.op_type == "Cast" and n.input[0].endswith("/conv_proj/Conv_output_0")]
    if len(casts) != 1:
        raise ValueError(f"expected one Cast after conv_proj, found {len(casts)}")
    cast = casts[0]
    graph.node.remove(cast)
    for node in graph.node:
        node.input[:] = [cast.input[0] if name == cast.output[0] else name for name in node.input]
    with gzip.GzipFile(path, "wb", mtime=0) as out:
        out.write(model.SerializeToString())


def batch_is_symbolic(graph):
    """Whether the graph's input has a symbolic first axis (ViT-L and ViT-H, export_vit_on_meta): it follows the batch."""
    folder = OUT if graph.startswith("catalog/") else ARCHITECTURES
    with gzip.open(os.path.join(folder, graph.rsplit("/", 1)[1])) as f:
        model = onnx.load_from_string(f.read())
    return bool(model.graph.input[0].type.tensor_type.shape.dim[0].dim_param)


def export_traced(model, shape, path):
    """A structure-only traced TorchScript archive: for an architecture whose ONNX graph fixes a size the model
    itself does not (VGG's and AlexNet's adaptive pooling becomes a fixed kernel, ShuffleNet's channel shuffle and
    Swin's windows a Reshape to constant sizes, batch 1 in ViT's and MaxViT's reshapes). Tracing records x.size()
    as ops, so Tally's TorchScript reader follows another input from the code. The archive keeps the code, data.pkl
    (storage keys, dtypes and element counts) and constants; the tensor records data/<key> are dropped, as Tally
    never reads them, and so are the .debug_pkl source maps."""
    with torch.no_grad():
        traced = torch.jit.trace(model, torch.zeros(shape), check_trace=False)
    return save_structure_only(traced, path)


def export_scripted(model, path):
    """A structure-only scripted TorchScript archive (SCRIPTED_ONLY: RAFT): torch.jit.script compiles forward's code
    without running it, loops and checks included, so nothing depends on an input size."""
    return save_structure_only(torch.jit.script(model), path)


def save_structure_only(module, path):
    """torch.jit.save of `module`, gzipped, without the tensor records data/<key> (Tally never reads them; data.pkl
    keeps their keys, dtypes and element counts) and without the .debug_pkl source maps."""
    buffer = io.BytesIO()
    torch.jit.save(module, buffer)
    buffer.seek(0)
    stored = io.BytesIO()
    # Stored uncompressed, as torch.jit.save stores, then gzipped whole: the archive is a couple of hundred small code
    # files, which compress together about four times better than one by one.
    with zipfile.ZipFile(buffer) as archive, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as out:
        for info in archive.infolist():
            name = info.filename.split("/", 1)[1]
            if (name.startswith("data/") and name != "data.pkl") or name.endswith(".debug_pkl"):
                continue
            kept = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))  # the same model gives the same bytes
            out.writestr(kept, archive.read(info.filename))
    with gzip.GzipFile(path, "wb", mtime=0, compresslevel=9) as out:
        out.write(stored.getvalue())
    return os.path.getsize(path)


def zero(g, tensor):
    """aten::zero (Swin V2 zeroes the key third of its qkv bias in place) as zeros of the same shape; torch 1.13's
    exporter has no symbolic for it, so the whole Swin V2 family failed to export."""
    return g.op("ConstantOfShape", g.op("Shape", tensor), value_t=torch.tensor([0.0]))


torch.onnx.register_custom_op_symbolic("aten::zero", zero, 9)


if __name__ == "__main__":
    main()
