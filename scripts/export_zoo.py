#!/usr/bin/env python3
"""Exports the rest of torchvision's model list and torchaudio's models, with PyTorch's own figures.

Run with Debian's python3 (python3-torch, python3-torchvision, python3-torchaudio, python3-onnx):

    /usr/bin/python3 scripts/export_zoo.py [--out DIR] [--models a,b] [--force]

Writes into DIR/zoo/ (DIR defaults to $TALLY_FIXTURES, else models/cache/), beside the fixtures of
scripts/export_models.py, and makes every builder of torchvision.models.list_models() that is not already
one of those fixtures, except the quantized classifiers (another script makes them): classification,
segmentation, video, optical flow and detection (in eval mode), and torchaudio 0.13.1's wav2vec2_base,
hubert_base, conformer, emformer, deepspeech, wav2letter, wavernn, conv_tasnet_base, hdemucs_low and
tacotron2 (its encoder, whose forward takes fixed-size tensors; the full model's forward is the
teacher-forced training step and its infer() runs a data-dependent decoder loop).

Per model:
    <name>.onnx             STRUCTURE-ONLY (external data, data file deleted): Tally never reads weights
    <name>.traced.pt        torch.jit.trace, only when the weights are under 60 MB
    <name>.scripted.pt      torch.jit.script, likewise
    <name>.expected.json    params and buffers (sum of numel), the final output shapes (every tensor of the
                            output, flattened in order), MACs by export_models.MacCounter (the aten-level
                            TorchDispatchMode counter, same definitions), per-module figures from forward
                            hooks, the input names and shapes, and for every form not made PyTorch's own
                            error (or the budget reason) in "errors".

Smaller inputs than the models' nominal ones are used where the model allows (detection 256x256 with
min_size = max_size = 256; segmentation 224x224; video 8 frames of 112x112 for the ResNet-3D family;
RAFT 128x128): the counts are per input size and the test gives Tally the same size.

The cache key of a model is sha256(this script, fixture_cache.py, export_models.py, model name, torch version);
the whole folder is skipped when zoo/stamp holds sha256(this script, fixture_cache.py, export_models.py, torch
version). fixture_cache.export_folder runs the loop, shared with export_detection.py.
"""

import inspect
import math
import os
import shutil
import sys
import time
import warnings

import onnx
import torch
import torch.nn as nn
import torchvision
import torchvision.models as tvm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models as em  # noqa: E402
import fixture_cache as fc  # noqa: E402

SCRIPT = os.path.abspath(__file__)
CHEAP_BYTES = 60 * 1000 * 1000
OPSET = 17


def builder(module, name, **kwargs):
    return lambda: module.get_model_builder(name)(weights=None, **kwargs) if hasattr(module, "get_model_builder") \
        else tvm.get_model_builder(name)(weights=None, **kwargs)


def tv_specs():
    """(name, family, build, inputs) for every torchvision builder not fixtured already, quantized excluded."""
    done = {m[0] for m in em.MODELS}
    specs = []
    for name in tvm.list_models(module=tvm):
        if name in done:
            continue
        size = 299 if name == "inception_v3" else 224
        kwargs = {"aux_logits": False, "init_weights": False} if name in ("googlenet", "inception_v3") else {}
        specs.append((name, "classification", builder(tvm, name, **kwargs), [("input", (1, 3, size, size))]))
    for name in tvm.list_models(module=tvm.segmentation):
        specs.append((name, "segmentation", builder(tvm, name, weights_backbone=None),
                      [("input", (1, 3, 224, 224))]))
    for name in tvm.list_models(module=tvm.video):
        shape = (1, 3, 16, 224, 224) if name.startswith("mvit") else (1, 3, 16, 160, 160) if name == "s3d" \
            else (1, 3, 8, 112, 112)
        specs.append((name, "video", builder(tvm, name), [("input", shape)]))
    for name in tvm.list_models(module=tvm.optical_flow):
        specs.append((name, "optical_flow", builder(tvm, name),
                      [("image1", (1, 3, 128, 128)), ("image2", (1, 3, 128, 128))]))
    for name in tvm.list_models(module=tvm.detection):
        kwargs = {"weights_backbone": None}
        if not name.startswith("ssd"):
            kwargs.update(min_size=256, max_size=256)
        specs.append((name, "detection", builder(tvm, name, **kwargs), [("images", (1, 3, 256, 256))]))
    return specs


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


def export(spec, out_dir, key):
    name, family, build, input_specs = spec
    started = time.time()
    torch.manual_seed(0)
    model = build()
    model.eval()
    em.make_values_distinct(model)
    inputs = [make_input(s) for _, s in input_specs]
    # Detection models take a list of images; the ONNX and TorchScript forms take that list too.
    args = ([inputs[0][0]],) if family == "detection" else tuple(inputs)
    params = sum(p.numel() for p in model.parameters())
    buffers = sum(b.numel() for b in model.buffers())
    param_bytes = sum(t.numel() * t.element_size() for t in list(model.parameters()) + list(model.buffers()))
    # Gradients on only where nn.MultiheadAttention would otherwise take its fused path, invisible to the counter.
    grad = any(isinstance(m, nn.MultiheadAttention) for m in model.modules())
    timings = {}
    cpu = {}
    t0, c0 = time.time(), time.process_time()
    with torch.set_grad_enabled(grad):
        modules, output, macs, _ = run_hooks_args(name, model, args)
    timings["oracle"] = round(time.time() - t0, 2)
    cpu["oracle"] = round(time.process_time() - c0, 2)
    outputs = [list(t.shape) for t in tensors_of(output)]
    del output
    files = {"onnx": None, "traced": None, "scripted": None}
    errors = {}
    onnx_facts = None
    tmp = os.path.join(out_dir, f".tmp-export-{os.getpid()}")
    os.makedirs(tmp, exist_ok=True)
    small = param_bytes < CHEAP_BYTES

    t0, c0 = time.time(), time.process_time()
    try:
        path = os.path.join(tmp, f"{name}.onnx")
        with torch.set_grad_enabled(grad):
            torch.onnx.export(model, args, path, opset_version=OPSET, input_names=[n for n, _ in input_specs],
                              do_constant_folding=True)
        proto = onnx.load(path, load_external_data=False)
        onnx_facts = expected_onnx_params(model, proto, modules)
        onnx.load_external_data_for_model(proto, tmp) if any(
            t.data_location == onnx.TensorProto.EXTERNAL for t in proto.graph.initializer) else None
        for leftover in os.listdir(tmp):
            if leftover != f"{name}.onnx":
                os.remove(os.path.join(tmp, leftover))
        os.remove(path)
        onnx.save_model(proto, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=f"{name}.onnx.data", size_threshold=0)
        os.remove(os.path.join(tmp, f"{name}.onnx.data"))
        del proto
        os.replace(path, os.path.join(out_dir, f"{name}.onnx"))
        files["onnx"] = f"{name}.onnx"
    except Exception as e:  # noqa: BLE001 - PyTorch's own error is the fact to record
        errors["onnx"] = fc.first_line(e)
    timings["onnx"] = round(time.time() - t0, 2)
    cpu["onnx"] = round(time.process_time() - c0, 2)

    for form in ("traced", "scripted"):
        if not small:
            errors[form] = f"over the CI budget: weights are {param_bytes} bytes (>= {CHEAP_BYTES})"
            continue
        t0, c0 = time.time(), time.process_time()
        try:
            path = os.path.join(tmp, f"{name}.{form}.pt")
            with torch.no_grad():
                made = torch.jit.trace(model, args, check_trace=False, strict=False) if form == "traced" \
                    else torch.jit.script(model)
            torch.jit.save(made, path)
            del made
            os.replace(path, os.path.join(out_dir, f"{name}.{form}.pt"))
            files[form] = f"{name}.{form}.pt"
        except Exception as e:  # noqa: BLE001
            errors[form] = fc.first_line(e)
        timings[form] = round(time.time() - t0, 2)
        cpu[form] = round(time.process_time() - c0, 2)
    shutil.rmtree(tmp, ignore_errors=True)

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
        "onnx": onnx_facts,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "exportKey": key,
        "timings": timings,
        "cpuSeconds": cpu,
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
    return {"params": sum(p.numel() for p in model.parameters()) - folded_away, "buffers": kept_buffers,
            "foldedAway": folded_away, "batchNormNodes": len(kept), "floatInitializerElements": floats,
            "opset": OPSET}


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


def main():
    args = fc.export_arguments("Export the torchvision and torchaudio zoo with real PyTorch.")
    warnings.filterwarnings("ignore")
    out_dir = os.path.join(os.path.abspath(args.out), "zoo")
    source = fc.source_bytes(SCRIPT)
    # Families other than classification first: they carry the new ops, and a partial run is still useful.
    specs = sorted(tv_specs() + audio_specs(), key=lambda s: s[1] == "classification")

    def line(spec, e, seconds):
        made = ",".join(k for k, v in e["files"].items() if v)
        return (f"{spec[0]:36s} {seconds:6.1f} s  params {e['params']:>11,}  MACs {e['macs']:>15,}  [{made}]"
                f"  {'; '.join(f'{k}: {v[:100]}' for k, v in e['errors'].items())}")
    return fc.export_folder(
        out_dir, "zoo", args, specs,
        stamp=em.sha256_text(source, fc.source_bytes(), em.script_bytes(), torch.__version__),
        key_of=lambda name: em.sha256_text(source, fc.source_bytes(), em.script_bytes(), name, torch.__version__),
        export=lambda spec, key: export(spec, out_dir, key), line=line,
        on_export=lambda: write_index(out_dir, specs), finish=lambda: write_index(out_dir, specs))


if __name__ == "__main__":
    sys.exit(main())
