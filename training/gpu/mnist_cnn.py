#!/usr/bin/env python3
"""Is MNIST MAP 0.99 at 12 bits reachable from 5,000 training digits, and with what network?

The project's CPU trainer (`npm run bench:train -- --data mnist`) reaches 0.985 with its two-conv head. This
script trains, on a GPU, (a) the same architecture as that head — 5×5 conv (16) → ReLU → 2×2 max-pool → 5×5
conv (32) → ReLU → pool → 256 → K — and (b) a larger CNN (two 3×3 conv blocks of 32 and 64 with batch norm,
dropout), each with the classification + pairwise + quantisation loss of finetune_cifar.py's HashHead, on the
exact split bench:train uses (written by training/gpu/export-mnist.ts), and reports tie-aware MAP@all plus
the queries' classification accuracy (how far MAP can go is bounded by how many digits land in the wrong cluster).

    npx tsx training/gpu/export-mnist.ts --out .gpu-carry
    python3 training/gpu/mnist_cnn.py --data .gpu-carry --out mnist-cnn.json [--epochs 100 --bits 12]
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from finetune_cifar import HashHead, cosine_schedule, hamming_map, log, sync  # noqa: E402


def small_cnn(dropout=0.0):
    """The CPU trainer's two-conv head (training/compute/conv-graph.ts) up to its 256-d hidden layer."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(dropout), nn.Linear(32 * 7 * 7, 256), nn.ReLU(), nn.Dropout(dropout),
    )


def large_cnn(batch_norm=True, dropout=0.3):
    def block(cin, cout):
        norm = (lambda c: [nn.BatchNorm2d(c)]) if batch_norm else (lambda c: [])
        return [nn.Conv2d(cin, cout, 3, padding=1), *norm(cout), nn.ReLU(),
                nn.Conv2d(cout, cout, 3, padding=1), *norm(cout), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*block(1, 32), *block(32, 64), nn.Flatten(), nn.Dropout(dropout),
                         nn.Linear(64 * 7 * 7, 256), nn.ReLU(), nn.Dropout(dropout))


ARCHS = {
    "small": small_cnn,
    "small-dropout": lambda: small_cnn(dropout=0.3),
    "large": large_cnn,
    "large-nobn": lambda: large_cnn(batch_norm=False),
    "large-nobn-nodropout": lambda: large_cnn(batch_norm=False, dropout=0.0),
}


def augment(x, rotate, scale, shift, generator):
    """Random similarity transform per image (x: [n,1,28,28]), bilinear, zero fill."""
    n = x.shape[0]
    u = lambda: torch.rand(n, device=x.device, generator=generator) * 2 - 1  # noqa: E731
    angle = u() * math.radians(rotate)
    factor = 1 + u() * scale
    tx, ty = u() * shift * 2 / 28, u() * shift * 2 / 28
    cos, sin = torch.cos(angle) / factor, torch.sin(angle) / factor
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


def run(arch, images, labels, split, bits, args, device):
    torch.manual_seed(args.seed)
    body = ARCHS[arch]().to(device)
    head = HashHead(256, bits, 10, args.seed).to(device)
    params = list(body.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
    train = torch.as_tensor(split["train"], device=device)
    n = train.shape[0]
    steps = math.ceil(n / args.batch)
    sched = cosine_schedule(opt, args.epochs * steps)
    gen = torch.Generator(device=device)
    gen.manual_seed(args.seed)
    started = time.time()
    for epoch in range(args.epochs):
        body.train()
        perm = train[torch.randperm(n, device=device, generator=gen)]
        for s in range(0, n, args.batch):
            idx = perm[s : s + args.batch]
            x = augment(images[idx], args.rotate, args.scale, args.shift, gen) if args.augment else images[idx]
            loss, _ = head.loss(head(body(x)), labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        if (epoch + 1) % max(1, args.epochs // 5) == 0:
            sync(device)
            log("%s %d bits epoch %d/%d loss %.4f %.1fs" % (arch, bits, epoch + 1, args.epochs, float(loss), time.time() - started))
    seconds = time.time() - started
    body.eval()
    with torch.no_grad():
        q = torch.as_tensor(split["queries"], device=device)
        d = torch.as_tensor(split["database"], device=device)
        fq, fd = body(images[q]), body(images[d])
        m = hamming_map(head.codes(fq), labels[q], head.codes(fd), labels[d])
        accuracy = (head.classifier(head(fq)).argmax(1) == labels[q]).float().mean().item()
    return {"arch": arch, "bits": bits, "map": m, "queryAccuracy": accuracy, "trainSeconds": seconds}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="folder with mnist-u8.bin and mnist-split.json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--arch", default="small,large", help="comma list of " + ", ".join(ARCHS))
    ap.add_argument("--bits", default="12")
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--rotate", type=float, default=12)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--shift", type=float, default=2)
    ap.add_argument("--no-augment", dest="augment", action="store_false", default=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    log("torch %s, device %s" % (torch.__version__, torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu"))
    split = json.load(open(os.path.join(args.data, "mnist-split.json")))
    raw = np.fromfile(os.path.join(args.data, "mnist-u8.bin"), dtype=np.uint8).reshape(-1, 1, 28, 28)
    images = torch.as_tensor(raw, device=device).float() / 255
    labels = torch.as_tensor(split["labels"], device=device)
    results = []
    for arch in args.arch.split(","):
        for bits in [int(b) for b in args.bits.split(",")]:
            r = run(arch, images, labels, split, bits, args, device)
            log("%s %d bits: MAP@all %.4f, query accuracy %.4f, %.1fs" % (arch, bits, r["map"], r["queryAccuracy"], r["trainSeconds"]))
            results.append(r)
            with open(args.out, "w") as f:
                json.dump({"results": results, "config": vars(args)}, f, indent=1)
    log("\narch                 | bits | MAP@all | query accuracy | train seconds")
    for r in results:
        log("%-20s | %4d | %.4f  | %.4f         | %.1f" % (r["arch"], r["bits"], r["map"], r["queryAccuracy"], r["trainSeconds"]))


if __name__ == "__main__":
    main()
