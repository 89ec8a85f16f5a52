#!/usr/bin/env python3
"""Exports the rest of torchvision's model list and torchaudio's models, with PyTorch's own figures.

Run with Debian's python3 (python3-torch, python3-torchvision, python3-torchaudio, python3-onnx):

    /usr/bin/python3 scripts/export_zoo.py [--out DIR] [--models a,b] [--force] [--jobs N]

Writes into DIR/zoo/ (DIR defaults to $TALLY_FIXTURES, else models/cache/), beside the fixtures of
scripts/export_models.py, and makes every builder of torchvision.models.list_models() that is not already
one of those fixtures: classification, segmentation, video, optical flow, detection (in eval mode) and the
quantized classifiers (family "quantized": torchvision.models.quantization's builders with quantize=False,
fused, prepared, calibrated once and converted with the qnnpack engine, as scripts/export_dtypes.py does),
and torchaudio 0.13.1's wav2vec2_base, hubert_base, conformer, emformer, deepspeech, wav2letter, wavernn,
conv_tasnet_base, hdemucs_low and tacotron2 (its encoder, whose forward takes fixed-size tensors; the full
model's forward is the teacher-forced training step and its infer() runs a data-dependent decoder loop).

Per model:
    <name>.onnx             STRUCTURE-ONLY: every initializer keeps its dims and dtype and points at
                            <name>.onnx.data, which is never written (Tally never reads weights)
    <name>.traced.pt        torch.jit.trace (with check_trace=False), or PyTorch's error
    <name>.scripted.pt      torch.jit.script, or PyTorch's error
    <name>.expected.json    params and buffers (sum of numel; per TorchScript form also the saved module's own, in
                            "torchscript"), the final output shapes (every tensor of the
                            output, flattened in order), MACs by export_models.MacCounter (the aten-level
                            TorchDispatchMode counter, same definitions), per-module figures from forward
                            hooks, the input names and shapes, and for every form not made PyTorch's own
                            error in "errors".

What keeps the whole list affordable (the figures Tally is checked on are shapes, params and MACs, never values):
- Values. Detection, audio and quantized models are built as their builders build them, plus
  export_models.make_values_distinct's seeded noise (their outputs depend on values: box counts, calibration).
  The other families are built with torch.nn.init's functions turned into no-ops ("valuesSet": "skipped-init"),
  which saves most of a big model's build time, and every floating tensor is then filled with a constant of its
  own (k * 2^-20 for the k-th tensor; 1 + k * 2^-20 for running variances): distinct, so the ONNX exporter merges
  no initializers, and small, so no activation overflows.
- The oracle run. Where the model runs on the meta device (shapes without arithmetic) the hooks and the MAC
  counter run there ("oracleDevice": "meta"); otherwise, and always for detection and quantized models, on the CPU.
- Inputs. Smaller than the nominal ones where the model allows: 112x112 for the convolutional classifiers
  (global pooling; VGG's fixed 7x7 adaptive pool, ViT, Swin and MaxViT keep 224) and segmentation, detection
  256x256 with min_size = max_size = 256, ResNet-3D video 8 frames of 112x112 (S3D and MViT need 16 of 224),
  RAFT 128x128, quantized classifiers 112x112: the counts are per input size and the test gives Tally the same.
- Big TorchScript archives. When the weights take 60 MB or more, the traced or scripted module's floating
  tensors are set to zero after it is made and before torch.jit.save, and the archive's entries are then
  re-written DEFLATE-compressed by Python's zipfile (names and order kept; torch.jit.load reads it, it is still a
  PyTorch file): "recompressed" in the JSON names those forms. regnet_y_128gf's 2.6 GB archives become 12 MB.
- Parallel: --jobs (default 2) models at a time, each in its own process with one intra-op thread and a data
  size limit (--memory-gb, default 8): an export that needs more fails with PyTorch's own allocation error,
  recorded like any other; a form whose process the kernel kills (out of memory) is recorded as not made with
  that reason, and the model's other forms are made by a fresh process. The ALONE models never run two at once.

The cache key of a model is sha256(this script, export_dtypes.py, fixture_cache.py, export_models.py, model name,
torch version): a re-run redoes only the models whose key changed or whose files are missing; the whole folder is
skipped when zoo/stamp holds the same without the model name (fixture_cache.locked_folder: the lock, the stamp).

mvit_v2_s's ONNX (LEAN_ONNX) is exported without torch.onnx's constant folding and its ONNX shape inference, which
need more than 8 GB over its 14,169-node graph; see LEAN_ONNX for what that changes in the file and what is mended.
"""

import argparse
import collections
import contextlib
import inspect
import math
import multiprocessing
import multiprocessing.connection
import os
import resource
import shutil
import sys
import time
import traceback
import warnings
import zipfile

import onnx
import torch
import torch.nn as nn
import torchvision
import torchvision.models as tvm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_dtypes as ed  # noqa: E402
import export_models as em  # noqa: E402
import fixture_cache as fc  # noqa: E402

SCRIPT = os.path.abspath(__file__)
CHEAP_BYTES = 60 * 1000 * 1000
BIG_BYTES = 1000 * 1000 * 1000
OPSET = 17
# Families whose builders' own values are kept: their outputs depend on values (box counts, quantization ranges).
VALUED_FAMILIES = {"detection", "audio", "quantized"}
# Families whose oracle always runs on the CPU (data-dependent sizes, quantized kernels).
CPU_ORACLE_FAMILIES = {"detection", "quantized"}
INIT_FUNCTIONS = ("uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
                  "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
                  "sparse_")
# ONNX exports made without the exporter's constant folding and its ONNX shape inference. mvit_v2_s's traced graph
# unrolls every block's pooling and relative-position code (14,169 ONNX nodes); torch.onnx's shape inference over it
# (_jit_pass_onnx_graph_shape_type_inference) and its constant folding need more than 8 GB and fail with
# std::bad_alloc (constant folding off alone: still bad_alloc, at 7.4 GB). Without both the ONNX export takes 100-130
# CPU-s and the model's whole export 1.45 GB. The file is the same computation, unfolded: shape arithmetic stays
# as nodes, Linear weights keep their state-dict names behind a Transpose (no parameter is folded away). Two things
# torch.onnx gets wrong without its shape inference are mended: tensor_split (tensor_split_indices_ranked) and the
# Loop bodies' input types (type_loop_bodies); the file is then checked with onnx.checker's full check. Checked
# once against PyTorch at 2x32x32 (ONNX Runtime's logits within 4e-7 of PyTorch's; README, zoo).
LEAN_ONNX = {"mvit_v2_s"}


def builder(module, name, **kwargs):
    return lambda: module.get_model_builder(name)(weights=None, **kwargs) if hasattr(module, "get_model_builder") \
        else tvm.get_model_builder(name)(weights=None, **kwargs)


def classifier_side(name):
    """224 where the architecture fixes the size (position embeddings, windows, VGG's 7x7 pool); else 112."""
    return 224 if name.startswith(("vit_", "maxvit", "swin", "vgg")) else 112


def tv_specs():
    """(name, family, build, inputs) for every torchvision builder not fixtured already."""
    done = {m[0] for m in em.MODELS}
    specs = []
    for name in tvm.list_models(module=tvm):
        if name in done:
            continue
        side = classifier_side(name)
        kwargs = {"aux_logits": False, "init_weights": False} if name in ("googlenet", "inception_v3") else {}
        specs.append((name, "classification", builder(tvm, name, **kwargs), [("input", (1, 3, side, side))]))
    for name in tvm.list_models(module=tvm.segmentation):
        specs.append((name, "segmentation", builder(tvm, name, weights_backbone=None),
                      [("input", (1, 3, 112, 112))]))
    for name in tvm.list_models(module=tvm.video):
        shape = (1, 3, 16, 224, 224) if name.startswith(("mvit", "s3d")) else (1, 3, 8, 112, 112)
        specs.append((name, "video", builder(tvm, name), [("input", shape)]))
    for name in tvm.list_models(module=tvm.optical_flow):
        specs.append((name, "optical_flow", builder(tvm, name),
                      [("image1", (1, 3, 128, 128)), ("image2", (1, 3, 128, 128))]))
    for name in tvm.list_models(module=tvm.detection):
        kwargs = {"weights_backbone": None}
        if not name.startswith("ssd"):
            kwargs.update(min_size=256, max_size=256)
        specs.append((name, "detection", builder(tvm, name, **kwargs), [("images", (1, 3, 256, 256))]))
    for name in tvm.list_models(module=tvm.quantization):
        specs.append((name, "quantized", quantized_builder(name), [("input", (1, 3, 112, 112))]))
    return specs


def quantized_builder(name):
    """PyTorch's eager post-training quantization of a torchvision quantizable classifier (export_dtypes' recipe)."""
    def build():
        torch.backends.quantized.engine = ed.ENGINE
        kwargs = {"init_weights": True} if name in ("quantized_googlenet", "quantized_inception_v3") else {}
        model = tvm.get_model_builder(name)(weights=None, quantize=False, **kwargs).eval()
        em.make_values_distinct(model)
        model.fuse_model()
        model.qconfig = torch.ao.quantization.get_default_qconfig(ed.ENGINE)
        torch.ao.quantization.prepare(model, inplace=True)
        with torch.no_grad():
            model(torch.randn(2, 3, 112, 112, generator=torch.Generator().manual_seed(2)))
        torch.ao.quantization.convert(model, inplace=True)
        return model
    return build


class TacotronEncoder(nn.Module):
    """Tacotron2's embedding and encoder (convolutions and a bidirectional LSTM) over one token sequence."""

    def __init__(self):
        super().__init__()
        import torchaudio
        model = torchaudio.models.Tacotron2()
        self.embedding = model.embedding
        self.encoder = model.encoder

    def forward(self, tokens, lengths):
        return self.encoder(self.embedding(tokens).transpose(1, 2), lengths)


def audio_specs():
    import torchaudio.models as am
    return [
        ("wav2vec2_base", "audio", am.wav2vec2_base, [("waveforms", (1, 16000))]),
        ("hubert_base", "audio", am.hubert_base, [("waveforms", (1, 16000))]),
        ("conformer", "audio", lambda: am.Conformer(input_dim=80, num_heads=4, ffn_dim=128, num_layers=4,
                                                    depthwise_conv_kernel_size=31),
         [("input", (1, 100, 80)), ("lengths", "lengths:1:100")]),
        ("emformer", "audio", lambda: am.Emformer(input_dim=80, num_heads=4, ffn_dim=128, num_layers=4,
                                                  segment_length=4, right_context_length=1),
         [("input", (1, 101, 80)), ("lengths", "lengths:1:101")]),
        ("deepspeech", "audio", lambda: am.DeepSpeech(n_feature=80), [("x", (1, 1, 100, 80))]),
        ("wav2letter", "audio", lambda: am.Wav2Letter(num_classes=40), [("x", (1, 1, 16000))]),
        ("wavernn", "audio", lambda: am.WaveRNN(upsample_scales=[5, 5, 8], n_classes=256, hop_length=200),
         [("waveform", (1, 1, 2000)), ("specgram", (1, 1, 128, 14))]),
        ("conv_tasnet_base", "audio", am.conv_tasnet_base, [("input", (1, 1, 8000))]),
        ("hdemucs_low", "audio", lambda: am.hdemucs_low(sources=["drums", "bass", "other", "vocals"]),
         [("input", (1, 2, 44100))]),
        ("tacotron2_encoder", "audio", TacotronEncoder, [("tokens", "tokens:1:50:148"), ("lengths", "lengths:1:50")]),
    ]


def make_input(spec):
    """A tensor for an input spec: a shape, or 'lengths:N:T' (N lengths equal to T) or 'tokens:N:T:V'."""
    if isinstance(spec, str):
        kind, *numbers = spec.split(":")
        numbers = [int(n) for n in numbers]
        if kind == "lengths":
            return torch.full((numbers[0],), numbers[1], dtype=torch.int64)
        return torch.randint(0, numbers[2], (numbers[0], numbers[1]), generator=torch.Generator().manual_seed(0))
    return torch.randn(*spec, generator=torch.Generator().manual_seed(0))


def tensors_of(value):
    """Every tensor of a (nested) output, in order: dict values, list and tuple items."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in tensors_of(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in tensors_of(v)]
    return []


@contextlib.contextmanager
def skipped_init():
    """torch.nn.init's functions, and every module's alias of them, as no-ops while a model is built."""
    originals = {fn: getattr(torch.nn.init, fn) for fn in INIT_FUNCTIONS if hasattr(torch.nn.init, fn)}
    by_id = {id(f): fn for fn, f in originals.items()}
    patched = []
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith(("torch.nn", "torchvision", "torchaudio")):
            continue
        for attr, value in list(vars(module).items()):
            if id(value) in by_id and value is originals[by_id[id(value)]]:
                patched.append((module, attr, value))
                setattr(module, attr, lambda tensor, *args, **kwargs: tensor)
    try:
        yield
    finally:
        for module, attr, value in patched:
            setattr(module, attr, value)


def fill_values(model):
    """Every floating tensor a constant of its own: k * 2^-20 for the k-th, running variances 1 + k * 2^-20."""
    with torch.no_grad():
        tensors = list(model.named_parameters()) + list(model.named_buffers())
        for k, (name, tensor) in enumerate(tensors, start=1):
            if tensor.is_floating_point():
                tensor.fill_((1.0 if name.endswith("running_var") else 0.0) + k * 2.0 ** -20)


def build_model(spec):
    """The model in eval mode, and how its values were set (see the module docstring)."""
    name, family, build, _ = spec
    torch.manual_seed(0)
    if family in VALUED_FAMILIES:
        model = build().eval()
        if family != "quantized":  # its builder adds the noise before calibrating
            em.make_values_distinct(model)
        return model, "builder's init + seeded noise"
    with skipped_init():
        model = build().eval()
    fill_values(model)
    return model, "skipped-init"


def oracle(spec, model, args, grad):
    """(modules, output tensors' shapes, MACs, device) from the hook run, on the meta device where it runs there."""
    name, family, build, _ = spec
    if family == "quantized":
        output, _, modules, macs = ed.observe(model, args[0])
        return modules, [list(t.shape) for t in tensors_of(output)], macs, "cpu"
    if family not in CPU_ORACLE_FAMILIES:
        try:
            with skipped_init():
                shadow = build().eval()
            shadow.to("meta")
            with torch.set_grad_enabled(grad):
                modules, output, macs, _ = run_hooks_args(name, shadow, tuple(a.to("meta") for a in args))
            return modules, [list(t.shape) for t in tensors_of(output)], macs, "meta"
        except Exception:  # noqa: BLE001 - an op without a meta kernel: run it for real below
            pass
    with torch.set_grad_enabled(grad):
        modules, output, macs, _ = run_hooks_args(name, model, args)
    return modules, [list(t.shape) for t in tensors_of(output)], macs, "cpu"


@contextlib.contextmanager
def tensor_split_indices_ranked():
    """torch.onnx's aten::tensor_split with its constant indices given their rank, while a LEAN_ONNX model exports.

    The exporter picks tensor_split's branch by the rank of `indices`, which only its ONNX shape inference records:
    with that off, mvit_v2_s's tensor_split(x, indices=(1,), dim=2) takes the sections branch and becomes a split
    into ONE piece (Div/Mod/Tile sizes), a wrong graph that no runtime can run (SequenceAt 1 of a 1-tensor sequence).
    Typing the constant from its value makes the exporter take its own indices branch (the Loop of Slices it writes
    with shape inference on), so the graph is the one torch.onnx means.
    """
    from torch.onnx import symbolic_helper, symbolic_opset13

    def tensor_split(g, self, indices_or_sections, dim, *args, **kwargs):
        node = indices_or_sections.node()
        if node.kind() == "onnx::Constant":
            value = symbolic_helper._node_get(node, "value")
            if value.dim() == 1:
                indices_or_sections.setType(torch._C.TensorType.create_from_tensor(value))
        return symbolic_opset13.tensor_split(g, self, indices_or_sections, dim, *args, **kwargs)
    torch.onnx.register_custom_op_symbolic("aten::tensor_split", tensor_split, OPSET)
    try:
        yield
    finally:
        torch.onnx.unregister_custom_op_symbolic("aten::tensor_split", OPSET)


def type_loop_bodies(graph):
    """Declares the types torch.onnx leaves off a Loop body's inputs when its ONNX shape inference is off.

    ONNX Runtime refuses a body input without a shape ("Loop subgraph input 0 has unknown shape"). They are declared
    as torch.onnx declares them with its shape inference on (mvit_v1_b's file): the iteration number an int64 of
    shape [1] (ONNX Runtime makes it of the declared rank, and torch.onnx's bodies use it as a 1-D index: its
    tensor_split Loop slices with it), the condition a bool scalar; a carried value that starts as SequenceEmpty is
    a sequence of that op's dtype (float unless it says otherwise). Nothing else is changed.
    """
    made_by = {output: node for node in graph.node for output in node.output}
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                type_loop_bodies(attribute.g)
        if node.op_type != "Loop":
            continue
        body = next(a.g for a in node.attribute if a.name == "body")
        for value, elem, shape in zip(body.input[:2], (onnx.TensorProto.INT64, onnx.TensorProto.BOOL), ([1], [])):
            if not value.type.HasField("tensor_type"):
                value.type.CopyFrom(onnx.helper.make_tensor_type_proto(elem, shape))
        for value, start in zip(body.input[2:], node.input[2:]):
            empty = made_by.get(start)
            if not value.type.HasField("sequence_type") and empty is not None and empty.op_type == "SequenceEmpty":
                dtype = next((a.i for a in empty.attribute if a.name == "dtype"), onnx.TensorProto.FLOAT)
                element = onnx.helper.make_tensor_type_proto(dtype, None)
                value.type.CopyFrom(onnx.helper.make_sequence_type_proto(element))


def structure_only(proto, location):
    """Points every initializer with data at `location` (offsets as onnx.save would write them), dropping the data."""
    offset = 0
    for tensor in proto.graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            itemsize = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[tensor.data_type].itemsize
            length = math.prod(tensor.dims) * itemsize
        elif tensor.HasField("raw_data"):
            length = len(tensor.raw_data)
        else:
            continue  # data in a typed field stays inline, as onnx's own converter leaves it
        del tensor.external_data[:]
        tensor.ClearField("raw_data")
        tensor.data_location = onnx.TensorProto.EXTERNAL
        for field, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
            entry = tensor.external_data.add()
            entry.key, entry.value = field, value
        offset += length


def save_torchscript(made, path, big, tmp):
    """torch.jit.save; for big weights, zeroed first and the archive re-written with DEFLATE entries."""
    if not big:
        torch.jit.save(made, path)
        return
    with torch.no_grad():
        for tensor in list(made.parameters()) + list(made.buffers()):
            if tensor.is_floating_point():
                tensor.zero_()
    raw = os.path.join(tmp, "stored.pt")
    torch.jit.save(made, raw)
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry._compresslevel = 1
            with source.open(info) as r, out.open(entry, "w", force_zip64=info.file_size >= 1 << 31) as w:
                shutil.copyfileobj(r, w, 1 << 22)
    os.remove(raw)


class Lost(Exception):
    """A form whose export an earlier process died making (killed by the kernel: out of memory)."""

    def __str__(self):
        return str(self.args[0])


def first_line_of(error):
    return str(error) if isinstance(error, Lost) else fc.first_line(error)


def export(spec, out_dir, key, lost=None):
    """Makes the model's files and expected.json; `lost` maps forms to the reason an earlier process died making them."""
    name, family, build, input_specs = spec
    lost = lost or {}
    progress = os.path.join(out_dir, f".progress-{name}")
    started = time.time()
    timings = {}
    cpu = {}
    t0, c0 = time.time(), time.process_time()
    model, values = build_model(spec)
    timings["build"] = round(time.time() - t0, 2)
    cpu["build"] = round(time.process_time() - c0, 2)
    inputs = [make_input(s) for _, s in input_specs]
    # Detection models take a list of images; the ONNX and TorchScript forms take that list too.
    args = ([inputs[0][0]],) if family == "detection" else tuple(inputs)
    if family == "quantized":
        counted = ed.counts(model)
        params, buffers, param_bytes = counted["params"], counted["buffers"], counted["paramBytes"]
    else:
        params = sum(p.numel() for p in model.parameters())
        buffers = sum(b.numel() for b in model.buffers())
        param_bytes = sum(t.numel() * t.element_size() for t in list(model.parameters()) + list(model.buffers()))
    # Gradients on only where nn.MultiheadAttention would otherwise take its fused path, invisible to the counter.
    grad = any(isinstance(m, nn.MultiheadAttention) for m in model.modules())
    t0, c0 = time.time(), time.process_time()
    modules, outputs, macs, device = oracle(spec, model, args, grad)
    timings["oracle"] = round(time.time() - t0, 2)
    cpu["oracle"] = round(time.process_time() - c0, 2)
    files = {"onnx": None, "traced": None, "scripted": None}
    errors = {}
    recompressed = []
    torchscript = {}
    onnx_facts = None
    tmp = os.path.join(out_dir, f".tmp-export-{os.getpid()}")
    os.makedirs(tmp, exist_ok=True)
    big = param_bytes >= CHEAP_BYTES

    t0, c0 = time.time(), time.process_time()
    em.write_text(progress, "onnx")
    try:
        if "onnx" in lost:
            raise Lost(lost["onnx"])
        path = os.path.join(tmp, f"{name}.onnx")
        opset = 13 if family == "quantized" else OPSET
        with torch.set_grad_enabled(grad and family != "quantized"):
            if name in LEAN_ONNX:
                # torch.onnx.export always runs the exporter's ONNX shape inference; its _export takes the switch.
                with tensor_split_indices_ranked():
                    torch.onnx.utils._export(model, args, path, opset_version=opset,
                                             input_names=[n for n, _ in input_specs], do_constant_folding=False,
                                             onnx_shape_inference=False)
            else:
                torch.onnx.export(model, args, path, opset_version=opset, input_names=[n for n, _ in input_specs],
                                  do_constant_folding=True)
        proto = onnx.load(path, load_external_data=False)
        if name in LEAN_ONNX:
            type_loop_bodies(proto.graph)
            onnx.checker.check_model(proto, full_check=True)
        if family == "quantized":
            onnx_facts = {"params": ran_quantized_params(model, modules), "buffers": 0, "opset": opset,
                          "note": "PyTorch's params (export_dtypes.counts) of the modules the forward ran, and no "
                                  "buffers: what the int8 and int32 tensors of the quantized layers hold"}
        else:
            onnx_facts = expected_onnx_params(model, proto, modules)
        structure_only(proto, f"{name}.onnx.data")
        final = os.path.join(tmp, f"{name}.structure.onnx")
        onnx.save_model(proto, final)
        del proto
        os.replace(final, os.path.join(out_dir, f"{name}.onnx"))
        files["onnx"] = f"{name}.onnx"
    except Exception as e:  # noqa: BLE001 - PyTorch's own error is the fact to record
        errors["onnx"] = first_line_of(e)
    timings["onnx"] = round(time.time() - t0, 2)
    cpu["onnx"] = round(time.process_time() - c0, 2)

    for form in ("traced", "scripted"):
        t0, c0 = time.time(), time.process_time()
        em.write_text(progress, form)
        try:
            if form in lost:
                raise Lost(lost[form])
            path = os.path.join(tmp, f"{name}.{form}.pt")
            with torch.no_grad():
                made = torch.jit.trace(model, args, check_trace=False, strict=False) if form == "traced" \
                    else torch.jit.script(model)
            if family != "quantized":
                # The saved module's own figures: scripting may change the model (torchaudio's wav2vec2 and hubert
                # remove their weight norm first, folding weight_g into weight: 128 fewer params). Quantized modules
                # keep their weights packed, outside parameters(): their figures are export_dtypes.counts'.
                torchscript[form] = {"params": sum(p.numel() for p in made.parameters()),
                                     "buffers": sum(b.numel() for b in made.buffers())}
            save_torchscript(made, path, big and family != "quantized", tmp)
            del made
            os.replace(path, os.path.join(out_dir, f"{name}.{form}.pt"))
            files[form] = f"{name}.{form}.pt"
            if big and family != "quantized":
                recompressed.append(form)
        except Exception as e:  # noqa: BLE001
            errors[form] = first_line_of(e)
        timings[form] = round(time.time() - t0, 2)
        cpu[form] = round(time.process_time() - c0, 2)
    shutil.rmtree(tmp, ignore_errors=True)
    os.remove(progress)

    signature = [p for p in inspect.signature(model.forward).parameters]
    expected = {
        "name": name,
        "family": family,
        "inputs": [{"name": n, "onnxName": n, "torchName": signature[i] if i < len(signature) else n,
                    "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", "")}
                   for i, ((n, _), t) in enumerate(zip(input_specs, inputs))],
        "outputShapes": outputs,
        "params": params,
        "buffers": buffers,
        "paramBytes": param_bytes,
        "macs": macs,
        "modules": modules,
        "files": files,
        "errors": errors,
        "structureOnlyOnnx": True,
        "recompressed": recompressed,
        "valuesSet": values,
        "oracleDevice": device,
        "onnx": onnx_facts,
        **({"onnxExport": {"constantFolding": False, "onnxShapeInference": False}} if name in LEAN_ONNX else {}),
        "torchscript": torchscript,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "exportKey": key,
        "timings": timings,
        "cpuSeconds": cpu,
        "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "fileBytes": {form: os.path.getsize(os.path.join(out_dir, f)) for form, f in files.items() if f},
        "exportSeconds": round(time.time() - started, 2),
    }
    em.write_json(os.path.join(out_dir, f"{name}.expected.json"), expected)
    return expected


def module_path(node_name):
    """The module path of an exported node: '/backbone/backbone.1/block/block.0/Conv' is 'backbone.1.block.0'."""
    path, last = "", ""
    for part in node_name.split("/")[1:-1]:
        if last and part.startswith(last + "."):
            path = path[:len(path) - len(last)] + part
        else:
            path = f"{path}.{part}" if path else part
        last = part
    return path


def expected_onnx_params(model, proto, modules):
    """What PyTorch's parameters become in the eval-mode ONNX export, from the model's own modules.

    The exporter folds a BatchNorm that follows a convolution into it: the BatchNorm's 2C parameters and the
    convolution's bias (if any) are replaced by one C-element bias, C + bias fewer parameters, and its running
    statistics are gone. A BatchNorm left in the graph (a BatchNormalization node at its path) keeps 2C
    parameters and its 2C running statistics, which the ONNX reader counts as buffers.
    """
    kept = {module_path(n.name) for n in proto.graph.node if n.op_type == "BatchNormalization"}
    by_path = dict(model.named_modules())
    folded_away = 0
    kept_buffers = 0
    previous = None
    for record in modules:
        module = by_path.get(record["name"])
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            channels = module.num_features
            if record["name"] in kept:
                kept_buffers += 2 * channels
            elif isinstance(previous, nn.modules.conv._ConvNd):
                folded_away += channels + (previous.bias.numel() if previous.bias is not None else 0)
        # Records are in the order modules finish, so a container (r2plus1d_18's Conv2Plus1D, a Sequential ending in
        # a Conv3d) finishes after its last layer: the BatchNorm after it follows that layer, not the container.
        if module is not None and not any(True for _ in module.children()):
            previous = module
    floats = sum(math.prod(t.dims) for t in proto.graph.initializer if t.data_type == onnx.TensorProto.FLOAT)
    absent = absent_parameters(model, proto)
    return {"params": sum(p.numel() for p in model.parameters()) - absent, "buffers": kept_buffers,
            "foldedAway": absent, "batchNormFoldedAway": folded_away, "batchNormNodes": len(kept),
            "floatInitializerElements": floats, "opset": OPSET}


def is_exporter_name(name):
    """A name torch.onnx made up (onnx::MatMul_12, /Constant_output_0, 123), not a state-dict name."""
    return name.startswith(("onnx::", "/")) or name.isdigit()


def absent_parameters(model, proto):
    """The elements of PyTorch's parameters that the exported file does not hold.

    torch.onnx stores a parameter under its state-dict name (an initializer, or an Identity it names after it when it
    merged equal tensors), or, when constant folding only reshaped, transposed or combined it into one tensor of its
    own size, under a made-up name (a Linear's transposed weight, a GroupNorm weight unsqueezed, a BatchNorm folded
    into the convolution before it: the conv weight and the new bias). A parameter the file holds neither way was
    consumed by constant folding into a tensor that is not a parameter: a BatchNorm's second C (the fold leaves one
    bias of C for weight and bias), a weight norm's g (the folded weight has v's size), a relative position table
    gathered by a constant index (Swin's and MaxViT's bias, 169 x heads, becomes heads x 49 x 49). Parameters are
    matched to made-up initializers by element count, each initializer at most once; what is left over is absent.
    """
    graph = proto.graph
    present = {t.name for t in graph.initializer}
    present |= {n.output[0] for n in graph.node if n.op_type == "Identity" and len(n.output) == 1}
    made_up = collections.Counter(math.prod(t.dims) for t in graph.initializer
                                  if t.data_type == onnx.TensorProto.FLOAT and is_exporter_name(t.name))
    # A recurrent module's layer is one LSTM/GRU/RNN node whose W, R and B each join both directions' tensors (B
    # also both bias vectors): its parameters are held combined, one made-up initializer per input and layer.
    for path, module in model.named_modules():
        if isinstance(module, nn.RNNBase):
            for layer in range(module.num_layers):
                suffixes = [f"_l{layer}"] + ([f"_l{layer}_reverse"] if module.bidirectional else [])
                groups = [["weight_ih"], ["weight_hh"], ["bias_ih", "bias_hh"] if module.bias else []]
                for group in groups:
                    names = [f"{kind}{suffix}" for kind in group for suffix in suffixes]
                    total = sum(getattr(module, n).numel() for n in names)
                    if names and made_up[total] > 0:
                        made_up[total] -= 1
                        present |= {f"{path}.{n}" if path else n for n in names}
    missing = collections.Counter(p.numel() for n, p in model.named_parameters() if n not in present)
    return sum(numel * max(0, count - made_up[numel]) for numel, count in missing.items())


def ran_quantized_params(model, modules):
    """export_dtypes.counts' params of the state-dict entries under modules the eval-mode forward ran (hook records).

    The ONNX export traces that forward, so a module it never calls (quantized googlenet's and inception_v3's auxiliary
    classifiers, kept with aux_logits=True) is not in the file; TorchScript keeps it, and counts it, as PyTorch does.
    """
    ran = {record["name"] for record in modules}
    skipped = 0
    buffer_names = {n for n, _ in model.named_buffers()}
    for key, value in model.state_dict().items():
        path = key.rpartition(".")[0]
        parts = path.split(".") if path else []
        if key in buffer_names or not parts or any(".".join(parts[:i]) in ran for i in range(1, len(parts) + 1)):
            continue
        owner = model.get_submodule(path)
        attr = key.rpartition(".")[2]
        if isinstance(getattr(owner, attr, None), (int, float)) and not isinstance(getattr(owner, attr), bool):
            continue  # a quantized module's scale or zero_point, not counted by export_dtypes.counts either
        skipped += sum(t.numel() for t in ed.tensors_of(value))
    return ed.counts(model)["params"] - skipped


def run_hooks_args(name, model, args):
    """export_models.run_hooks for a model of several inputs (it calls model(x) with one)."""
    if len(args) == 1:
        return em.run_hooks(name, model, args[0])
    original = model.forward
    packed = args

    def forward_packed(_ignored):
        return original(*packed)
    model.forward = forward_packed
    try:
        return em.run_hooks(name, model, None)
    finally:
        del model.forward


def write_index(out_dir, specs):
    """index.json lists the models whose expected.json is present, so that a partial run can be tested."""
    present = [s for s in specs if os.path.isfile(os.path.join(out_dir, f"{s[0]}.expected.json"))]
    em.write_json(os.path.join(out_dir, "index.json"), {
        "models": [s[0] for s in present],
        "families": {s[0]: s[1] for s in present},
        "torch": torch.__version__, "torchvision": torchvision.__version__, "onnx": onnx.__version__,
        # torchvision 0.14.1's list_models() has no swin3d_t/s/b: they came with 0.15.
        "notInTorchvision": ["swin3d_t", "swin3d_s", "swin3d_b"],
    })


def check_meta(specs):
    """For each model: the meta-device oracle against the CPU one (modules, output shapes, MACs); returns mismatches."""
    mismatches = []
    for spec in specs:
        model, _ = build_model(spec)
        args = tuple(make_input(s) for _, s in spec[3])
        grad = any(isinstance(m, nn.MultiheadAttention) for m in model.modules())
        modules, outputs, macs, device = oracle(spec, model, args, grad)
        with torch.set_grad_enabled(grad):
            cpu_modules, cpu_output, cpu_macs, _ = run_hooks_args(spec[0], model, args)
        cpu_outputs = [list(t.shape) for t in tensors_of(cpu_output)]
        same = device == "meta" and (modules, outputs, macs) == (cpu_modules, cpu_outputs, cpu_macs)
        print(f"{spec[0]:36s} oracle on {device}: {macs:,} MACs, CPU {cpu_macs:,}: {'same' if same else 'DIFFERENT'}",
              flush=True)
        if not same:
            mismatches.append(spec[0])
    return mismatches


def summary_line(e):
    made = ",".join(k for k, v in e["files"].items() if v)
    return (f"{e['name']:36s} {e['exportSeconds']:6.1f} s  cpu {sum(e['cpuSeconds'].values()):6.1f} s  "
            f"params {e['params']:>11,}  MACs {e['macs']:>15,}  [{made}]"
            f"  {'; '.join(f'{k}: {v[:100]}' for k, v in e['errors'].items())}")


def child(spec, out_dir, key, threads, memory_bytes, lost):
    """One model in its own process: its memory is returned when it ends, and a limit stops a runaway export."""
    torch.set_num_threads(threads)
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    try:
        expected = export(spec, out_dir, key, lost)
    except Exception as error:  # noqa: BLE001 - the oracle itself failed: report, go on
        print(f"{spec[0]:36s} FAILED: {fc.first_line(error)}", flush=True)
        traceback.print_exc()
        sys.stdout.flush()
        os._exit(1)
    print(summary_line(expected), flush=True)
    sys.stdout.flush()
    os._exit(0)


# Exports that need gigabytes (weights of 1 GB or more): never two at once. (mvit_v2_s's takes 1.4 GB since LEAN_ONNX.)
ALONE = ["vit_h_14", "regnet_y_128gf", "vit_l_16", "vit_l_32"]


def run_all(todo, out_dir, keys, jobs, memory_bytes, specs):
    """Runs the exports `jobs` at a time (one ALONE model at most); returns the names that failed."""
    context = multiprocessing.get_context("fork")
    todo = sorted(todo, key=lambda s: s[0] not in ALONE)
    running = {}
    failures = []
    lost = {}
    threads = max(1, (os.cpu_count() or 1) // jobs)
    while todo or running:
        while todo and len(running) < jobs:
            alone_busy = any(name in ALONE for name in running)
            pick = next((s for s in todo if not (alone_busy and s[0] in ALONE)), None)
            if pick is None:
                break
            todo.remove(pick)
            process = context.Process(target=child, args=(pick, out_dir, keys[pick[0]], threads, memory_bytes,
                                                          lost.get(pick[0], {})))
            process.start()
            running[pick[0]] = process
        ready = multiprocessing.connection.wait([p.sentinel for p in running.values()])
        for name, process in list(running.items()):
            if process.sentinel in ready:
                process.join()
                del running[name]
                progress = os.path.join(out_dir, f".progress-{name}")
                if process.exitcode < 0 and os.path.isfile(progress) and len(lost.get(name, {})) < 3:
                    # Killed while making one form (the kernel's OOM killer): that form is recorded as lost with
                    # the reason, and the model is run again for its other forms.
                    with open(progress) as f:
                        form = f.read().strip()
                    os.remove(progress)
                    lost.setdefault(name, {})[form] = (
                        f"the export process was killed by signal {-process.exitcode} while making this "
                        f"form (out of memory on this machine; per-process data limit: "
                        f"{f'{memory_bytes / 2**30:.0f} GB' if memory_bytes else 'none'})")
                    print(f"{name:36s} {form}: killed by signal {-process.exitcode}; again without it", flush=True)
                    todo.insert(0, next(s for s in specs if s[0] == name))
                elif process.exitcode != 0:
                    failures.append(name)
                    if process.exitcode < 0:
                        print(f"{name:36s} FAILED: the export process was killed by signal {-process.exitcode}",
                              flush=True)
                write_index(out_dir, specs)
    return failures


def main():
    parser = argparse.ArgumentParser(description="Export the torchvision and torchaudio zoo with real PyTorch.")
    parser.add_argument("--out", default=os.environ.get("TALLY_FIXTURES") or os.path.join(em.REPO, "models", "cache"))
    parser.add_argument("--models", default="")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--jobs", type=int, default=2, help="models exported at once (default 2)")
    parser.add_argument("--memory-gb", type=float, default=8.0,
                        help="data size limit of each export process, in GB (0: none; default 8)")
    parser.add_argument("--check-meta", action="store_true",
                        help="export nothing: compare the meta-device oracle with the CPU one for --models")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    if args.check_meta:
        chosen = [s for s in tv_specs() + audio_specs() if s[0] in args.models.split(",")]
        return 1 if check_meta(chosen) else 0
    out_dir = os.path.join(os.path.abspath(args.out), "zoo")
    sources = b""
    for path in (SCRIPT, ed.__file__):
        with open(path, "rb") as f:
            sources += f.read()
    sources += fc.source_bytes()
    # Families other than classification first: they carry the new ops, and a partial run is still useful.
    specs = sorted(tv_specs() + audio_specs(), key=lambda s: s[1] == "classification")
    wanted = fc.wanted_specs(args, specs)

    def run():
        started, cpu_started = time.time(), os.times()
        keys = {s[0]: em.sha256_text(sources, em.script_bytes(), s[0], torch.__version__) for s in wanted}
        todo = [s for s in wanted if args.force or not em.is_cached(out_dir, s[0], keys[s[0]])]
        print(f"zoo: {len(todo)} of {len(wanted)} models to export, {args.jobs} at a time", flush=True)
        failures = run_all(todo, out_dir, keys, max(1, args.jobs), int(args.memory_gb * (1 << 30)), specs)
        write_index(out_dir, specs)
        ended = os.times()
        children = ended.children_user + ended.children_system - cpu_started.children_user - cpu_started.children_system
        size = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir)
                   if os.path.isfile(os.path.join(out_dir, f)))
        print(f"zoo: {time.time() - started:.1f} s wall, {children:.1f} CPU-seconds, {size / 1e6:.1f} MB in {out_dir}")
        return failures
    return fc.locked_folder(out_dir, "zoo", args, em.sha256_text(sources, em.script_bytes(), torch.__version__), run)


if __name__ == "__main__":
    sys.exit(main())
