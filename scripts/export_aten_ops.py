#!/usr/bin/env python3
"""Exports one small net per TorchScript construct the zoo needed, traced and scripted, with PyTorch's figures.

Run with Debian's python3:

    /usr/bin/python3 scripts/export_aten_ops.py [--out DIR] [--models a,b] [--force]

Writes into DIR/aten-ops/ (DIR defaults to $TALLY_FIXTURES, else models/cache/): <name>.traced.pt,
<name>.scripted.pt and <name>.expected.json per net, plus index.json. Each net exercises the aten ops or the
code construct of one zoo model's gap, the way that model's code writes it (Swin's shifted-window mask filled
slice by slice, F.normalize, MViT's tensor_split and repeat_interleave, RAFT's grid_sample, unfold and
linspace grid, MultiheadAttention's baddbmm, ...). A form PyTorch cannot make is null in "files" with
PyTorch's own error in "errors".

The figures: params and buffers by sum(numel), the shape of every output tensor (flattened in order) from a
real run, and MACs by export_models.MacCounter (the aten-level TorchDispatchMode counter of every fixture:
convolution, mm, bmm, matmul, addmm, baddbmm, addbmm; every other op 0). All on the CPU, in a second or two.
Sequence lengths (input kind "lengths:T") are all the padded length T, and "dataDependent" names the forms whose
sizes come from those values (a packed LSTM, a mask whose length is read with item()): counted at the bound T, which
the export reaches, so their figures are still PyTorch's.

The cache key is sha256(this script + fixture_cache.py + export_models.py + torch version): the folder is skipped
when aten-ops/stamp holds it (fixture_cache.export_nets: the lock, the stamp, the loop; --models a,b makes some).
"""

import inspect
import os
import sys
import time
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models as em  # noqa: E402
import fixture_cache as fc  # noqa: E402

SCRIPT = os.path.abspath(__file__)


class ShiftedWindowMask(nn.Module):
    """Swin's attention mask: slices of a zero tensor set one by one (traced: fill_; scripted: copy_), then zero_."""

    def forward(self, x):
        mask = x.new_zeros((x.size(2), x.size(3)))
        bounds = ((0, -3), (-3, -1), (-1, x.size(3)))
        count = 0
        for h in bounds:
            for w in bounds:
                mask[h[0]:h[1], w[0]:w[1]] = count
                count += 1
        bias = x.new_ones(x.size(1)).clone()
        bias[1:3].zero_()
        return x + mask + bias.view(1, -1, 1, 1)


class CosineAttention(nn.Module):
    """Swin V2's scores: F.normalize (norm, clamp_min, expand_as, div) of q and k, then q @ k^T."""

    def forward(self, q, k):
        return torch.matmul(F.normalize(q, dim=-1), F.normalize(k, dim=-1).transpose(-2, -1)).clamp_max(4.0)


class SwapAxes(nn.Module):
    """MaxViT's grid partition: swapaxes and swapdims."""

    def forward(self, x):
        return torch.swapaxes(x, -2, -3).swapdims(0, 1)


class TensorSplit(nn.Module):
    """MViT's class token split off with indices, and a split into uneven sections."""

    def forward(self, x):
        token, rest = torch.tensor_split(x, [1], dim=2)
        a, b, c = torch.tensor_split(rest, 3, dim=2)
        return token, a, b, c


class RepeatInterleave(nn.Module):
    """MViT's temporal position table per frame (an int count along an axis) and a count without an axis."""

    def forward(self, x):
        return torch.repeat_interleave(x, x.size(1), dim=0), torch.repeat_interleave(x, 2)


class CorrelationSampling(nn.Module):
    """RAFT's pieces: InstanceNorm2d without affine, a correlation divided by sqrt(channels), a linspace grid
    reversed with [::-1], grid_sample at those points, split_with_sizes, and unfold (im2col) times weights."""

    def __init__(self):
        super().__init__()
        self.norm = nn.InstanceNorm2d(8)
        self.affine_norm = nn.InstanceNorm2d(8, affine=True)
        self.conv = nn.Conv2d(8, 8, 1)

    def forward(self, x):
        f = self.affine_norm(self.conv(self.norm(x)))
        b, c, h, w = f.shape
        corr = torch.matmul(f.view(b, c, h * w).transpose(1, 2), f.view(b, c, h * w))
        corr = corr / torch.sqrt(torch.tensor(c))
        axis = torch.linspace(-1, 1, w)
        grid = torch.stack(torch.meshgrid([axis, axis], indexing="ij")[::-1], dim=-1)
        sampled = F.grid_sample(corr.view(b * h * w, 1, h, w), grid.expand(b * h * w, h, w, 2), align_corners=True)
        hidden, context = torch.split(f, [3, 5], dim=1)
        columns = F.unfold(context, kernel_size=3, padding=1)
        weights = torch.softmax(hidden.flatten(2), dim=1)
        upsampled = torch.matmul(columns.transpose(1, 2), columns)
        return sampled, weights, upsampled


class MaskedAttention(nn.Module):
    """Conformer's attention (baddbmm of a mask and the scores), its convolution module's GLU, and wav2vec2's
    max along an axis (values and indices) before the softmax."""

    def __init__(self):
        super().__init__()
        self.attention = nn.MultiheadAttention(16, 4)
        self.pointwise = nn.Conv1d(16, 32, 1)

    def forward(self, x, mask):
        y, _ = self.attention(x, x, x, key_padding_mask=mask, need_weights=False)
        z = F.glu(self.pointwise(y.permute(1, 2, 0)), dim=1)
        scores = torch.baddbmm(y.transpose(0, 1)[:, :, :1], y.transpose(0, 1), z, beta=0.5, alpha=2.0)
        top, index = torch.max(scores, -1, keepdim=True)
        return scores - top, index, torch.max(scores), torch.min(scores, z[:, :5, :1].transpose(1, 2))


class EmptyMemory(nn.Module):
    """Emformer's memory bank, empty([0]) at the start, concatenated with 3-D blocks (PyTorch skips it)."""

    def forward(self, x):
        memory = torch.empty(0)
        return torch.cat([memory, x, x])


class TokenTable(nn.Module):
    """Tacotron2's embedding of token ids."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(148, 16)
        self.linear = nn.Linear(16, 8)

    def forward(self, tokens):
        return self.linear(self.embedding(tokens))


class ResizeByScale(nn.Module):
    """The R-CNN transform's resize (torchvision's _resize_image_and_masks): the scale computed from the image size
    held in a tensor (torch.tensor of the shape, min and max, float32 reciprocals times min_size 200 and max_size 333,
    item()), F.interpolate with that scale_factor and recompute_scale_factor, then a convolution. At 3x151x152 the
    float32 scale gives 199x201; the same arithmetic in float64 would give 200x201."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, image):
        im_shape = torch.tensor(image.shape[-2:])
        min_size = torch.min(im_shape).to(dtype=torch.float32)
        max_size = torch.max(im_shape).to(dtype=torch.float32)
        scale = torch.min(200.0 / min_size, 333.0 / max_size)
        scale_factor = scale.item()
        resized = F.interpolate(image[None], size=None, scale_factor=scale_factor, mode="bilinear",
                                recompute_scale_factor=True, align_corners=False)
        return self.conv(resized)


class LevelsFromShapes(nn.Module):
    """MultiScaleRoIAlign's scale of a feature map (its size over the image's, log2 and round of a tensor made from
    that number) and LevelMapper's k_min (-log2(scale).item()), with floor and ceil of shape-made tensors, used as an
    output size (adaptive pooling), so every value must be computed exactly."""

    def forward(self, image, feature):
        approx_scale = float(feature.shape[-1]) / float(image.shape[-1])
        scale = 2 ** float(torch.tensor(approx_scale).log2().round())
        k_min = int(-torch.log2(torch.tensor(scale, dtype=torch.float32)).item())
        side = torch.tensor(feature.shape[-2:], dtype=torch.float32) / 3.0
        rows = int(torch.floor(side[0]).item())
        cols = int(torch.ceil(side[1]).item())
        return F.adaptive_avg_pool2d(feature, (rows + k_min, cols))



class BoxIndexing(nn.Module):
    """The R-CNN postprocess's indexing where no count depends on the data: the RPN's objectness[batch_idx, top_n_idx]
    (two index tensors, broadcast), sort, a top-k position's anchor and class (div with rounding_mode="floor",
    remainder), MultiScaleRoIAlign's result[idx] = pooled (index_put_), a mask of two comparisons (&) and
    where(cond, x, y), and KeypointRCNNPredictor's 2x bilinear upsampling by a scale factor (no output size); a Linear
    over the gathered boxes makes the MACs depend on the gathered shape."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 3)

    def forward(self, scores, boxes):
        batch_idx = torch.arange(scores.size(0)).unsqueeze(1)
        _, order = scores.sort(dim=1, descending=True)
        top = order[:, :5]
        picked = boxes[batch_idx, top]
        anchor = torch.div(top, 3, rounding_mode="floor")
        label = torch.remainder(top, 3)
        result = torch.zeros(6, 4)
        result[torch.tensor([0, 2, 4])] = picked[0, :3]
        keep = (scores > 0.0) & (scores < 1.0)
        clipped = torch.where(keep, scores, torch.zeros_like(scores))
        up = F.interpolate(boxes.unsqueeze(0), scale_factor=2.0, mode="bilinear", align_corners=False,
                           recompute_scale_factor=False)
        return self.linear(picked), anchor + label, result, clipped, up


class BoxPostprocess(nn.Module):
    """A detector's postprocess, whose box counts depend on the data: a score threshold (where), batched_nms's
    `if boxes.numel() == 0` around torchvision's nms, keep[:4], the rois of one image, MultiScaleRoIAlign's
    zeros(rois.size(0), ...) filled level by level through where(levels == level) and index_put_ of torchvision's
    roi_align, then a Linear per box. The input's boxes are disjoint and every score passes the threshold, so PyTorch
    keeps every box: its run is the bound, and shapes and MACs equal PyTorch's exactly."""

    DATA_DEPENDENT = ("traced", "scripted")

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(8 * 2 * 2, 5)

    def forward(self, feature, boxes, scores):
        keep = torch.where(scores > 0.05)[0]
        boxes, scores = boxes[keep], scores[keep]
        if boxes.numel() == 0:
            kept = torch.empty((0,), dtype=torch.int64)
        else:
            kept = torchvision.ops.nms(boxes, scores, 0.5)
        kept = kept[:4]
        boxes = boxes[kept]
        rois = torch.cat([torch.zeros_like(boxes[:, :1]), boxes], dim=1)
        result = torch.zeros(rois.size(0), 8, 2, 2)
        levels = torch.zeros(rois.size(0), dtype=torch.int64)
        for level in range(1):
            idx = torch.where(levels == level)[0]
            result[idx] = torchvision.ops.roi_align(feature, rois[idx], [2, 2], 0.5, 2, False)
        return self.head(result.flatten(1)), scores[kept]

# (name, builder, inputs: (shape, dtype, low, high) each).
class Spectrogram(nn.Module):
    """HDemucs's spectrogram branch: a Hann-windowed STFT (centred, reflect padding), its real and imaginary parts as
    channels (view_as_real), normalised by mean and std, a convolution, back to complex (view_as_complex) and the
    inverse STFT to the input's length; and its local attention's bool eye mask."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        window = torch.hann_window(64).to(x)
        z = torch.stft(x, 64, hop_length=16, window=window, normalized=True, return_complex=True)
        b, f, t = z.shape
        m = torch.view_as_real(z).permute(0, 3, 1, 2).reshape(1, b * 2, f, t)
        mean = m.mean(dim=[1, 2, 3], keepdim=True)
        std = m.std(dim=[1, 2, 3], keepdim=True)
        m = self.conv((m - mean) / (1e-5 + std))
        m = m.view(b, 2, f, t).permute(0, 2, 3, 1).contiguous()
        y = torch.istft(torch.view_as_complex(m), 64, hop_length=16, window=window, normalized=True, length=x.shape[-1])
        return y, torch.eye(t, dtype=torch.bool), std


class PackedLstm(nn.Module):
    """Tacotron2's encoder LSTM over a padded batch: pack_padded_sequence by the lengths, a bidirectional LSTM on the
    packed rows, pad_packed_sequence back. Every length is the padded length, so the bound Tally states is what ran."""

    DATA_DEPENDENT = ("traced", "scripted")

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 6, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(12, 4)

    def forward(self, x, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True)
        y, _ = self.lstm(packed)
        y, _ = nn.utils.rnn.pad_packed_sequence(y, batch_first=True)
        return self.proj(y)


class PaddingMask(nn.Module):
    """Conformer's padding mask: arange(max(lengths).item()) against the lengths, as a MultiheadAttention's key
    padding mask. Scripted code reads the mask's length from the values (data-dependent, bounded by the padded length
    the test states); traced code keeps the number it traced."""

    DATA_DEPENDENT = ("scripted",)

    def __init__(self):
        super().__init__()
        self.attention = nn.MultiheadAttention(16, 4)

    def forward(self, x, lengths):
        max_length = int(torch.max(lengths).item())
        steps = torch.arange(max_length, device=lengths.device, dtype=lengths.dtype)
        mask = steps.expand(lengths.size(0), max_length) >= lengths.unsqueeze(1)
        y, _ = self.attention(x, x, x, key_padding_mask=mask, need_weights=False)
        return y


class PerClassLoop(nn.Module):
    """A loop over the distinct labels, as torchvision's batched_nms loops over torch.unique(idxs), with a Linear in
    its body. Scripted code loops a number of times that depends on the data: Tally counts the body at the loop's bound
    (the labels' count, since unique() keeps at most every element); every label here is distinct, so the run reaches
    the bound and PyTorch's MACs are the body's times six. Traced code unrolls the six iterations, each reading a row
    of unique()'s output, whose size is data too."""

    DATA_DEPENDENT = ("traced", "scripted")

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 4)

    def forward(self, x, labels):
        out = torch.zeros(x.size(0), 4)
        for c in torch.unique(labels):
            out = out + self.fc(x) * (labels == c).unsqueeze(1).to(x.dtype)
        return out


class MaskedFillInPlace(nn.Module):
    """masked_fill_ writes into its self, not a new tensor and not the mask (HDemucs and MultiheadAttention mask their
    scores so): PyTorch's peak is the input, the mask and one [B, H, T, T] scores tensor, which "peakInferenceBytes"
    records (export_memory_oracle.py's storage tracker, in eval mode under no_grad)."""

    MEASURE_PEAK = True

    def forward(self, x, mask):
        scores = x * 2.0
        scores.masked_fill_(mask, 0.0)
        return scores


NETS = [
    ("shifted_window_mask", ShiftedWindowMask, [((1, 4, 7, 7), "float")]),
    ("cosine_attention", CosineAttention, [((2, 3, 5, 8), "float"), ((2, 3, 6, 8), "float")]),
    ("swap_axes", SwapAxes, [((2, 3, 4, 5), "float")]),
    ("tensor_split", TensorSplit, [((2, 3, 11, 4), "float")]),
    ("repeat_interleave", RepeatInterleave, [((2, 3, 4), "float")]),
    ("correlation_sampling", CorrelationSampling, [((1, 8, 6, 6), "float")]),
    ("masked_attention", MaskedAttention, [((5, 1, 16), "float"), ((1, 5), "bool")]),
    ("empty_memory", EmptyMemory, [((2, 1, 4), "float")]),
    ("token_table", TokenTable, [((1, 7), "long")]),
    ("resize_by_scale", ResizeByScale, [((3, 151, 152), "float")]),
    ("levels_from_shapes", LevelsFromShapes, [((1, 3, 64, 64), "float"), ((1, 8, 16, 17), "float")]),
    ("spectrogram", Spectrogram, [((2, 400), "float")]),
    ("packed_lstm", PackedLstm, [((2, 5, 8), "float"), ((2,), "lengths:5")]),
    ("padding_mask", PaddingMask, [((6, 2, 16), "float"), ((2,), "lengths:6")]),
    ("box_indexing", BoxIndexing, [((2, 12), "float"), ((2, 12, 4), "float")]),
    ("box_postprocess", BoxPostprocess, [((1, 8, 16, 16), "float"), ((6, 4), "boxes"), ((6,), "scores")]),
    ("per_class_loop", PerClassLoop, [((6, 8), "float"), ((6,), "labels")]),
    ("masked_fill_in_place", MaskedFillInPlace, [((2, 4, 16, 16), "float"), ((16, 16), "bool")]),
]


def peak_inference(model, args):
    """PyTorch's peak of live activation bytes (the inputs included) for one eval run, as PeakMemoryOracleTest's."""
    import export_memory_oracle as mo
    fresh = tuple(a.clone() for a in args)
    tracker = mo.StorageTracker(mo.storage_key(t)[0] for t in list(model.parameters()) + list(model.buffers()))
    with torch.no_grad():
        with tracker:
            for a in fresh:
                tracker.track(a)
            out = model(*fresh)
    del out
    return tracker.peak


def make_input(shape, kind):
    generator = torch.Generator().manual_seed(0)
    if kind == "boxes":
        # Disjoint boxes inside a 32x32 image, so nms keeps every one of them.
        return torch.tensor([[2.0 + 5 * i, 3.0, 5.0 + 5 * i, 9.0] for i in range(shape[0])])
    if kind == "scores":
        # Every score above the threshold, all different (nms orders by them).
        return torch.linspace(0.9, 0.4, shape[0])
    if kind == "labels":
        # Labels all different, so a loop over their distinct values runs once per element, its bound.
        return torch.arange(shape[0], dtype=torch.int64)
    if kind == "long":
        return torch.randint(0, 148, shape, generator=generator)
    if kind.startswith("lengths:"):
        # Sequence lengths, every one the padded length (pack_padded_sequence wants them sorted, longest first).
        return torch.full(shape, int(kind.split(":")[1]), dtype=torch.int64)
    if kind == "bool":
        return torch.zeros(shape, dtype=torch.bool)
    return torch.randn(*shape, generator=generator)


def tensors_of(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in tensors_of(v)]
    return []


def first_line(error):
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"[:400]


def export_net(spec, out_dir, key):
    name, build, input_specs = spec
    started = time.time()
    torch.manual_seed(0)
    model = build().eval()
    args = tuple(make_input(shape, kind) for shape, kind in input_specs)
    counter = em.MacCounter([])
    with counter:
        output = model(*args)
    files = {"traced": None, "scripted": None}
    errors = {}
    tmp = os.path.join(out_dir, f".tmp-{os.getpid()}")
    os.makedirs(tmp, exist_ok=True)

    def attempt(form, file_name, make):
        try:
            make(os.path.join(tmp, file_name))
            os.replace(os.path.join(tmp, file_name), os.path.join(out_dir, file_name))
            files[form] = file_name
        except Exception as e:  # noqa: BLE001 - PyTorch's own error is the fact to record
            errors[form] = first_line(e)

    attempt("traced", f"{name}.traced.pt", lambda p: torch.jit.save(torch.jit.trace(model, args, check_trace=False), p))
    attempt("scripted", f"{name}.scripted.pt", lambda p: torch.jit.save(torch.jit.script(model), p))
    os.rmdir(tmp)
    expected = {
        "name": name,
        "set": "aten-ops",
        "doc": (build.__doc__ or "").strip(),
        "inputs": [{"torchName": arg, "shape": list(shape), "dtype": kind}
                   for arg, (shape, kind) in zip(inspect.signature(model.forward).parameters, input_specs)],
        "outputShapes": [list(t.shape) for t in tensors_of(output)],
        "params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for b in model.buffers()),
        "macs": counter.total,
        # The forms whose sizes come from values (packed sequences, a mask's length read with item()): Tally must mark
        # them data-dependent, at the bound (every length here is the padded one, so the bound is what ran).
        "dataDependent": list(getattr(build, "DATA_DEPENDENT", ())),
        "files": files,
        "errors": errors,
        "torch": torch.__version__,
        "exportKey": key,
        "exportSeconds": round(time.time() - started, 2),
    }
    if getattr(build, "MEASURE_PEAK", False):
        expected["peakInferenceBytes"] = peak_inference(model, args)
    em.write_json(os.path.join(out_dir, f"{name}.expected.json"), expected)
    return expected


def main():
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    return fc.export_nets("aten-ops", "Export Tally's TorchScript construct fixtures with real PyTorch.",
                          SCRIPT, NETS, export_net,
                          lambda spec, e: f"{spec[0]:24s} params {e['params']:>6,}  MACs {e['macs']:>9,}  "
                                          f"[{fc.made_forms(e)}] {e['errors'] or ''}")


if __name__ == "__main__":
    sys.exit(main())
