#!/usr/bin/env python3
"""Exports Tally's fixture models with real PyTorch, and PyTorch's own figures beside them.

Run with Debian's python3 (python3-torch, python3-torchvision, python3-onnx):

    /usr/bin/python3 scripts/export_models.py [--out DIR] [--set core|coverage|all] [--models a,b] [--force]

DIR defaults to $TALLY_FIXTURES, else models/cache/ under the repository. The layout and the
<name>.expected.json schema are the ones documented in src/test/java/dev/tally/testing/Fixtures.java:

    index.json                 {"models": [...all...], "core": [...], "coverage": [...], "torch": "...", ...}
    <name>.onnx                torch.onnx.export, symbolic batch; STRUCTURE-ONLY for the coverage set
                               (external data, data file deleted)
    <name>.traced.pt           torch.jit.trace
    <name>.scripted.pt         torch.jit.script (null in "files" with "scriptError" when PyTorch cannot)
    <name>.pth                 torch.save(model.state_dict())
    <name>.expected.json       params, buffers, MACs, per-module output shapes from forward hooks

The core set gets every form. The coverage set (one model per torchvision classification family,
for op coverage) gets the structure-only ONNX file and the figures, and the TorchScript and
state_dict forms only when its weights are small (< 60 MB), to keep the cache and CI time small.

MACs follow docs/conventions (shared/reference/conventions.md): they are counted below autograd,
on the aten ops that do multiply-accumulates (convolution, mm, addmm, bmm, baddbmm), so that
Linear layers whose module is bypassed (nn.MultiheadAttention calls F.linear on its weights) and
the attention products of ViT and Swin are counted too. Conv is numel(Y) * Cin/g * prod(k), Linear
numel(Y) * in_features, a matmul numel(Y) * contracted dim. For every Conv and Linear module the
aten count is checked against the module formula, and torchvision's published figures for alexnet,
vgg16 and resnet50 are asserted.

Re-entrant: a lock file serialises concurrent runs, every file is written into a temporary folder
inside DIR and renamed into place, <name>.expected.json last (it marks the model complete). A model
is skipped when its expected.json carries the current export key; the whole run is skipped when
DIR/stamp holds sha256(script + model list + torch version).
"""

import argparse
import fcntl
import hashlib
import json
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
from torch.utils._python_dispatch import TorchDispatchMode

SCRIPT = os.path.abspath(__file__)
REPO = os.path.dirname(os.path.dirname(SCRIPT))

# Weights above this many bytes are not written as TorchScript/state_dict for the coverage set.
CHEAP_BYTES = 60 * 1000 * 1000

# torchvision's published multiply-accumulate figures (their "GFLOPS" column), in MACs.
PUBLISHED_MACS = {
    "alexnet": 714188480,
    "vgg16": 15470264320,
    "resnet50": 4089184256,
}


def worksheet():
    """The worksheet's AlexNet-like network (shared/reference/worksheet-alexnet.md), 21 flat modules."""
    return nn.Sequential(
        nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),      # 0
        nn.ReLU(inplace=True),                                      # 1
        nn.MaxPool2d(kernel_size=2, stride=2, padding=0),           # 2
        nn.Conv2d(64, 192, kernel_size=5, stride=1, padding=2),     # 3
        nn.ReLU(inplace=True),                                      # 4
        nn.MaxPool2d(kernel_size=2, stride=2, padding=0),           # 5
        nn.Conv2d(192, 384, kernel_size=3, stride=1, padding=1),    # 6
        nn.ReLU(inplace=True),                                      # 7
        nn.Conv2d(384, 256, kernel_size=3, stride=1, padding=1),    # 8
        nn.ReLU(inplace=True),                                      # 9
        nn.Conv2d(256, 256, kernel_size=3, stride=1, padding=1),    # 10
        nn.ReLU(inplace=True),                                      # 11
        nn.MaxPool2d(kernel_size=4, stride=2, padding=0),           # 12
        nn.Dropout(),                                               # 13
        nn.Flatten(),                                               # 14
        nn.Linear(9216, 4096),                                      # 15
        nn.ReLU(inplace=True),                                      # 16
        nn.Dropout(),                                               # 17
        nn.Linear(4096, 4096),                                      # 18
        nn.ReLU(inplace=True),                                      # 19
        nn.Linear(4096, 1000),                                      # 20
    )


class LeNet5(nn.Module):
    """Classic LeNet-5 (LeCun et al. 1998) with tanh and average pooling, for 1x32x32 inputs."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5)
        self.act1 = nn.Tanh()
        self.pool1 = nn.AvgPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.act2 = nn.Tanh()
        self.pool2 = nn.AvgPool2d(kernel_size=2, stride=2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.act3 = nn.Tanh()
        self.fc2 = nn.Linear(120, 84)
        self.act4 = nn.Tanh()
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = self.pool1(self.act1(self.conv1(x)))
        x = self.pool2(self.act2(self.conv2(x)))
        x = self.flatten(x)
        x = self.act3(self.fc1(x))
        x = self.act4(self.fc2(x))
        return self.fc3(x)


def tv(name, **kwargs):
    return lambda: getattr(torchvision.models, name)(weights=None, **kwargs)


# (name, set, builder, input shape, ONNX opset). Order is the order of index.json.
MODELS = [
    ("worksheet", "core", worksheet, (1, 3, 227, 227), 13),
    ("lenet5", "core", LeNet5, (1, 1, 32, 32), 13),
    ("alexnet", "core", tv("alexnet"), (1, 3, 224, 224), 13),
    ("vgg11", "core", tv("vgg11"), (1, 3, 224, 224), 13),
    ("vgg16", "core", tv("vgg16"), (1, 3, 224, 224), 13),
    ("vgg16_bn", "core", tv("vgg16_bn"), (1, 3, 224, 224), 13),
    ("vgg19", "core", tv("vgg19"), (1, 3, 224, 224), 13),
    ("resnet18", "core", tv("resnet18"), (1, 3, 224, 224), 13),
    ("resnet50", "core", tv("resnet50"), (1, 3, 224, 224), 13),
    ("googlenet", "core", tv("googlenet", aux_logits=False, init_weights=False), (1, 3, 224, 224), 13),
    ("squeezenet1_1", "core", tv("squeezenet1_1"), (1, 3, 224, 224), 13),
    ("mobilenet_v2", "core", tv("mobilenet_v2"), (1, 3, 224, 224), 13),
    ("densenet121", "core", tv("densenet121"), (1, 3, 224, 224), 13),
    ("inception_v3", "coverage", tv("inception_v3", aux_logits=False, init_weights=False), (1, 3, 299, 299), 13),
    ("resnext50_32x4d", "coverage", tv("resnext50_32x4d"), (1, 3, 224, 224), 13),
    ("wide_resnet50_2", "coverage", tv("wide_resnet50_2"), (1, 3, 224, 224), 13),
    ("shufflenet_v2_x1_0", "coverage", tv("shufflenet_v2_x1_0"), (1, 3, 224, 224), 13),
    ("mnasnet1_0", "coverage", tv("mnasnet1_0"), (1, 3, 224, 224), 13),
    ("mobilenet_v3_large", "coverage", tv("mobilenet_v3_large"), (1, 3, 224, 224), 13),
    ("efficientnet_b0", "coverage", tv("efficientnet_b0"), (1, 3, 224, 224), 13),
    ("regnet_y_400mf", "coverage", tv("regnet_y_400mf"), (1, 3, 224, 224), 13),
    # LayerNormalization exists from opset 17 on; older opsets decompose it into a dozen nodes.
    ("convnext_tiny", "coverage", tv("convnext_tiny"), (1, 3, 224, 224), 17),
    ("vit_b_16", "coverage", tv("vit_b_16"), (1, 3, 224, 224), 17),
    ("swin_t", "coverage", tv("swin_t"), (1, 3, 224, 224), 17),
    ("squeezenet1_0", "coverage", tv("squeezenet1_0"), (1, 3, 224, 224), 13),
]


def sha256_text(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def script_bytes():
    with open(SCRIPT, "rb") as f:
        return f.read()


class MacCounter(TorchDispatchMode):
    """Counts multiply-accumulates of the aten ops that have them, charged to the innermost running module."""

    def __init__(self, stack):
        super().__init__()
        self.stack = stack
        self.total = 0
        self.by_module = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = func.overloadpacket.__name__
        macs = 0
        if name == "convolution":
            # weight is [Cout, Cin/g, k...] (or [Cin, Cout/g, k...] when transposed): per output
            # (per input when transposed) element, prod(weight.shape[1:]) multiply-accumulates.
            weight, transposed = args[1], args[6]
            per = math.prod(weight.shape[1:])
            macs = (args[0].numel() if transposed else out.numel()) * per
        elif name in ("mm", "bmm", "matmul"):
            macs = out.numel() * args[0].shape[-1]
        elif name in ("addmm", "baddbmm", "addbmm"):
            macs = out.numel() * args[1].shape[-1]
        if macs:
            self.total += macs
            owner = self.stack[-1] if self.stack else ""
            self.by_module[owner] = self.by_module.get(owner, 0) + macs
        return out


def module_formula_macs(module, output):
    """The conventions' formula for one Conv or Linear call, from the module's own settings."""
    if isinstance(module, nn.modules.conv._ConvNd):
        if module.transposed:
            return None
        return output.numel() * (module.in_channels // module.groups) * math.prod(module.kernel_size)
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    return None


def run_hooks(name, model, x):
    """Runs the model once with forward hooks on every named module; returns modules, output, MACs."""
    records = {}
    order = []
    stack = []
    handles = []
    formula = {}

    def pre_hook(path):
        def hook(module, inputs):
            stack.append(path)
        return hook

    def post_hook(path):
        def hook(module, inputs, output):
            stack.pop()
            if path not in records:
                records[path] = {"name": path, "type": type(module).__name__, "outputShape": None,
                                 "params": sum(p.numel() for p in module.parameters()), "calls": 0}
                order.append(path)
            record = records[path]
            record["calls"] += 1
            record["outputShape"] = list(output.shape) if isinstance(output, torch.Tensor) else None
            if isinstance(output, torch.Tensor):
                macs = module_formula_macs(module, output)
                if macs is not None:
                    formula[path] = formula.get(path, 0) + macs
        return hook

    for path, module in model.named_modules():
        if path == "":
            continue
        handles.append(module.register_forward_pre_hook(pre_hook(path)))
        handles.append(module.register_forward_hook(post_hook(path)))
    counter = MacCounter(stack)
    try:
        # Gradients stay enabled on purpose: under no_grad nn.MultiheadAttention takes a fused fast
        # path (_native_multi_head_attention) whose products would be invisible to the counter.
        with counter:
            output = model(x)
    finally:
        for handle in handles:
            handle.remove()
    for path, macs in formula.items():
        counted = counter.by_module.get(path, 0)
        if counted != macs:
            raise AssertionError(f"{name}: module '{path}' has {counted} MACs from aten ops but {macs} by the Conv/Linear formula.")
    modules = []
    for path in order:
        record = records[path]
        # MACs of the module's whole subtree, so a parent's figure is comparable with a folded report row.
        record["macs"] = sum(v for k, v in counter.by_module.items() if k == path or k.startswith(path + "."))
        modules.append(record)
    return modules, output, counter.total, sum(formula.values())


def write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def onnx_facts(path, model_bn_count):
    proto = onnx.load(path, load_external_data=False)
    bn_nodes = sum(1 for n in proto.graph.node if n.op_type == "BatchNormalization")
    float_elements = sum(math.prod(t.dims) for t in proto.graph.initializer
                         if t.data_type == onnx.TensorProto.FLOAT)
    return proto, {
        "opset": next((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), None),
        "bnFolded": model_bn_count > 0 and bn_nodes < model_bn_count,
        "batchNormModules": model_bn_count,
        "batchNormNodes": bn_nodes,
        "initializerElements": float_elements,
        "nodes": len(proto.graph.node),
    }


def export_model(spec, out_dir, tmp_dir, export_key):
    name, model_set, build, input_shape, opset = spec
    started = time.time()
    torch.manual_seed(0)
    model = build()
    model.eval()
    x = torch.randn(*input_shape)
    notes = []

    params = sum(p.numel() for p in model.parameters())
    buffers = sum(b.numel() for b in model.buffers())
    num_batches_tracked = sum(b.numel() for n, b in model.named_buffers() if n.endswith("num_batches_tracked"))
    param_bytes = sum(p.numel() * p.element_size() for p in model.parameters()) + \
        sum(b.numel() * b.element_size() for b in model.buffers())
    bn_count = sum(1 for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm))

    modules, output, macs, conv_linear_macs = run_hooks(name, model, x)
    if not isinstance(output, torch.Tensor):
        raise AssertionError(f"{name}: the model returned {type(output).__name__}, not one tensor.")
    if name in PUBLISHED_MACS and macs != PUBLISHED_MACS[name]:
        raise AssertionError(f"{name}: {macs} MACs, torchvision publishes {PUBLISHED_MACS[name]}.")
    output_shape = list(output.shape)
    del output

    full = model_set == "core" or param_bytes < CHEAP_BYTES
    files = {"onnx": None, "traced": None, "scripted": None, "stateDict": None}
    timings = {}
    structure_only = model_set != "core"

    # ONNX.
    t0 = time.time()
    onnx_file = f"{name}.onnx"
    onnx_tmp = os.path.join(tmp_dir, onnx_file)
    with torch.no_grad():
        torch.onnx.export(model, x, onnx_tmp, opset_version=opset, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=True)
    proto, facts = onnx_facts(onnx_tmp, bn_count)
    facts["structureOnly"] = structure_only
    facts["externalData"] = None
    if structure_only:
        location = f"{name}.onnx.data"
        os.remove(onnx_tmp)
        onnx.save_model(proto, onnx_tmp, save_as_external_data=True, all_tensors_to_external_data=True,
                        location=location)
        os.remove(os.path.join(tmp_dir, location))
        facts["externalData"] = location
    del proto
    files["onnx"] = onnx_file
    timings["onnx"] = round(time.time() - t0, 2)

    script_error = None
    if full:
        t0 = time.time()
        with torch.no_grad():
            traced = torch.jit.trace(model, x, check_trace=False)
        torch.jit.save(traced, os.path.join(tmp_dir, f"{name}.traced.pt"))
        del traced
        files["traced"] = f"{name}.traced.pt"
        timings["traced"] = round(time.time() - t0, 2)

        t0 = time.time()
        try:
            scripted = torch.jit.script(model)
            torch.jit.save(scripted, os.path.join(tmp_dir, f"{name}.scripted.pt"))
            del scripted
            files["scripted"] = f"{name}.scripted.pt"
        except Exception as e:  # noqa: BLE001 - any scripting failure is a fact to record, not a crash
            script_error = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
        timings["scripted"] = round(time.time() - t0, 2)

        t0 = time.time()
        torch.save(model.state_dict(), os.path.join(tmp_dir, f"{name}.pth"))
        files["stateDict"] = f"{name}.pth"
        timings["stateDict"] = round(time.time() - t0, 2)
    else:
        notes.append(f"weights are {param_bytes} bytes (>= {CHEAP_BYTES}): only the structure-only ONNX file is written")

    expected = {
        "name": name,
        "set": model_set,
        "inputShape": list(input_shape),
        "outputShape": output_shape,
        "params": params,
        "buffers": buffers,
        "numBatchesTracked": num_batches_tracked,
        "paramBytes": param_bytes,
        "macs": macs,
        "convLinearModuleMacs": conv_linear_macs,
        "modules": modules,
        "files": files,
        "scriptError": script_error,
        "onnx": facts,
        "notes": notes,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "exportKey": export_key,
        "exportSeconds": None,
    }
    for form, file_name in files.items():
        if file_name is not None:
            os.replace(os.path.join(tmp_dir, file_name), os.path.join(out_dir, file_name))
    expected["exportSeconds"] = round(time.time() - started, 2)
    expected["timings"] = timings
    write_json(os.path.join(out_dir, f"{name}.expected.json"), expected)
    return expected


def main():
    parser = argparse.ArgumentParser(description="Export Tally's fixture models with real PyTorch.")
    parser.add_argument("--out", default=os.environ.get("TALLY_FIXTURES") or os.path.join(REPO, "models", "cache"))
    parser.add_argument("--set", choices=["all", "core", "coverage"], default="all")
    parser.add_argument("--models", default="", help="comma-separated names (default: the whole set)")
    parser.add_argument("--force", action="store_true", help="export again even when cached")
    args = parser.parse_args()

    warnings.filterwarnings("ignore")
    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    names = [m[0] for m in MODELS]
    wanted = [m for m in MODELS if args.set == "all" or m[1] == args.set]
    if args.models:
        unknown = [n for n in args.models.split(",") if n not in names]
        if unknown:
            sys.exit(f"Unknown model '{unknown[0]}'. Use some of: {', '.join(names)}.")
        wanted = [m for m in wanted if m[0] in args.models.split(",")]

    source = script_bytes()
    stamp = sha256_text(source, ",".join(names), torch.__version__)
    stamp_path = os.path.join(out_dir, "stamp")

    with open(os.path.join(out_dir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        full_run = len(wanted) == len(MODELS)
        if full_run and not args.force and os.path.isfile(stamp_path):
            with open(stamp_path) as f:
                if f.read().strip() == stamp:
                    print(f"fixtures in {out_dir} are up to date (stamp {stamp[:12]})")
                    return 0
        tmp_dir = os.path.join(out_dir, f".tmp-export-{os.getpid()}")
        shutil.rmtree(tmp_dir, ignore_errors=True)
        os.makedirs(tmp_dir)
        failures = []
        total_started = time.time()
        try:
            for spec in wanted:
                name = spec[0]
                key = sha256_text(source, name, torch.__version__)
                if not args.force and is_cached(out_dir, name, key):
                    print(f"{name:20s} cached")
                    continue
                started = time.time()
                try:
                    expected = export_model(spec, out_dir, tmp_dir, key)
                except Exception as e:  # noqa: BLE001 - report and go on with the other models
                    failures.append(name)
                    print(f"{name:20s} FAILED after {time.time() - started:.1f} s: {type(e).__name__}: {e}", flush=True)
                    continue
                write_index(out_dir)  # colleagues can test the models made so far
                made = ", ".join(k for k, v in expected["files"].items() if v)
                extra = f"  scriptError: {expected['scriptError']}" if expected["scriptError"] else ""
                print(f"{name:20s} {time.time() - started:7.1f} s  params {expected['params']:>11,}  "
                      f"MACs {expected['macs']:>15,}  [{made}]{extra}", flush=True)
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        write_index(out_dir)
        print(f"{'total':20s} {time.time() - total_started:7.1f} s  into {out_dir}")
        if failures:
            print(f"failed: {', '.join(failures)}", file=sys.stderr)
            return 1
        if full_run or all(is_cached(out_dir, m[0], sha256_text(source, m[0], torch.__version__)) for m in MODELS):
            write_text(stamp_path, stamp + "\n")
    return 0


def is_cached(out_dir, name, key):
    path = os.path.join(out_dir, f"{name}.expected.json")
    if not os.path.isfile(path):
        return False
    try:
        with open(path) as f:
            expected = json.load(f)
    except (OSError, ValueError):
        return False
    if expected.get("exportKey") != key:
        return False
    return all(os.path.isfile(os.path.join(out_dir, v)) for v in expected.get("files", {}).values() if v)


def write_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def write_index(out_dir):
    """index.json lists the models whose expected.json is present, in this script's order."""
    present = [m for m in MODELS if os.path.isfile(os.path.join(out_dir, f"{m[0]}.expected.json"))]
    write_json(os.path.join(out_dir, "index.json"), {
        "models": [m[0] for m in present],
        "core": [m[0] for m in present if m[1] == "core"],
        "coverage": [m[0] for m in present if m[1] == "coverage"],
        "structureOnlyOnnx": [m[0] for m in present if m[1] == "coverage"],
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "onnx": onnx.__version__,
    })


if __name__ == "__main__":
    sys.exit(main())
