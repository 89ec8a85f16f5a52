#!/usr/bin/env python3
"""Writes safetensors fixtures into <fixtures>/safetensors/ from the fixture state_dicts, by hand.

    /usr/bin/python3 scripts/export_safetensors.py --out "$TALLY_FIXTURES"

The safetensors Python package is not available (no Debian package), so the files follow the published
format directly (huggingface/safetensors, README "Format"): an unsigned 64-bit little-endian header length N,
N bytes of UTF-8 JSON {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
"__metadata__": {"format": "pt"}} padded with spaces to a multiple of 8, then the tensors' bytes,
contiguous, in header order, offsets relative to the first byte after the header.

Made from <fixtures>/<name>.pth (written by scripts/export_models.py with real PyTorch):
- <name>.safetensors for each model in MODELS, float32 as saved, BatchNorm buffers included;
- lenet5.f16.safetensors, the same LeNet-5 weights as float16 (dtype F16);
- malformed/*.safetensors, each broken in one way the reader must refuse with one sentence (exit 2):
  overlapping.safetensors (two tensors share bytes), out_of_file.safetensors (an end past the buffer),
  header_past_end.safetensors (a header length larger than the file), duplicate_keys.safetensors (a
  tensor named twice in the JSON), unknown_dtype.safetensors (dtype "F12"), header_too_large.safetensors
  (a header length over the 100,000,000-byte limit).
The figures to compare with are PyTorch's own, in <fixtures>/<name>.expected.json.

Cached: <fixtures>/safetensors/stamp holds the hash of this script and the torch version; a matching stamp
skips the work. Cold cost on an idle machine: a few seconds and about 150 MB.
"""

import argparse
import hashlib
import json
import os
import struct
import sys

import torch

MODELS = ["lenet5", "resnet18", "mobilenet_v2", "squeezenet1_1", "densenet121", "efficientnet_b0"]

DTYPES = {
    torch.float32: "F32", torch.float16: "F16", torch.float64: "F64", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
    torch.bool: "BOOL",
}


def tensor_bytes(tensor):
    return tensor.detach().contiguous().cpu().numpy().tobytes()


def header_and_buffer(state_dict, metadata):
    header, chunks, offset = {}, [], 0
    for name, tensor in state_dict.items():
        data = tensor_bytes(tensor)
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    return header, b"".join(chunks)


def write(path, header_text, buffer, length=None):
    raw = header_text.encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw) if length is None else length))
        f.write(raw)
        f.write(buffer)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True, help="the fixture folder (scripts/export_models.py's --out)")
    args = parser.parse_args()
    out = os.path.join(args.out, "safetensors")
    with open(os.path.abspath(__file__), "rb") as f:
        key = hashlib.sha256(f.read() + torch.__version__.encode()).hexdigest()
    stamp = os.path.join(out, "stamp")
    if os.path.exists(stamp) and open(stamp).read().strip() == key:
        print("safetensors fixtures are up to date in", out)
        return 0
    os.makedirs(os.path.join(out, "malformed"), exist_ok=True)

    for name in MODELS:
        state_dict = torch.load(os.path.join(args.out, name + ".pth"), map_location="cpu")
        header, buffer = header_and_buffer(state_dict, {"format": "pt"})
        write(os.path.join(out, name + ".safetensors"), json.dumps(header), buffer)
        print("wrote", name + ".safetensors", len(header) - 1, "tensors")

    lenet = torch.load(os.path.join(args.out, "lenet5.pth"), map_location="cpu")
    half = {k: v.half() for k, v in lenet.items()}
    header, buffer = header_and_buffer(half, {"format": "pt", "dtype": "float16"})
    write(os.path.join(out, "lenet5.f16.safetensors"), json.dumps(header), buffer)

    header, buffer = header_and_buffer(lenet, None)
    names = list(header)
    bad = os.path.join(out, "malformed")

    overlapping = json.loads(json.dumps(header))
    overlapping[names[1]]["data_offsets"] = [overlapping[names[0]]["data_offsets"][1] - 4,
                                             overlapping[names[0]]["data_offsets"][1] - 4
                                             + (overlapping[names[1]]["data_offsets"][1]
                                                - overlapping[names[1]]["data_offsets"][0])]
    write(os.path.join(bad, "overlapping.safetensors"), json.dumps(overlapping), buffer)

    out_of_file = json.loads(json.dumps(header))
    last = out_of_file[names[-1]]["data_offsets"]
    out_of_file[names[-1]]["data_offsets"] = [last[0] + 64, last[1] + 64]
    write(os.path.join(bad, "out_of_file.safetensors"), json.dumps(out_of_file), buffer)

    text = json.dumps(header)
    write(os.path.join(bad, "header_past_end.safetensors"), text, b"",
          length=len(text) + (-len(text) % 8) + len(buffer) + 1000)
    write(os.path.join(bad, "header_too_large.safetensors"), text, buffer, length=200_000_000)

    first = json.dumps({names[0]: header[names[0]]})[1:-1]
    write(os.path.join(bad, "duplicate_keys.safetensors"), "{" + first + ", " + text[1:], buffer)

    unknown = json.loads(json.dumps(header))
    unknown[names[0]]["dtype"] = "F12"
    write(os.path.join(bad, "unknown_dtype.safetensors"), json.dumps(unknown), buffer)

    with open(stamp, "w") as f:
        f.write(key + "\n")
    print("safetensors fixtures written to", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
