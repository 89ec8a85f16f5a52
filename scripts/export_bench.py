#!/usr/bin/env python3
"""Complete ONNX files (weights inline) of the benchmark's large models, for onnx-tool (issue 13).

    /usr/bin/python3 scripts/export_bench.py [--out DIR] [--models swin_t,vit_b_16] [--force]

scripts/export_models.py keeps swin_t and vit_b_16 structure-only (their weights are 110 and 330 MB,
and Tally never reads weights), but onnx-tool loads every initializer and fails on the missing
.onnx.data file. This writes DIR/bench/<name>.onnx (DIR defaults to $TALLY_FIXTURES, else
models/cache/) for those models, built and exported exactly as export_models.py builds and exports
them (its MODELS entry: builder, input shape, opset; seed 0, make_values_distinct, eval mode, the
same torch.onnx.export arguments), with the weights inside the file. scripts/bench runs this
before its onnx-tool pairs; the tests do not need these files.

Each model has DIR/bench/<name>.onnx.key: sha256 of this script, export_models.py and the torch
version; a model whose key matches is skipped. Cold cost, measured on the shared 2-core machine under
load: 6 min wall, 47 s CPU, 2.2 GB peak RSS, 462 MB of files (swin_t 116 MB, vit_b_16 347 MB).
"""

import argparse
import hashlib
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models  # noqa: E402 - the same model definitions, seeding, shapes and opsets as the fixtures

SCRIPT = os.path.abspath(__file__)
DEFAULT_MODELS = ("swin_t", "vit_b_16")


def key():
    digest = hashlib.sha256()
    for path in (SCRIPT, export_models.SCRIPT):
        with open(path, "rb") as f:
            digest.update(f.read())
    digest.update(torch.__version__.encode())
    return digest.hexdigest()


def export(spec, path):
    name, _, build, input_shape, opset = spec
    torch.manual_seed(0)
    model = build()
    model.eval()
    export_models.make_values_distinct(model)
    x = torch.randn(*input_shape)
    tmp = path + ".tmp"
    # As export_models.export_model does (not under no_grad: see its note on vit's attention).
    torch.onnx.export(model, x, tmp, opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=True)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = os.environ.get("TALLY_FIXTURES") or os.path.join(
        os.path.dirname(os.path.dirname(SCRIPT)), "models", "cache")
    parser.add_argument("--out", default=default_out)
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()

    specs = {spec[0]: spec for spec in export_models.MODELS}
    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names if n not in specs]
    if unknown:
        sys.exit(f"export_bench.py: no model {', '.join(unknown)} in export_models.MODELS; use some of: "
                 + ", ".join(specs) + ".")
    out_dir = os.path.join(args.out, "bench")
    os.makedirs(out_dir, exist_ok=True)
    current = key()
    for name in names:
        path = os.path.join(out_dir, f"{name}.onnx")
        key_path = path + ".key"
        if not args.force and os.path.isfile(path) and os.path.isfile(key_path):
            with open(key_path) as f:
                if f.read().strip() == current:
                    continue
        started = time.time()
        export(specs[name], path)
        with open(key_path, "w") as f:
            f.write(current + "\n")
        print(f"bench/{name}.onnx: {os.path.getsize(path) / 1e6:.0f} MB in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
