#!/usr/bin/env python3
"""PyTorch measuring its own memory, as the oracle for Tally's memory figures (issue 10).

    /usr/bin/python3 scripts/export_memory_oracle.py [--out DIR] [--models a,b] [--force]

Writes DIR/memory/<name>.memory.json (DIR defaults to $TALLY_FIXTURES, else models/cache/) for the
fixture models of scripts/export_models.py, built exactly as it builds them (its MODELS, seed 0,
make_values_distinct, eval mode, the same input shape):

    peakInferenceBytes   eval mode under torch.no_grad(), inside a TorchDispatchMode that tracks every
                         storage an op returns: keyed by the storage, reference-counted over the tensors
                         that share it (views, in-place results), freed when the last one is collected
                         (weakref finalizers on the tensors, as torch 1.13 makes a new Python storage
                         object each time it is asked). The input counts from the start, as the caller
                         holds it through the call. Peak of the live bytes after each op.
    savedBytes {"1","8"} (core set only: a train-mode forward at batch 8 of the large coverage models
                         is the slow part) train mode, torch.autograd.graph.saved_tensors_hooks: the bytes
                         of the unique storages packed during the forward pass, parameters and buffers
                         left out, at batch 1 and 8.
    trainingPeakBytes    (the small models of TRAINING_MODELS only: Adam over VGG's 138 M params takes
                         minutes on a shared 2-core machine) the dispatch tracker's peak over forward,
                         backward and one torch.optim.Adam step at batch 1, parameters, gradients and
                         optimizer state included.
    receptiveField       (lenet5 only: the fixtures made of conv, avg-pool and smooth activations only, so
                         that with positive constant weights every input a neuron depends on has a
                         non-zero gradient) per feature layer, for a few neurons, the first and last input
                         row and column with a non-zero gradient of that neuron.

Each file carries a key (sha256 of this script, the export script and the torch version); a model
whose file carries the current key is skipped. Cold cost, measured on the shared 2-core machine
while other work ran: see docs/conventions.md ("Memory", the oracle).
"""

import argparse
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
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models  # noqa: E402 - the same model definitions, seeding and input shapes as the fixtures

SCRIPT = os.path.abspath(__file__)
RF_MODELS = {"lenet5"}
TRAINING_MODELS = {"lenet5", "resnet18", "squeezenet1_1", "mobilenet_v2"}


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


def training_peak(spec, model):
    model.train()
    x = example(spec, 1)
    optimizer = torch.optim.Adam(model.parameters())
    tracker = StorageTracker()
    for p in list(model.parameters()) + list(model.buffers()):
        tracker.track(p)
    with tracker:
        tracker.track(x)
        out = model(x)
        loss = out.float().sum()
        del out
        loss.backward()
        del loss
        optimizer.step()
    return tracker.peak


def receptive_fields(spec, model):
    """Per feature layer of lenet5: for a few neurons, the input rows and columns with a non-zero gradient."""
    model.eval()
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(0.01)
    x = torch.ones(1, *spec[3][1:], requires_grad=True)
    layers = {}
    captured = {}
    for path, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.AvgPool2d)):
            module.register_forward_hook(lambda m, i, o, path=path: captured.__setitem__(path, o))
    model(x)
    for path, output in captured.items():
        h, w = output.shape[2], output.shape[3]
        neurons = []
        for i, j in {(0, 0), (h // 2, w // 2), (h - 1, w - 1)}:
            grad, = torch.autograd.grad(output[0, 0, i, j], x, retain_graph=True)
            support = grad[0].abs().sum(0).nonzero()
            neurons.append({"i": i, "j": j,
                            "rows": [int(support[:, 0].min()), int(support[:, 0].max())],
                            "cols": [int(support[:, 1].min()), int(support[:, 1].max())]})
        layers[path] = {"outputShape": list(output.shape), "neurons": sorted(neurons, key=lambda n: (n["i"], n["j"]))}
    return layers


def main():
    parser = argparse.ArgumentParser(description="PyTorch's own memory figures for the fixture models.")
    parser.add_argument("--out", default=os.environ.get("TALLY_FIXTURES") or os.path.join(export_models.REPO, "models", "cache"))
    parser.add_argument("--models", default="", help="comma-separated names (default: every fixture model)")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    out_dir = os.path.join(os.path.abspath(args.out), "memory")
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
        figures = {"model": name, "key": key, "torch": torch.__version__, "inputShape": list(spec[3]),
                   "peakInferenceBytes": peak_inference(spec, model)}
        if spec[1] == "core":
            figures["savedBytes"] = {str(b): saved_bytes(spec, model, b) for b in (1, 8)}
        if name in TRAINING_MODELS:
            figures["trainingPeakBytes"] = training_peak(spec, model)
        if name in RF_MODELS:
            # Last: it overwrites the weights with constants.
            figures["receptiveField"] = receptive_fields(spec, model)
        del model
        gc.collect()  # the next model's peak must not share the process with this one's tensors
        export_models.write_json(path, figures)
        saved = figures.get("savedBytes", {}).get("1")
        print(f"{name:20s} {time.time() - started:6.1f} s  peak {figures['peakInferenceBytes']:>12,} B"
              + (f"  saved@1 {saved:>12,} B" if saved is not None else ""), flush=True)
    print(f"{'total':20s} {time.time() - started_all:6.1f} s  into {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
