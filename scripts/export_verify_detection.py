#!/usr/bin/env python3
"""Exports the detection and segmentation models `tally verify` runs for real WITH their weights, in both engines' forms.

Run with Debian's python3 (python3-torch, python3-torchvision, python3-onnx):

    /usr/bin/python3 scripts/export_verify_detection.py [--out DIR] [--force]

Writes into DIR (DIR defaults to $TALLY_FIXTURES, else models/cache/):
    verify-detection/ssdlite320_mobilenet_v3_large.onnx           opset 17, eval mode, weights=None (seeded), weights
                                                                  inside (14 MB): ONNX Runtime runs it
    verify-detection/ssdlite320_mobilenet_v3_large.scripted.pt    the same model and weights, scripted, its NMS written
                                                                  in plain aten ops (below): DJL's libtorch runs it
    verify-detection/ssdlite320_mobilenet_v3_large.expected.json  the input shape, PyTorch's own output shapes for a
                                                                  seeded random image of that shape, detections_per_img
                                                                  (the bound the model states on the boxes it returns),
                                                                  and under "scripted" what the script checked of the
                                                                  scripted file
    verify-segmentation/lraspp_mobilenet_v3_large.onnx            opset 17, eval mode, weights=None (seeded), weights
                                                                  inside (13 MB): ONNX Runtime runs it (the zoo's ONNX
                                                                  files are structure-only; its traced and scripted
                                                                  files, which hold weights, are what DJL runs)
    verify-segmentation/lraspp_mobilenet_v3_large.expected.json   the input shape and PyTorch's output shape

Why the scripted detector has its own NMS. DJL's PyTorch engine is libtorch 2.7.1 without torchvision's C++ ops, so a
scripted torchvision detector does not even load there ("Unknown builtin op: torchvision::nms"), and Debian's
torchvision op library is built for torch 1.13, not for DJL's libtorch. So the scripted file is made from a subclass of
torchvision's SSD whose postprocess_detections does what torchvision's does with box_ops.batched_nms, per class, with
a greedy NMS of plain tensor ops (greedy_nms_sorted below) instead of torchvision::nms. That is a workaround for the
engine, not torchvision's model: the script checks that the scripted file's boxes, scores and labels EQUAL the
unpatched eager model's (torchvision::nms) on the fixture's image, bit for bit, and that no torchvision:: op is left in
the scripted file's code, and refuses to write the fixture otherwise.

The zoo's ONNX files are structure-only (no weights) and cannot run; these are the detection and segmentation models
CI runs in both engines. About 30 CPU-seconds and 41 MB. The folders are skipped when their stamp holds
sha256(this script, torch version).
"""

import argparse
import hashlib
import json
import os
import sys
import time
import warnings
import zipfile
from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F
import torchvision
from torch import Tensor
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.ssd import SSD
from torchvision.ops import boxes as box_ops

NAME = "ssdlite320_mobilenet_v3_large"
SIZE = 256
SEGMENTATION = "lraspp_mobilenet_v3_large"
SEGMENTATION_SHAPE = [1, 3, 112, 112]


def greedy_nms_sorted(boxes: Tensor, iou_threshold: float, steps: int) -> Tensor:
    """The boxes torchvision::nms keeps, as a mask, for boxes already in decreasing score order.

    torchvision's CPU kernel (nms_kernel.cpp) walks the boxes by decreasing score (a stable sort, which leaves boxes
    given in that order as they are) and drops every later box whose IoU with a kept one is above the threshold:
    box i is kept when no kept earlier box j overlaps it. keep <- "no kept earlier box overlaps i", started from all
    kept, is right for position i after i + 1 rounds, so `steps` >= the number of boxes rounds give exactly greedy
    NMS; the loop has a fixed count and no branch on values, so that Tally's interpreter can follow it. The IoU is
    the kernel's arithmetic in float32 in its order (inter / (area_i + area_j - inter)), compared with the threshold
    in float64 as the kernel's `ovr > iou_threshold` (float against double) does.
    """
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    lt = torch.max(boxes[:, None, :2], boxes[None, :, :2])
    rb = torch.min(boxes[:, None, 2:], boxes[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    iou = inter / (area[:, None] + area[None, :] - inter)
    # overlapped_by[i, j]: the earlier box j (higher score) overlaps box i (the IoU is symmetric, as the kernel's is).
    overlapped_by = torch.tril(iou.to(torch.float64) > iou_threshold, -1)
    keep = torch.ones_like(area, dtype=torch.bool)
    for _ in range(steps):
        keep = (overlapped_by & keep).sum(1) == 0
    return keep


class SSDWithPureNms(SSD):
    """torchvision 0.14.1's SSD whose postprocess runs greedy_nms_sorted per class instead of torchvision::nms.

    torchvision's postprocess keeps, per class, the topk_candidates best boxes above score_thresh (in decreasing score
    order), then box_ops.batched_nms over all classes: NMS within each class, the kept boxes in decreasing score order
    (its per-class path sorts the kept boxes' scores with the same sort as here), cut to detections_per_img. This runs
    the same NMS within each class where the class's boxes are made, with topk_candidates rounds (a class never has
    more boxes than that), and the same sort of the kept boxes' scores.
    """

    def postprocess_detections(
        self, head_outputs: Dict[str, Tensor], image_anchors: List[Tensor], image_shapes: List[Tuple[int, int]]
    ) -> List[Dict[str, Tensor]]:
        bbox_regression = head_outputs["bbox_regression"]
        pred_scores = F.softmax(head_outputs["cls_logits"], dim=-1)
        num_classes = pred_scores.size(-1)
        device = pred_scores.device
        detections: List[Dict[str, Tensor]] = []
        for boxes, scores, anchors, image_shape in zip(bbox_regression, pred_scores, image_anchors, image_shapes):
            boxes = self.box_coder.decode_single(boxes, anchors)
            boxes = box_ops.clip_boxes_to_image(boxes, image_shape)
            image_boxes = []
            image_scores = []
            image_labels = []
            for label in range(1, num_classes):
                score = scores[:, label]
                keep_idxs = score > self.score_thresh
                score = score[keep_idxs]
                box = boxes[keep_idxs]
                num_topk = det_utils._topk_min(score, self.topk_candidates, 0)
                score, idxs = score.topk(num_topk)
                box = box[idxs]
                kept = greedy_nms_sorted(box, self.nms_thresh, self.topk_candidates)
                image_boxes.append(box[kept])
                image_scores.append(score[kept])
                image_labels.append(torch.full_like(score[kept], fill_value=label, dtype=torch.int64, device=device))
            image_boxes = torch.cat(image_boxes, dim=0)
            image_scores = torch.cat(image_scores, dim=0)
            image_labels = torch.cat(image_labels, dim=0)
            order = image_scores.sort(descending=True)[1][: self.detections_per_img]
            detections.append({"boxes": image_boxes[order], "scores": image_scores[order], "labels": image_labels[order]})
        return detections


def torchvision_ops_in(archive):
    """The lines of the archive's code that call a torchvision:: op (libtorch without torchvision cannot load them)."""
    found = []
    with zipfile.ZipFile(archive) as zf:
        for entry in zf.namelist():
            if "/code/" in entry and entry.endswith(".py"):
                for line in zf.read(entry).decode("utf-8").splitlines():
                    if "ops.torchvision." in line or "torchvision::" in line:
                        found.append(entry + ": " + line.strip())
    return found


def export_detection(out_dir):
    torch.manual_seed(0)
    model = torchvision.models.detection.ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None).eval()
    image = torch.rand(3, SIZE, SIZE, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        detections = model([image])[0]
    tmp = os.path.join(out_dir, f".{NAME}.onnx.tmp")
    torch.onnx.export(model, ([image],), tmp, opset_version=17, input_names=["images"], do_constant_folding=True)
    os.replace(tmp, os.path.join(out_dir, f"{NAME}.onnx"))

    started = time.time()
    model.__class__ = SSDWithPureNms
    model._has_warned = True  # the scripted forward would print "SSD always returns a (Losses, Detections) tuple"
    scripted = torch.jit.script(model)
    tmp = os.path.join(out_dir, f".{NAME}.scripted.pt.tmp")
    scripted.save(tmp)
    script_seconds = time.time() - started
    left = torchvision_ops_in(tmp)
    if left:
        os.remove(tmp)
        raise SystemExit(f"{NAME}.scripted.pt still calls torchvision ops, which DJL's libtorch cannot load: {left[0]}")
    started = time.time()
    with torch.no_grad():
        _, scripted_detections = torch.jit.load(tmp)([image])
    run_seconds = time.time() - started
    for key in ("boxes", "scores", "labels"):
        ours, theirs = scripted_detections[0][key], detections[key]
        if ours.shape != theirs.shape or not torch.equal(ours, theirs):
            os.remove(tmp)
            raise SystemExit(f"{NAME}.scripted.pt: its {key} ({list(ours.shape)}) differ from torchvision's"
                             f" ({list(theirs.shape)}) on the fixture's image; the fixture is not written.")
    os.replace(tmp, os.path.join(out_dir, f"{NAME}.scripted.pt"))
    expected = {
        "name": NAME,
        "inputShape": [3, SIZE, SIZE],
        "outputShapes": [list(t.shape) for t in (detections["boxes"], detections["scores"], detections["labels"])],
        "detectionsPerImg": model.detections_per_img,
        "scripted": {
            "file": f"{NAME}.scripted.pt",
            "nms": "greedy_nms_sorted in scripts/export_verify_detection.py, per class, in place of torchvision::nms",
            "equalToTorchvisionNms": True,
            "comparedOn": "the seeded random image of inputShape: boxes, scores and labels equal (torch.equal)",
            "torchvisionOpsLeft": 0,
            "scriptAndSaveSeconds": round(script_seconds, 1),
            "loadAndRunSeconds": round(run_seconds, 1),
        },
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
    }
    with open(os.path.join(out_dir, f"{NAME}.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


def export_segmentation(out_dir):
    torch.manual_seed(0)
    model = torchvision.models.segmentation.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None).eval()
    image = torch.rand(*SEGMENTATION_SHAPE, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        out = model(image)["out"]
    tmp = os.path.join(out_dir, f".{SEGMENTATION}.onnx.tmp")
    torch.onnx.export(model, (image,), tmp, opset_version=17, input_names=["input"], output_names=["out"],
                      do_constant_folding=True)
    os.replace(tmp, os.path.join(out_dir, f"{SEGMENTATION}.onnx"))
    expected = {
        "name": SEGMENTATION,
        "inputShape": SEGMENTATION_SHAPE,
        "outputShape": list(out.shape),
        "params": sum(p.numel() for p in model.parameters()),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
    }
    with open(os.path.join(out_dir, f"{SEGMENTATION}.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description="Export detection and segmentation models with weights for tally verify.")
    parser.add_argument("--out", default=os.environ.get("TALLY_FIXTURES")
                        or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models", "cache"))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    with open(os.path.abspath(__file__), "rb") as f:
        stamp = hashlib.sha256(f.read() + torch.__version__.encode()).hexdigest()
    for folder, export in (("verify-detection", export_detection), ("verify-segmentation", export_segmentation)):
        out_dir = os.path.join(os.path.abspath(args.out), folder)
        os.makedirs(out_dir, exist_ok=True)
        stamp_path = os.path.join(out_dir, "stamp")
        if not args.force and os.path.isfile(stamp_path) and open(stamp_path).read().strip() == stamp:
            print(f"{folder} fixtures in {out_dir} are up to date")
            continue
        started = time.time()
        cpu = time.process_time()
        export(out_dir)
        with open(stamp_path, "w") as f:
            f.write(stamp + "\n")
        print(f"{folder}: {time.time() - started:.1f} s wall, {time.process_time() - cpu:.1f} CPU-s into {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
