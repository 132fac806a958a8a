# The official post-model stages (method.md §3.4–§3.8) in PyTorch, one thread, timed: the yardstick
# of matching.bench.ts. Optional: the bench runs it only when a python3 with torch and torchvision
# is found, and says so when not; the project itself never needs Python.
#
#   python3 torch_stages.py DIR RUNS
#
# DIR holds what matching.bench.ts wrote: meta.json (n, rows, cols, dim, classes, height, width)
# and float32 little-endian logits.f32 [n,256,256], iou.f32 [n], features.f32 [rows,cols,dim],
# prototypes.f32 [classes,dim]. Prints one JSON line: per-run ms, mean ms per stage, and the
# proposal indices of the detections, best first.
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torchvision.ops import batched_nms


def mask_to_box(masks):
    # sam2/utils/amg.py batched_mask_to_box: inclusive xyxy, (0,0,0,0) for an empty mask.
    h, w = masks.shape[-2:]
    in_height, _ = torch.max(masks, dim=-1)
    in_height_coords = in_height * torch.arange(h)[None, :]
    bottom_edges, _ = torch.max(in_height_coords, dim=-1)
    in_height_coords = in_height_coords + h * (~in_height)
    top_edges, _ = torch.min(in_height_coords, dim=-1)
    in_width, _ = torch.max(masks, dim=-2)
    in_width_coords = in_width * torch.arange(w)[None, :]
    right_edges, _ = torch.max(in_width_coords, dim=-1)
    in_width_coords = in_width_coords + w * (~in_width)
    left_edges, _ = torch.min(in_width_coords, dim=-1)
    empty = (right_edges < left_edges) | (bottom_edges < top_edges)
    out = torch.stack([left_edges, top_edges, right_edges, bottom_edges], dim=-1)
    return out * (~empty).unsqueeze(-1)


def segment(lr, q, feats, protos, height, width, stages):
    n = lr.shape[0]
    clock = [time.perf_counter()]

    def lap(name):
        now = time.perf_counter()
        stages[name] = stages.get(name, 0) + (now - clock[0]) * 1000
        clock[0] = now

    # §3.4: features upsampled to the 256 grid, averaged over each binary mask, cosine to classes.
    up = F.interpolate(feats.permute(2, 0, 1)[None], size=(256, 256), mode='bilinear', align_corners=False, antialias=True)
    up = up[0].reshape(feats.shape[2], -1)
    binary = lr > 0
    flat = binary.reshape(n, -1).float()
    emb = (flat @ up.T) / flat.sum(dim=1, keepdim=True)
    emb = F.normalize(emb, dim=-1)
    sim = (emb @ F.normalize(protos, dim=-1).T).clamp(min=0)
    score, label = torch.topk(sim, k=1, dim=-1)
    score, label = score[:, 0], label[:, 0]
    lap('embeddings+cosines')
    # §3.5: class-aware NMS on SAM's IoU, top 800, then score > 0.
    boxes = mask_to_box(binary)
    keep = batched_nms(boxes.float(), q, label, 0.5)[: min(800, n)]
    keep = keep[score[keep] > 0]
    lap('boxes+nms')
    # §3.6: full-resolution masks. In chunks of 100 so the float logits at 640×480 stay ~120 MB
    # (the official code resizes all at once, ~1 GB here).
    full = torch.cat([
        F.interpolate(lr[keep[i:i + 100]][:, None], size=(height, width), mode='bilinear', align_corners=False, antialias=True)[:, 0] > 0
        for i in range(0, len(keep), 100)
    ])
    mask_to_box(full)
    lap('full-res masks')
    # §3.7: soft merge, intersections as fp32 matrix products, per class (the official code forms
    # the whole kept×kept matrix; per class is less work).
    kept_label, kept_score, kept_emb = label[keep], score[keep], emb[keep]
    ios = torch.zeros(len(keep))
    for c in torch.unique(kept_label):
        idx = torch.nonzero(kept_label == c)[:, 0]
        m = full[idx].reshape(len(idx), -1).float()
        inter = m @ m.T
        obj_sim = (kept_emb[idx] @ kept_emb[idx].T).clamp(min=0)
        rel = torch.tril(inter / m.sum(dim=1)[:, None] * obj_sim, diagonal=-1)
        ios[idx] = rel.max(dim=1).values
    final = kept_score * torch.sqrt(1 - ios)
    top = torch.argsort(final, descending=True)[:100]
    lap('soft merge+top')
    return keep[top]


def main():
    directory, runs = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(1)
    meta = json.load(open(f'{directory}/meta.json'))
    n, rows, cols, dim = meta['n'], meta['rows'], meta['cols'], meta['dim']
    load = lambda name, shape: torch.from_numpy(np.fromfile(f'{directory}/{name}', dtype='<f4').reshape(shape))
    lr = load('logits.f32', (n, 256, 256))
    q = load('iou.f32', (n,))
    feats = load('features.f32', (rows, cols, dim))
    protos = load('prototypes.f32', (meta['classes'], dim))
    times = []
    stages = {}
    with torch.no_grad():
        for i in range(runs):
            t0 = time.perf_counter()
            top = segment(lr, q, feats, protos, meta['height'], meta['width'], stages)
            # No warm-up run: torch has no JIT here, and one run takes seconds.
            times.append((time.perf_counter() - t0) * 1000)
    stages = {k: round(v / runs) for k, v in stages.items()}
    # Which BLAS torch's matrix products go through decides most of its time (Debian's build says
    # "generic": whatever libblas.so.3 is, the reference BLAS unless OpenBLAS is installed).
    blas = next((part.split('=')[1] for part in torch.__config__.show().replace(',', ' ').split() if part.startswith('BLAS_INFO=')), '?')
    print(json.dumps({'ms': times, 'stages': stages, 'torch': torch.__version__, 'blas': blas, 'detections': top.tolist()}))


main()
