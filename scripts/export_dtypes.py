#!/usr/bin/python3
"""Writes the dtype fixtures of issue 11 into $TALLY_FIXTURES/dtypes/ with PyTorch's own figures beside them.

Usage: /usr/bin/python3 scripts/export_dtypes.py --out FIXTURES_DIR

Half precision (torchvision resnet18, random weights, seed 0):
- resnet18_half.scripted.pt: torch.jit.script(model.half()).
- resnet18_half.traced.pt: torch.jit.trace(model) of the float32 model, then .half() on the traced module (PyTorch
  1.13 has no float16 convolution on the CPU, so a float16 model cannot run to be traced; the traced graph of
  resnet18 has no dtype in it, and ScriptModule.half() converts its parameters and buffers as Module.half() does).
- resnet18_half.expected.json: the figures below, measured on the meta device (float16 tensors carry their dtype
  and element_size() there without any arithmetic) and checked against the float32 model measured on the CPU.

Quantized classifiers (torchvision.models.quantization, weights=None, quantize=False, seed 0), by PyTorch's eager
post-training quantization: eval, fuse_model(), qconfig = get_default_qconfig(engine), prepare, one calibration
forward of a random batch of 2, convert; engine 'qnnpack' (this PyTorch build has no fbgemm). Then
<name>_quantized.scripted.pt and <name>_quantized.traced.pt, each or its PyTorch error in the JSON.

Every <name>.expected.json:
- params: elements of the tensors of state_dict() that are the model's weights and biases: quantized modules keep
  their weights in packed params objects (a packed tuple in the state_dict, flattened here) and not as
  nn.Parameters, so model.parameters() would miss them; the per-module scale and zero_point, which quantized
  modules hold as Python numbers and state_dict() writes as 0-d tensors, are left out (they are not tensors in
  the model, nor in its TorchScript archive); buffers are counted apart.
- buffers: sum(b.numel() for b in model.buffers()); paramBytes: numel * element_size() of both.
- stateDictElements: every tensor element of state_dict(), scale and zero_point numbers included, for the record.
- macs: forward hooks on the convolution and linear modules (quantized or float): numel(Y) * Cin/g * prod(k),
  numel(Y) * in_features.
- activationBytes: under a TorchDispatchMode, the bytes (numel * element_size()) of every tensor an aten or
  quantized op returns that its schema does not declare as aliasing an input (views and in-place ops allocate
  nothing); max_pool2d_with_indices and native_batch_norm count their first output only, the one max_pool2d and
  batch_norm return (FIRST_OUTPUT_ONLY below). This is
  docs/conventions.md's activation memory, as PyTorch itself declares it.
- outputShape, outputDtype, and modules: every named module that ran, in first-call order, with its class name,
  output shape and dtype of its last call.

Cache: the folder is reused when stamp holds the hash of this script and the torch version.
"""
import argparse
import copy
import hashlib
import json
import os
import shutil
import sys
import time
import traceback

import torch
import torchvision
from torch.utils._python_dispatch import TorchDispatchMode

ENGINE = "qnnpack"
# The quantizable classifiers exported; (name, input side). resnext101_32x8d (88.8 M params) is left out for its cost.
QUANTIZED = [("resnet18", 224), ("mobilenet_v2", 224), ("googlenet", 224), ("shufflenet_v2_x1_0", 224),
             ("mobilenet_v3_large", 224), ("resnet50", 224), ("inception_v3", 299)]


# Ops whose later outputs the calling function drops: max_pool2d returns max_pool2d_with_indices' values only, and
# batch_norm in inference returns native_batch_norm's output only (its saved mean and inverse std are empty on the
# CPU, sized C on the meta device).
FIRST_OUTPUT_ONLY = {torch.ops.aten.max_pool2d_with_indices, torch.ops.aten.native_batch_norm}


class Allocations(TorchDispatchMode):
    """Sums the bytes of the tensors ops return that alias no input, by each op's own schema."""

    def __init__(self):
        super().__init__()
        self.bytes = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        results = out if isinstance(out, (tuple, list)) else [out]
        returns = func._schema.returns
        for i, (result, declared) in enumerate(zip(results, returns)):
            if not isinstance(result, torch.Tensor) or declared.alias_info is not None:
                continue
            if func.overloadpacket in FIRST_OUTPUT_ONLY and i > 0:
                continue
            self.bytes += result.numel() * result.element_size()
        return out


def observe(model, x):
    """Runs model(x) under no_grad, returning (output, activation bytes, modules that ran, MACs)."""
    modules, order, macs = {}, [], [0]
    conv_types = (torch.nn.Conv2d, torch.ao.nn.quantized.Conv2d)
    linear_types = (torch.nn.Linear, torch.ao.nn.quantized.Linear)

    def hook(name):
        def record(module, inputs, output):
            if name not in modules:
                order.append(name)
            row = {"name": name, "type": type(module).__name__, "outputShape": None, "outputDtype": None}
            if isinstance(output, torch.Tensor):
                row["outputShape"] = list(output.shape)
                row["outputDtype"] = str(output.dtype).replace("torch.", "")
                if isinstance(module, conv_types):
                    kh, kw = module.kernel_size
                    macs[0] += output.numel() * (module.in_channels // module.groups) * kh * kw
                elif isinstance(module, linear_types):
                    macs[0] += output.numel() * module.in_features
            modules[name] = row
        return record

    handles = [m.register_forward_hook(hook(n)) for n, m in model.named_modules() if n]
    try:
        with torch.no_grad(), Allocations() as allocations:
            y = model(x)
    finally:
        for h in handles:
            h.remove()
    return y, allocations.bytes, [modules[n] for n in order], macs[0]


def tensors_of(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in tensors_of(v)]
    return []


def counts(model):
    """params, buffers, paramBytes and stateDictElements as the module docstring defines them."""
    buffer_names = {n for n, _ in model.named_buffers()}
    params = param_bytes = all_elements = 0
    for key, value in model.state_dict().items():
        tensors = tensors_of(value)
        all_elements += sum(t.numel() for t in tensors)
        if key in buffer_names:
            continue
        path, _, attr = key.rpartition(".")
        owner = model.get_submodule(path) if path else model
        if isinstance(getattr(owner, attr, None), (int, float)) and not isinstance(getattr(owner, attr), bool):
            continue  # a quantized module's scale or zero_point: a Python number in the model
        params += sum(t.numel() for t in tensors)
        param_bytes += sum(t.numel() * t.element_size() for t in tensors)
    buffers = list(model.buffers())
    return {"params": params, "buffers": sum(b.numel() for b in buffers),
            "paramBytes": param_bytes + sum(b.numel() * b.element_size() for b in buffers),
            "stateDictElements": all_elements}


def figures(model, x, what):
    y, activation, modules, macs = observe(model, x)
    result = {"model": what, "torch": torch.__version__, "torchvision": torchvision.__version__,
              "inputShape": list(x.shape), "inputDtype": str(x.dtype).replace("torch.", ""),
              "outputShape": list(y.shape), "outputDtype": str(y.dtype).replace("torch.", ""),
              "macs": macs, "activationBytes": activation}
    result.update(counts(model))
    result["modules"] = modules
    return result


def save(out, name, make):
    """Saves make()'s TorchScript module as name; returns None, or PyTorch's error when it fails."""
    try:
        torch.jit.save(make(), os.path.join(out, name))
        return None
    except Exception as e:  # PyTorch's own refusal, recorded in the JSON
        return f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"


def half_resnet18(out):
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval()
    x = torch.randn(1, 3, 224, 224)
    float_cpu = figures(model, x, "resnet18 float32 on the CPU")
    float_meta = figures(copy.deepcopy(model).to("meta"), x.to("meta"), "resnet18 float32 on meta")
    if float_cpu["activationBytes"] != float_meta["activationBytes"]:
        raise SystemExit(f"meta and CPU disagree on resnet18's activation bytes: {float_meta['activationBytes']} vs"
                         f" {float_cpu['activationBytes']}")
    half = copy.deepcopy(model).half()
    errors = {
        "scripted": save(out, "resnet18_half.scripted.pt", lambda: torch.jit.script(half)),
        "traced": save(out, "resnet18_half.traced.pt", lambda: torch.jit.trace(copy.deepcopy(model), x).half()),
    }
    expected = figures(copy.deepcopy(half).to("meta"), x.half().to("meta"), "resnet18 float16 (model.half()) on meta")
    expected["float32ActivationBytes"] = float_cpu["activationBytes"]
    expected["float32ParamBytes"] = float_cpu["paramBytes"]
    expected["files"] = {form: None if errors[form] else f"resnet18_half.{form}.pt" for form in errors}
    expected["errors"] = errors
    with open(os.path.join(out, "resnet18_half.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    return expected


def quantized(out, name, side):
    torch.manual_seed(0)
    builder = getattr(torchvision.models.quantization, name)
    kwargs = {"init_weights": True} if name in ("googlenet", "inception_v3") else {}
    model = builder(weights=None, quantize=False, **kwargs).eval()
    model.fuse_model()
    model.qconfig = torch.ao.quantization.get_default_qconfig(ENGINE)
    torch.ao.quantization.prepare(model, inplace=True)
    with torch.no_grad():
        model(torch.randn(2, 3, side, side))
    torch.ao.quantization.convert(model, inplace=True)
    x = torch.randn(1, 3, side, side)
    expected = figures(model, x, f"torchvision.models.quantization.{name}, quantized ({ENGINE})")
    errors = {
        "scripted": save(out, f"{name}_quantized.scripted.pt", lambda: torch.jit.script(model)),
        "traced": save(out, f"{name}_quantized.traced.pt", lambda: torch.jit.trace(model, x)),
    }
    expected["files"] = {form: None if errors[form] else f"{name}_quantized.{form}.pt" for form in errors}
    expected["errors"] = errors
    expected["engine"] = ENGINE
    with open(os.path.join(out, f"{name}_quantized.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    return expected


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    out = os.path.join(parser.parse_args().out, "dtypes")
    with open(__file__, "rb") as source:
        key = hashlib.sha256(source.read() + torch.__version__.encode()).hexdigest()
    stamp = os.path.join(out, "stamp")
    if os.path.exists(stamp) and open(stamp).read().strip() == key:
        print(f"dtype fixtures in {out} are up to date")
        return 0
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    torch.backends.quantized.engine = ENGINE
    start = time.time()
    half = half_resnet18(out)
    print(f"dtypes: resnet18 float16 activation bytes {half['activationBytes']:,}"
          f" (float32 {half['float32ActivationBytes']:,}), files {half['files']}")
    failed = []
    for name, side in QUANTIZED:
        try:
            expected = quantized(out, name, side)
            print(f"dtypes: {name} quantized: params {expected['params']:,}, MACs {expected['macs']:,},"
                  f" errors {expected['errors']}")
        except Exception:
            traceback.print_exc()
            failed.append(name)
    if failed:
        print(f"dtypes: quantizing {', '.join(failed)} failed", file=sys.stderr)
        return 1
    print(f"dtype fixtures in {out} ({time.time() - start:.1f} s)")
    with open(stamp, "w") as f:
        f.write(key + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
