#!/usr/bin/env python3
"""PyTorch measuring its own memory, as the oracle for Tally's memory figures (issue 10).

    /usr/bin/python3 scripts/export_memory_oracle.py [--out DIR] [--onnx-from DIR] [--models a,b] [--force]

Writes DIR/memory/<name>.memory.json (DIR defaults to $TALLY_FIXTURES, else models/cache/) for the
fixture models of scripts/export_models.py, built exactly as it builds them (its MODELS, seed 0,
make_values_distinct, eval mode, the same input shape):

    peakInferenceBytes   eval mode under torch.no_grad(), inside a TorchDispatchMode that tracks every
                         storage an op returns: keyed by the storage, reference-counted over the tensors
                         that share it (views, in-place results), freed when the last one is collected
                         (weakref finalizers on the tensors, as torch 1.13 makes a new Python storage
                         object each time it is asked). The input counts from the start, as the caller
                         holds it through the call. Peak of the live bytes after each op.
    peakInferenceBytesFolded  (only models whose ONNX export folded BatchNorm into the convs, expected.json's
                         onnx.bnFolded) the same measurement of the same module with every Conv -> BatchNorm pair
                         fused as torch.onnx's eval-mode peephole fuses it (a BatchNorm whose input is a Conv's
                         output): the conv replaced by torch.nn.utils.fusion.fuse_conv_bn_eval's fused conv and the
                         BatchNorm by nn.Identity, in place in the module tree, so every forward frame holds what it
                         held before. The pairs are found by forward hooks (the BatchNorm's input tensor is a Conv's
                         output), which needs no FX tracing. Measured last (but for the receptive fields), as the
                         fusing is done on the model itself. The script checks that the fused module's output equals
                         the original's (within 1e-4 of its largest magnitude) and that the fused module runs as many
                         Conv and BatchNorm modules as the ONNX file (DIR/<name>.onnx, --onnx-from, default --out)
                         has Conv and BatchNormalization nodes, and fails otherwise. foldedPairs: how many it fused.
    savedBytes {"1","8"} (batch 1 for every fixture, batch 8 for the 13 core CNNs) train mode,
                         torch.autograd.graph.saved_tensors_hooks: the bytes of the unique storages
                         packed during the forward pass, parameters and buffers left out.
    trainingPeakBytes    {"adam","sgd"} (the small models of TRAINING_MODELS only: Adam over VGG's 138 M
                         params takes minutes on a shared 2-core machine) the dispatch tracker's peak over
                         the SECOND step of PyTorch 1.13's default loop at batch 1 (zero_grad() keeps the
                         gradient tensors, zeroed; forward; loss = output.sum(); backward; optimizer.step()):
                         the steady state, where gradients and optimizer state already exist while the
                         forward saves its activations. Parameters, buffers, gradients, optimizer state
                         and every storage ops return are counted.
    receptiveField       (RF_MODELS: lenet5 and the two small nets below, made of conv and avg-pool only,
                         so that with positive constant weights every input a neuron depends on has a
                         non-zero gradient) per conv/pool layer, for a few neurons, the first and last
                         input position with a non-zero gradient of that neuron, per spatial axis. The
                         nets that are not fixtures of export_models.py (rfnet2d: strides, dilation,
                         padding and non-square kernels that differ per axis; rfnet1d: the same in 1-D)
                         are written beside the figures as DIR/memory/<name>.traced.pt (a few KB).
    seconds              wall time of each part, to keep the cold cost visible.

Each file carries a key (sha256 of this script, the export script and the torch version); a model
whose file carries the current key is skipped. Cold cost, measured on the shared 2-core machine on
2026-12-01 while it was nearly idle (load average about 1): 2.5 min wall, 10.0 GB peak RSS, 136 KB on disk
(README, "Set up"). Of the 116 s of forwards, the batch-8 saved runs of the core CNNs are 51 s (vgg16_bn
12.8 s, resnet50 12.0 s, densenet121 7.5 s) and make the peak RSS; the transformers' peak and saved runs
are 34 s. Before batch 8 was made for every core CNN the whole run was 57 s and 4.6 GB on an idle machine.
The fused peaks (peakInferenceBytesFolded, 14 models) add 100 s to 385 s of other parts measured at load 10-22 on
2026-12-01 (+26%; vgg16_bn 28.5 s, wide_resnet50_2 19.9 s, resnext50_32x4d 14.6 s) and no memory: they run at batch 1
on the model itself.
"""

import argparse
import copy
import gc
import hashlib
import json
import os
import sys
import time
import warnings
import weakref

import torch
import torch.nn as nn
from torch.nn.utils.fusion import fuse_conv_bn_eval
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models  # noqa: E402 - the same model definitions, seeding and input shapes as the fixtures

SCRIPT = os.path.abspath(__file__)
RF_MODELS = {"lenet5"}
TRAINING_MODELS = {"lenet5", "resnet18", "squeezenet1_1", "mobilenet_v2"}


class RfNet2d(nn.Module):
    """Receptive-field oracle net: per-axis kernels, strides, padding and dilation, and an avg-pool."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 2, kernel_size=(3, 5), stride=(2, 1), padding=(1, 2))
        self.conv2 = nn.Conv2d(2, 2, kernel_size=3, stride=1, padding=(2, 0), dilation=(2, 3))
        self.pool = nn.AvgPool2d(kernel_size=(2, 3), stride=(2, 2), padding=(1, 1))
        self.conv3 = nn.Conv2d(2, 1, kernel_size=(5, 3), stride=(1, 3), padding=(0, 1))

    def forward(self, x):
        return self.conv3(self.pool(self.conv2(self.conv1(x))))


class RfNet1d(nn.Module):
    """The 1-D forms: strided, dilated and padded conv, then an avg-pool and a second conv."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 2, kernel_size=5, stride=2, padding=2)
        self.conv2 = nn.Conv1d(2, 2, kernel_size=3, dilation=4, padding=1)
        self.pool = nn.AvgPool1d(kernel_size=4, stride=3, padding=2)
        self.conv3 = nn.Conv1d(2, 1, kernel_size=3, stride=2)

    def forward(self, x):
        return self.conv3(self.pool(self.conv2(self.conv1(x))))


# (name, class, input shape): receptive-field nets written by this script, not fixtures of export_models.py.
RF_NETS = [("rfnet2d", RfNet2d, (1, 1, 61, 67)), ("rfnet1d", RfNet1d, (1, 1, 97))]


def key_for(name):
    digest = hashlib.sha256()
    for path in (SCRIPT, export_models.SCRIPT):
        with open(path, "rb") as f:
            digest.update(f.read())
    digest.update(name.encode())
    digest.update(torch.__version__.encode())
    return digest.hexdigest()


def storage_key(tensor):
    storage = tensor.untyped_storage() if hasattr(tensor, "untyped_storage") else tensor.storage()
    return storage.data_ptr(), storage.nbytes()


class StorageTracker(TorchDispatchMode):
    """Live bytes of the storages ops return, each storage once, freed when its last tensor is collected."""

    def __init__(self, excluded=()):
        super().__init__()
        self.excluded = set(excluded)  # storages of parameters and buffers: weights, not activations
        self.refs = {}      # storage data_ptr -> [bytes, tensors alive]
        self.tracked = {}   # id(tensor) -> storage data_ptr, for tensors already counted
        self.live = 0
        self.peak = 0

    def track(self, tensor):
        if not isinstance(tensor, torch.Tensor) or id(tensor) in self.tracked:
            return
        ptr, nbytes = storage_key(tensor)
        if nbytes == 0 or ptr in self.excluded:
            return
        entry = self.refs.get(ptr)
        if entry is None:
            entry = self.refs[ptr] = [nbytes, 0]
            self.live += nbytes
        entry[1] += 1
        self.tracked[id(tensor)] = ptr
        weakref.finalize(tensor, self.release, id(tensor), ptr)
        self.peak = max(self.peak, self.live)

    def release(self, tensor_id, ptr):
        self.tracked.pop(tensor_id, None)
        entry = self.refs.get(ptr)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            del self.refs[ptr]
            self.live -= entry[0]

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for tensor in (out if isinstance(out, (tuple, list)) else (out,)):
            self.track(tensor)
        return out


def build(spec):
    """The model as export_models.py builds it (seed 0, distinct values, eval mode), built once per model."""
    name, _, make, input_shape, _ = spec
    torch.manual_seed(0)
    model = make()
    model.eval()
    export_models.make_values_distinct(model)
    return model


def example(spec, batch):
    torch.manual_seed(0)
    return torch.randn(batch, *spec[3][1:])


def peak_inference(spec, model):
    model.eval()
    x = example(spec, 1)
    tracker = StorageTracker(storage_key(t)[0] for t in list(model.parameters()) + list(model.buffers()))
    with torch.no_grad():
        with tracker:
            tracker.track(x)
            out = model(x)
    del out
    return tracker.peak


def module_calls(model, x, kinds):
    """Runs the model once (eval, no grad) and returns [(path, module, input, output)] of every call of a module of
    the given kinds, in execution order. The tensors are kept, so no id is reused during the run."""
    calls = []
    handles = [module.register_forward_hook(lambda m, i, o, path=path: calls.append((path, m, i[0] if i else None, o)))
               for path, module in model.named_modules() if isinstance(module, kinds)]
    try:
        with torch.no_grad():
            out = model(x)
    finally:
        for handle in handles:
            handle.remove()
    return calls, out


BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d)


def fold_conv_bn(model, x):
    """Fuses, in place and in eval mode, every BatchNorm whose input is a Conv's output into that Conv, as torch.onnx's
    constant folding does: the conv becomes fuse_conv_bn_eval's conv, the BatchNorm an nn.Identity, both in the module
    tree, so every forward runs as before. Returns how many pairs it fused and the model's output before fusing."""
    model.eval()
    calls, out = module_calls(model, x, CONVS + BATCH_NORMS)
    produced_by = {id(o): path for path, m, i, o in calls if isinstance(m, CONVS)}
    pairs = []
    for path, module, given, _ in calls:
        if isinstance(module, BATCH_NORMS) and given is not None and id(given) in produced_by:
            pairs.append((produced_by[id(given)], path))
    del calls
    modules = dict(model.named_modules())

    def replace(path, new):
        parent, _, leaf = path.rpartition(".")
        setattr(modules[parent] if parent else model, leaf, new)

    for conv_path, bn_path in pairs:
        replace(conv_path, fuse_conv_bn_eval(modules[conv_path], modules[bn_path]))
        replace(bn_path, nn.Identity())
    return len(pairs), out


def onnx_node_counts(path):
    import onnx  # only models with a folded BatchNorm need it
    proto = onnx.load(path, load_external_data=False)
    counts = {}
    for node in proto.graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return counts.get("Conv", 0), counts.get("BatchNormalization", 0)


def peak_inference_folded(spec, model, onnx_path):
    """peakInferenceBytes of the model with its Conv -> BatchNorm pairs fused (in place: call it after every figure
    that needs the BatchNorms), checked against the original's output and the ONNX file's Conv and BatchNormalization
    counts."""
    name = spec[0]
    x = example(spec, 1)
    pairs, want = fold_conv_bn(model, x)
    calls, out = module_calls(model, x, CONVS + BATCH_NORMS)
    convs = sum(1 for c in calls if isinstance(c[1], CONVS))
    norms = len(calls) - convs
    del calls
    scale = float(want.abs().max())
    err = float((out - want).abs().max())
    if err > 1e-4 * scale + 1e-6:
        raise AssertionError(f"{name}: the module with Conv -> BatchNorm fused differs from the original by {err:g} "
                             f"(largest output magnitude {scale:g}).")
    del out, want
    onnx_convs, onnx_norms = onnx_node_counts(onnx_path)
    if (convs, norms) != (onnx_convs, onnx_norms):
        raise AssertionError(f"{name}: the fused module runs {convs} Conv and {norms} BatchNorm modules, but "
                             f"{onnx_path} has {onnx_convs} Conv and {onnx_norms} BatchNormalization nodes.")
    return peak_inference(spec, model), pairs


def saved_bytes(spec, model, batch):
    model.train()
    x = example(spec, batch)
    stored = {storage_key(t)[0] for t in list(model.parameters()) + list(model.buffers())}
    saved = {}

    def pack(tensor):
        ptr, nbytes = storage_key(tensor)
        if ptr not in stored and nbytes > 0:
            saved[ptr] = nbytes
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = model(x)
    del out
    return sum(saved.values())


def training_peak(spec, model, make_optimizer):
    """Peak live bytes over the second training step (the first makes the gradients and optimizer state)."""
    model.train()
    x = example(spec, 1)
    optimizer = make_optimizer(model.parameters())

    def step():
        optimizer.zero_grad()  # torch 1.13's default set_to_none=False: the gradient tensors stay, zeroed
        out = model(x)
        loss = out.float().sum()
        del out
        loss.backward()
        del loss
        optimizer.step()

    step()
    tracker = StorageTracker()
    held = list(model.parameters()) + list(model.buffers()) + [p.grad for p in model.parameters() if p.grad is not None]
    for state in optimizer.state.values():
        held += [t for t in state.values() if isinstance(t, torch.Tensor)]
    for t in held:
        tracker.track(t)
    with tracker:
        tracker.track(x)
        step()
    return tracker.peak


OPTIMIZERS = {"adam": lambda params: torch.optim.Adam(params), "sgd": lambda params: torch.optim.SGD(params, lr=0.01)}


def receptive_fields(model, input_shape):
    """Per conv/avg-pool layer: for a few neurons, the first and last input position (per spatial axis) with a
    non-zero gradient of that neuron, all weights and the input set to positive constants."""
    model.eval()
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(0.01)
    x = torch.ones(*input_shape, requires_grad=True)
    layers = {}
    captured = {}
    for path, module in model.named_modules():
        if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.AvgPool1d, nn.AvgPool2d)):
            module.register_forward_hook(lambda m, i, o, path=path: captured.__setitem__(path, o))
    model(x)
    for path, output in captured.items():
        spatial = list(output.shape[2:])
        corners = {tuple(0 for _ in spatial), tuple(n // 2 for n in spatial), tuple(n - 1 for n in spatial)}
        neurons = []
        for at in sorted(corners):
            grad, = torch.autograd.grad(output[(0, 0) + at], x, retain_graph=True)
            support = grad[0].abs().sum(0).nonzero()
            neurons.append({"at": list(at), "axes": [[int(support[:, a].min()), int(support[:, a].max())]
                                                     for a in range(len(spatial))]})
            if len(spatial) == 2:  # the form the first version of this file wrote, kept for its readers
                neurons[-1].update({"i": at[0], "j": at[1], "rows": neurons[-1]["axes"][0], "cols": neurons[-1]["axes"][1]})
        layers[path] = {"outputShape": list(output.shape), "neurons": neurons}
    return layers


def rf_net_figures(out_dir, name, cls, input_shape):
    """Writes the net as traced TorchScript beside its receptive-field figures."""
    torch.manual_seed(0)
    model = cls().eval()
    torch.jit.trace(model, torch.ones(*input_shape)).save(os.path.join(out_dir, f"{name}.traced.pt"))
    return {"model": name, "torch": torch.__version__, "inputShape": list(input_shape),
            "receptiveField": receptive_fields(model, input_shape)}


def bn_folded(fixtures, name):
    """Whether the fixture's ONNX export folded BatchNorm into the convs (expected.json's onnx.bnFolded)."""
    path = os.path.join(fixtures, f"{name}.expected.json")
    if not os.path.isfile(path):
        raise SystemExit(f"No {path}: make the fixtures first with scripts/export_models.py, or pass --onnx-from "
                         "the folder that has them.")
    with open(path) as f:
        return bool(json.load(f).get("onnx", {}).get("bnFolded"))


def main():
    parser = argparse.ArgumentParser(description="PyTorch's own memory figures for the fixture models.")
    parser.add_argument("--out", default=os.environ.get("TALLY_FIXTURES") or os.path.join(export_models.REPO, "models", "cache"))
    parser.add_argument("--onnx-from", default=None,
                        help="folder with the fixtures' <name>.onnx and <name>.expected.json, read only (default: --out)")
    parser.add_argument("--models", default="", help="comma-separated names (default: every fixture model)")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    out_dir = os.path.join(os.path.abspath(args.out), "memory")
    onnx_dir = os.path.abspath(args.onnx_from or args.out)
    os.makedirs(out_dir, exist_ok=True)
    wanted = [m for m in export_models.MODELS if not args.models or m[0] in args.models.split(",")]
    started_all = time.time()
    for spec in wanted:
        name = spec[0]
        path = os.path.join(out_dir, f"{name}.memory.json")
        key = key_for(name)
        if not args.force and os.path.isfile(path):
            try:
                with open(path) as f:
                    if json.load(f).get("key") == key:
                        print(f"{name:20s} cached")
                        continue
            except (OSError, ValueError):
                pass
        started = time.time()
        model = build(spec)
        seconds = {}

        def timed(part, compute):
            begun = time.time()
            value = compute()
            seconds[part] = round(time.time() - begun, 1)
            return value

        figures = {"model": name, "key": key, "torch": torch.__version__, "inputShape": list(spec[3]),
                   "peakInferenceBytes": timed("peakInference", lambda: peak_inference(spec, model))}
        batches = (1, 8) if spec[1] == "core" else (1,)
        figures["savedBytes"] = {str(b): timed(f"saved{b}", lambda b=b: saved_bytes(spec, model, b)) for b in batches}
        if name in TRAINING_MODELS:
            figures["trainingPeakBytes"] = {
                opt: timed(f"training_{opt}", lambda make=make: training_peak(spec, build(spec), make))
                for opt, make in OPTIMIZERS.items()}
        if bn_folded(onnx_dir, name):
            # After the figures that need the BatchNorms: it fuses them into the convs in place.
            folded, pairs = timed("peakInferenceFolded",
                                  lambda: peak_inference_folded(spec, model, os.path.join(onnx_dir, f"{name}.onnx")))
            figures["peakInferenceBytesFolded"] = folded
            figures["foldedPairs"] = pairs
        if name in RF_MODELS:
            # Last: it overwrites the weights with constants.
            figures["receptiveField"] = timed("receptiveField", lambda: receptive_fields(model, spec[3]))
        figures["seconds"] = seconds
        del model
        gc.collect()  # the next model's peak must not share the process with this one's tensors
        export_models.write_json(path, figures)
        saved = figures.get("savedBytes", {}).get("1")
        print(f"{name:20s} {time.time() - started:6.1f} s  peak {figures['peakInferenceBytes']:>12,} B"
              + (f"  saved@1 {saved:>12,} B" if saved is not None else ""), flush=True)
    for name, cls, input_shape in RF_NETS:
        if args.models and name not in args.models.split(","):
            continue
        path = os.path.join(out_dir, f"{name}.memory.json")
        key = key_for(name)
        if not args.force and os.path.isfile(path) and os.path.isfile(os.path.join(out_dir, f"{name}.traced.pt")):
            try:
                with open(path) as f:
                    if json.load(f).get("key") == key:
                        print(f"{name:20s} cached")
                        continue
            except (OSError, ValueError):
                pass
        figures = rf_net_figures(out_dir, name, cls, input_shape)
        figures["key"] = key
        export_models.write_json(path, figures)
        print(f"{name:20s} receptive fields of {len(figures['receptiveField'])} layers", flush=True)
    print(f"{'total':20s} {time.time() - started_all:6.1f} s  into {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
