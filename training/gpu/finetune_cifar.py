#!/usr/bin/env python3
"""How much does fine-tuning the last backbone blocks lift CIFAR-10 hashing MAP over a frozen backbone?

Loads the backbone ONNX written by training/gpu/export-backbone.ts (nsfwjs MobileNetV2 or InceptionV3, BN
folded into the convolutions, input `pixels` uint8 NHWC [N,S,S,3]; `.onnx.gz` is read too) and interprets its
graph node by node in PyTorch, so the convolutions' weights become trainable parameters. The network's output
here is the feature map the graph's descriptor pools (`out_relu`, 1280-d; `mixed10`, 2048-d), average-pooled,
before the graph's L2 normalisation. CIFAR's 32×32 images are upscaled to the ONNX input's static size S
(--input-size overrides it where the graph allows: no padded stride-2 convolution or pool).

Protocol (the usual CIFAR-10 hashing one): all 60,000 images pooled; with a fixed seed, 1,000 queries
(100/class), 5,000 training images (500/class), database = the other 54,000. MAP@all over the database by
Hamming distance, tie-aware (a port of tieAwareAveragePrecision in training/metrics/average-precision.ts).

Head per code length K: linear D→K (D = the pooled width), code = sign. Training loss, summed over heads:
cross-entropy of a linear classifier on the K tanh outputs + a DPSH-style pairwise likelihood within the batch
+ 0.1 · a quantisation term mean((|tanh| − 1)²).

Modes: `frozen` (backbone fixed; features computed once without augmentation, heads trained on them) and
`finetune` (MobileNetV2 blocks >= --from-block and Conv_1, or the parameters --trainable-prefixes selects,
trained with augmentation; by default one backbone shared by all heads, --no-shared-backbone trains one model
per K from the same starting weights).

    python3 training/gpu/finetune_cifar.py --onnx DIR/backbone-full.onnx --cifar cifar10-jpeg.tar.gz --out r.json

Works with torch 1.13 and 2.x; CUDA when available, else CPU (use --limit-train/--limit-db/--epochs to smoke-test).
"""
import argparse
import gzip
import io
import json
import math
import os
import re
import sys
import tarfile
import time
from multiprocessing import Pool

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper
from PIL import Image

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
QUANT_WEIGHT = 0.1


def log(*args):
    print(*args, flush=True)


# ----------------------------------------------------------------------------------------------------------
# ONNX graph → torch module
# ----------------------------------------------------------------------------------------------------------


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def load_onnx(path):
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return onnx.load_model_from_string(f.read())
    return onnx.load(path)


def input_size(model):
    """The static spatial size S of the graph's input `pixels` [N,S,S,3]."""
    dims = model.graph.input[0].type.tensor_type.shape.dim
    return int(dims[1].dim_value)


def size_dependent_nodes(model):
    """Nodes whose pads were computed for the graph's input size (padded and strided): running the graph at
    another size would pad them differently from Keras. InceptionV3 has none (its stride-2 layers are valid)."""
    out = []
    for n in model.graph.node:
        if n.op_type in ("Conv", "MaxPool", "AveragePool"):
            a = attributes(n)
            if any(s > 1 for s in a.get("strides", [1])) and any(p != 0 for p in a.get("pads", [0])):
                out.append(n.name or n.output[0])
    return out


def feature_layer(model):
    """The value the graph's first descriptor part pools (`part0_<pooling>/…` reads it; see convert.ts)."""
    for n in model.graph.node:
        pooling = n.op_type in ("GlobalAveragePool", "GlobalMaxPool", "Max")
        if pooling and n.output and n.output[0].startswith("part0_"):
            return n.input[0]
    raise ValueError("cannot find the descriptor's pooled layer (no part0_* pooling node)")


def from_block_rule(from_block):
    """MobileNetV2: conv weights/biases of block_<from_block>… block_16 and Conv_1 (the last 1×1 conv, not Conv1)."""

    def rule(name):
        if name.startswith("Conv_1/"):
            return True
        m = re.match(r"^block_(\d+)_", name)
        return bool(m) and int(m.group(1)) >= from_block

    return rule


def block_nodes(nodes, producers, end):
    """Indices of the block that ends at node `end`: the nodes it depends on after its immediate dominator (the
    last node every path from the input to `end` passes through), e.g. for InceptionV3's `mixed9` every branch
    between `mixed8` and `mixed9`. `nodes` is in topological order; producers maps a value to its node index."""
    preds = [sorted({producers[v] for v in n.input if v in producers}) for n in nodes]
    idom = {}  # dominator tree over node indices; -1 = the graph input

    def intersect(a, b):
        while a != b:
            while a > b:
                a = idom[a]
            while b > a:
                b = idom[b]
        return a

    for i, p in enumerate(preds):
        d = p[0] if p else -1
        for q in p[1:]:
            d = intersect(d, q)
        idom[i] = d
    idom[-1] = -1
    stop, block, stack = idom[end], set(), [end]
    while stack:
        i = stack.pop()
        if i in block or i == stop or i < stop:
            continue
        block.add(i)
        stack.extend(preds[i])
    return block


def prefix_rule(graph, prefixes):
    """Trainable parameters from a list of entries: an entry equal to a node's name (or first output) selects the
    parameters of the block ending at that node (see block_nodes; InceptionV3: `mixed9`, `mixed10`); any other
    entry is a prefix of initializer names (`conv2d_94/`, `block_15_`). Node names match exactly so that `mixed9`
    does not also take `mixed9_1`, a branch of the `mixed10` block."""
    nodes = list(graph.node)
    producers = {o: i for i, n in enumerate(nodes) for o in n.output}
    initializers = [init.name for init in graph.initializer]
    selected = set()
    for p in prefixes:
        ends = [i for i, n in enumerate(nodes) if p in (n.name, n.output[0])]
        for i in ends:
            for j in block_nodes(nodes, producers, i):
                selected.update(nodes[j].input)
        if not ends and not any(name.startswith(p) for name in initializers):
            raise SystemExit("--trainable-prefixes: %r names no node and prefixes no parameter" % p)
    return lambda name: name in selected or any(name.startswith(p) for p in prefixes)


class OnnxBackbone(nn.Module):
    """Interprets the converted backbone graph up to `output` (a value name; default the descriptor's pooled
    layer), then average-pools it.

    forward(x): x float NHWC [N,S,S,3] holding 0..255 values (what the graph's uint8 `pixels` would be).
    Returns [N, C] (the feature map's global average) or, with pool=False, the raw value named `output`.
    `trainable(name)` says which float initializers become trainable (None: none). Nodes before the first one
    that reads a trainable parameter run under torch.no_grad().
    """

    SUPPORTED = {
        "Cast", "Mul", "Add", "Div", "Max", "Transpose", "Conv", "Clip", "Relu", "MaxPool", "AveragePool", "Concat",
        "GlobalAveragePool", "Reshape", "ReduceL2",
    }  # fmt: skip

    def __init__(self, model, output=None, trainable=None, pool=True):
        super().__init__()
        graph = model.graph
        self.input_name = graph.input[0].name
        output = output or feature_layer(model)
        self.output = output
        self.pool = pool
        producers = {o: i for i, n in enumerate(graph.node) for o in n.output}
        if output not in producers:
            raise ValueError("no node outputs %r" % output)
        # Only the nodes the output depends on, in graph (topological) order.
        needed, stack = set(), [producers[output]]
        while stack:
            i = stack.pop()
            if i in needed:
                continue
            needed.add(i)
            stack.extend(producers[v] for v in graph.node[i].input if v in producers)
        self.nodes = [graph.node[i] for i in sorted(needed)]
        unsupported = sorted({n.op_type for n in self.nodes} - self.SUPPORTED)
        if unsupported:
            raise NotImplementedError("ONNX ops not supported by the interpreter: %s" % ", ".join(unsupported))

        used = {v for n in self.nodes for v in n.input}
        self.params = nn.ParameterDict()
        self.consts = {}  # scalar/int constants as Python values
        self.key = {}  # initializer name → ParameterDict key
        for init in graph.initializer:
            if init.name not in used:
                continue
            arr = numpy_helper.to_array(init)
            if arr.dtype == np.float32 and arr.ndim > 0 and arr.size > 1:
                key = init.name.replace("/", "__").replace(".", "_")
                train = trainable is not None and bool(trainable(init.name))
                self.params[key] = nn.Parameter(torch.from_numpy(arr.copy()), requires_grad=train)
                self.key[init.name] = key
            else:
                self.consts[init.name] = arr.tolist()
        self.attrs = [attributes(n) for n in self.nodes]
        # Index of the first node reading a trainable parameter: everything before it is a frozen prefix.
        self.first_trainable = len(self.nodes)
        for i, n in enumerate(self.nodes):
            if any(v in self.key and self.params[self.key[v]].requires_grad for v in n.input):
                self.first_trainable = i
                break

    def trainable_parameters(self):
        return [p for p in self.params.values() if p.requires_grad]

    def value(self, env, name):
        if name in env:
            return env[name]
        if name in self.key:
            return self.params[self.key[name]]
        return self.consts[name]

    def run_node(self, node, a, env):
        op = node.op_type
        x = [self.value(env, v) for v in node.input]
        if op == "Cast":
            if a["to"] != onnx.TensorProto.FLOAT:
                raise NotImplementedError("Cast to %d" % a["to"])
            y = x[0].float()
        elif op in ("Mul", "Add", "Div"):
            y = {"Mul": torch.mul, "Add": torch.add, "Div": torch.div}[op](x[0], x[1])
        elif op == "Max":
            y = x[0]
            for other in x[1:]:
                y = torch.clamp(y, min=other) if not torch.is_tensor(other) else torch.maximum(y, other.to(y.dtype))
        elif op == "Transpose":
            y = x[0].permute(*a["perm"])
        elif op == "Conv":
            w = x[1]
            b = x[2] if len(x) > 2 else None
            top, left, bottom, right = a.get("pads", [0, 0, 0, 0])
            inp = x[0]
            if (top, left) != (bottom, right):
                inp = F.pad(inp, (left, right, top, bottom))
                padding = (0, 0)
            else:
                padding = (top, left)
            y = F.conv2d(
                inp,
                w,
                b,
                stride=tuple(a.get("strides", [1, 1])),
                padding=padding,
                dilation=tuple(a.get("dilations", [1, 1])),
                groups=a.get("group", 1),
            )
        elif op == "Relu":
            y = F.relu(x[0])
        elif op in ("MaxPool", "AveragePool"):
            y = pool2d(x[0], op, a)
        elif op == "Concat":
            y = torch.cat(x, dim=a["axis"])
        elif op == "Clip":
            lo = x[1] if len(x) > 1 and node.input[1] else None
            hi = x[2] if len(x) > 2 and node.input[2] else None
            y = torch.clamp(x[0], min=lo, max=hi)
        elif op == "GlobalAveragePool":
            y = x[0].mean(dim=(2, 3), keepdim=True)
        elif op == "Reshape":
            shape = [x[0].shape[i] if s == 0 else s for i, s in enumerate(x[1])]
            y = x[0].reshape(shape)
        elif op == "ReduceL2":
            axes = a.get("axes")
            dims = tuple(axes) if axes is not None else tuple(range(x[0].dim()))
            y = torch.sqrt((x[0].float() ** 2).sum(dim=dims, keepdim=bool(a.get("keepdims", 1))))
        else:
            raise NotImplementedError(op)
        for name in node.output:
            env[name] = y

    def forward(self, x):
        env = {self.input_name: x}
        with torch.no_grad():
            for node, a in zip(self.nodes[: self.first_trainable], self.attrs[: self.first_trainable]):
                self.run_node(node, a, env)
        for node, a in zip(self.nodes[self.first_trainable :], self.attrs[self.first_trainable :]):
            self.run_node(node, a, env)
        y = env[self.output]
        if self.pool:
            y = y.float().mean(dim=(2, 3))
        return y


def pool2d(x, op, a):
    """ONNX MaxPool / AveragePool (NCHW, pads [top, left, bottom, right]); AveragePool's count_include_pad=0
    (Keras "same") divides by the number of real pixels in each window."""
    if a.get("ceil_mode", 0) or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise NotImplementedError("%s with ceil_mode/dilations" % op)
    kernel, strides = tuple(a["kernel_shape"]), tuple(a.get("strides", [1, 1]))
    top, left, bottom, right = a.get("pads", [0, 0, 0, 0])
    symmetric = (top, left) == (bottom, right) and 2 * top <= kernel[0] and 2 * left <= kernel[1]
    if op == "MaxPool":
        if symmetric:
            return F.max_pool2d(x, kernel, strides, padding=(top, left))
        return F.max_pool2d(F.pad(x, (left, right, top, bottom), value=float("-inf")), kernel, strides)
    include_pad = bool(a.get("count_include_pad", 0))
    if symmetric:
        return F.avg_pool2d(x, kernel, strides, padding=(top, left), count_include_pad=include_pad)
    summed = F.avg_pool2d(F.pad(x, (left, right, top, bottom)), kernel, strides) * (kernel[0] * kernel[1])
    if include_pad:
        return summed / (kernel[0] * kernel[1])
    ones = F.pad(torch.ones_like(x[:1, :1]), (left, right, top, bottom))
    return summed / (F.avg_pool2d(ones, kernel, strides) * (kernel[0] * kernel[1]))


# ----------------------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------------------


def decode_chunk(items):
    out = np.empty((len(items), 32, 32, 3), np.uint8)
    for i, data in enumerate(items):
        img = Image.open(io.BytesIO(data)).convert("RGB")
        if img.size != (32, 32):
            img = img.resize((32, 32), Image.BILINEAR)
        out[i] = np.asarray(img)
    return out


def load_cifar(path, workers):
    """All 60,000 images as uint8 [N,32,32,3], labels, in a stable order (split, class, file name)."""
    entries = []
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            if not member.isfile() or not member.name.lower().endswith((".jpg", ".jpeg", ".png")):
                continue
            parts = [p for p in member.name.split("/") if p not in ("", ".")]
            if len(parts) < 3 or parts[-3] not in ("train", "test") or parts[-2] not in CLASSES:
                continue
            entries.append(((parts[-3] == "test", CLASSES.index(parts[-2]), parts[-1]), tar.extractfile(member).read()))
    entries.sort(key=lambda e: e[0])
    labels = np.array([e[0][1] for e in entries], np.int64)
    blobs = [e[1] for e in entries]
    chunk = 2000
    chunks = [blobs[i : i + chunk] for i in range(0, len(blobs), chunk)]
    if workers > 1:
        with Pool(workers) as pool:
            arrays = pool.map(decode_chunk, chunks)
    else:
        arrays = [decode_chunk(c) for c in chunks]
    images = np.concatenate(arrays) if arrays else np.empty((0, 32, 32, 3), np.uint8)
    return images, labels


def split_indices(labels, seed, queries_per_class=100, train_per_class=500):
    rng = np.random.RandomState(seed)
    query, train, db = [], [], []
    for c in range(len(CLASSES)):
        idx = rng.permutation(np.flatnonzero(labels == c))
        query.append(idx[:queries_per_class])
        train.append(idx[queries_per_class : queries_per_class + train_per_class])
        db.append(idx[queries_per_class + train_per_class :])
    return [np.concatenate(x) for x in (query, train, db)]


def balanced_subset(indices, labels, limit, seed):
    """`limit` of `indices`, the same number per class (for smoke runs)."""
    if not limit or limit >= len(indices):
        return indices
    rng = np.random.RandomState(seed + 7)
    per = max(1, limit // len(CLASSES))
    return np.concatenate([rng.permutation(indices[labels[indices] == c])[:per] for c in range(len(CLASSES))])


def to_input(batch_u8, augment, size, generator=None, strong=False):
    """uint8 NHWC 32×32 on device → float NHWC size×size holding 0..255 for the backbone.
    No augmentation: bilinear upscale (align_corners=False).
    augment: random crop with 4-px zero padding + horizontal flip, then the upscale.
    augment and strong: a random resized crop (area 50–100 %, aspect 3/4–4/3, anywhere in the image) sampled
    bilinearly straight to size×size, horizontal flip, brightness and contrast ×0.8–1.2."""
    x = batch_u8.float()
    n = x.shape[0]
    dev = x.device
    if augment and strong:
        x = x.permute(0, 3, 1, 2)
        area = 0.5 + 0.5 * torch.rand(n, device=dev, generator=generator)
        log_ratio = (torch.rand(n, device=dev, generator=generator) * 2 - 1) * math.log(4 / 3)
        ratio = torch.exp(log_ratio)
        sx = torch.sqrt(area * ratio).clamp(max=1.0)
        sy = torch.sqrt(area / ratio).clamp(max=1.0)
        tx = (torch.rand(n, device=dev, generator=generator) * 2 - 1) * (1 - sx)
        ty = (torch.rand(n, device=dev, generator=generator) * 2 - 1) * (1 - sy)
        flip = torch.where(torch.rand(n, device=dev, generator=generator) < 0.5, -1.0, 1.0)
        theta = torch.zeros(n, 2, 3, device=dev)
        theta[:, 0, 0], theta[:, 0, 2], theta[:, 1, 1], theta[:, 1, 2] = sx * flip, tx, sy, ty
        grid = F.affine_grid(theta, (n, 3, size, size), align_corners=False)
        x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        b = 0.8 + 0.4 * torch.rand(n, 1, 1, 1, device=dev, generator=generator)
        c = 0.8 + 0.4 * torch.rand(n, 1, 1, 1, device=dev, generator=generator)
        x = ((x - mean) * c + mean * b).clamp(0, 255)
        return x.permute(0, 2, 3, 1)
    if augment:
        x = F.pad(x, (0, 0, 4, 4, 4, 4))  # NHWC: pad W and H by 4 with zeros
        oy = torch.randint(0, 9, (n,), device=dev, generator=generator)
        ox = torch.randint(0, 9, (n,), device=dev, generator=generator)
        ar = torch.arange(32, device=dev)
        rows = (oy[:, None] + ar)[:, :, None]
        cols = (ox[:, None] + ar)[:, None, :]
        x = x[torch.arange(n, device=dev)[:, None, None], rows, cols]  # [n,32,32,3]
        flip = torch.rand(n, device=dev, generator=generator) < 0.5
        x = torch.where(flip[:, None, None, None], x.flip(2), x)
    x = x.permute(0, 3, 1, 2)
    x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return x.permute(0, 2, 3, 1)


# ----------------------------------------------------------------------------------------------------------
# Metric: tie-aware MAP@all by Hamming distance
# ----------------------------------------------------------------------------------------------------------


def tie_aware_ap(relevant, total):
    """Port of tieAwareAveragePrecision (training/metrics/average-precision.ts), vectorised over rows.
    relevant, total: [Q, G] counts per group (group g = Hamming distance g), float64. Returns [Q]."""
    relevant = relevant.double()
    total = total.double()
    item_count = int(total.sum(dim=1).max().item())
    h = torch.zeros(item_count + 1, dtype=torch.float64, device=total.device)
    h[1:] = torch.cumsum(1.0 / torch.arange(1, item_count + 1, dtype=torch.float64, device=total.device), 0)
    before = torch.cumsum(total, 1) - total
    relevant_before = torch.cumsum(relevant, 1) - relevant
    n, r = total, relevant
    span = h[(before + n).long()] - h[before.long()]
    others_rate = torch.where(n > 1, (r - 1) / (n - 1).clamp(min=1), torch.zeros_like(n))
    sum_of_offsets = n - (before + 1) * span
    term = (r / n.clamp(min=1)) * ((relevant_before + 1) * span + others_rate * sum_of_offsets)
    s = torch.where(r > 0, term, torch.zeros_like(term)).sum(dim=1)
    all_relevant = r.sum(dim=1)
    return torch.where(all_relevant > 0, s / all_relevant.clamp(min=1), torch.zeros_like(s))


def hamming_map(query_codes, query_labels, db_codes, db_labels, chunk=100):
    """Codes are ±1 float [N,K]. MAP@all over the whole database, tie-aware."""
    k = query_codes.shape[1]
    groups = k + 1
    aps = []
    db_codes = db_codes.float()
    for s in range(0, query_codes.shape[0], chunk):
        q = query_codes[s : s + chunk].float()
        dist = ((k - q @ db_codes.t()) / 2).round().long()  # [q, D]
        rel = (query_labels[s : s + chunk, None] == db_labels[None, :]).long()
        offsets = torch.arange(q.shape[0], device=q.device)[:, None] * groups
        idx = (dist + offsets).reshape(-1)
        total = torch.bincount(idx, minlength=q.shape[0] * groups).reshape(q.shape[0], groups)
        relevant = torch.bincount(idx, weights=rel.reshape(-1).double(), minlength=q.shape[0] * groups)
        aps.append(tie_aware_ap(relevant.reshape(q.shape[0], groups), total))
    return torch.cat(aps).mean().item()


# ----------------------------------------------------------------------------------------------------------
# Heads and loss
# ----------------------------------------------------------------------------------------------------------


def sylvester_hadamard(k):
    h = np.ones((1, 1), np.int64)
    while h.shape[0] < k:
        h = np.block([[h, h], [h, -h]])
    return h


def hash_centers(bits, classes, seed):
    """One ±1 centre of `bits` bits per class, far apart (Central Similarity Quantization, Yuan et al. 2020): rows
    of a Hadamard matrix and their negations when `bits` is a power of two (pairwise distance bits/2), else the
    best of 2,000 random draws (largest minimum pairwise Hamming distance, then largest mean)."""
    if bits & (bits - 1) == 0 and 2 * bits >= classes:
        h = sylvester_hadamard(bits)
        return np.concatenate([h, -h])[:classes].astype(np.float32)
    rng = np.random.RandomState(seed * 1000 + bits)
    best, best_key = None, None
    for _ in range(2000):
        c = rng.choice([-1, 1], size=(classes, bits))
        d = (bits - c @ c.T) / 2
        off = d[~np.eye(classes, dtype=bool)]
        key = (off.min(), off.mean())
        if best_key is None or key > best_key:
            best, best_key = c, key
    return best.astype(np.float32)


class HashHead(nn.Module):
    """Linear D→K; forward gives the pre-activation h, u = tanh(h), code = sign(h). `loss`:
    - `pairwise`: CE(linear classifier on u) + DPSH pairwise likelihood in the batch + QUANT_WEIGHT·quantisation;
    - `centers`: per-bit binary cross-entropy of (u+1)/2 against the class's hash centre (CSQ) + CE(classifier on u)
      + QUANT_WEIGHT·quantisation."""

    def __init__(self, dim, bits, classes, seed, loss="pairwise", label_smoothing=0.0):
        super().__init__()
        g = torch.get_rng_state()
        torch.manual_seed(seed * 1000 + bits)  # same initial head in every mode
        self.hash = nn.Linear(dim, bits)
        self.classifier = nn.Linear(bits, classes)
        torch.set_rng_state(g)
        self.bits = bits
        self.kind = loss
        self.label_smoothing = label_smoothing
        self.register_buffer("centers", torch.from_numpy(hash_centers(bits, classes, seed)))

    def forward(self, features):
        return self.hash(features.float())

    def loss(self, h, labels):
        u = torch.tanh(h)
        ce = F.cross_entropy(self.classifier(u), labels, label_smoothing=self.label_smoothing)
        if self.kind == "centers":
            # (u+1)/2 = sigmoid(2h): BCE with logits 2h against the centre's bits in {0,1}.
            pair = F.binary_cross_entropy_with_logits(2 * h, (self.centers[labels] + 1) / 2)
        else:
            similar = (labels[:, None] == labels[None, :]).float()
            theta = 0.5 * (u @ u.t())
            pair = (F.softplus(theta) - similar * theta).mean()
        quant = ((u.abs() - 1) ** 2).mean()
        return ce + pair + QUANT_WEIGHT * quant, torch.stack([ce, pair, quant]).detach()  # no GPU sync per step

    def codes(self, features):
        h = self.hash(features.float())
        return torch.where(h >= 0, torch.ones_like(h), -torch.ones_like(h))

    def predict(self, features):
        """Class decisions of the head's classifier (for the queries' accuracy)."""
        return self.classifier(torch.tanh(self.hash(features.float()))).argmax(dim=1)


def autocast(device, enabled):
    if device.type == "cuda" and enabled:
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return torch.autocast(device_type="cpu", enabled=False)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def encode(backbone, images_u8, device, batch, use_amp, size):
    """Pooled features (MobileNetV2 1280-d, InceptionV3 2048-d) of uint8 images, no augmentation, float32 on device."""
    out = []
    with torch.no_grad(), autocast(device, use_amp):
        for s in range(0, images_u8.shape[0], batch):
            x = to_input(images_u8[s : s + batch].to(device, non_blocking=True), augment=False, size=size)
            out.append(backbone(x).float())
    return torch.cat(out)


def cosine_schedule(optimizer, steps):
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: 0.5 * (1 + math.cos(math.pi * min(i, steps) / max(steps, 1))))


def fit(groups, n, features_of, heads, labels, args, device, tag):
    """The one training loop: AdamW over `groups`, cosine decay, `args.epochs` passes over n items in a seeded
    order; `features_of(idx)` gives a batch's features; the loss is the sum of every head's."""
    opt = torch.optim.AdamW(groups, weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(n / args.batch)
    sched = cosine_schedule(opt, args.epochs * steps_per_epoch)
    g = torch.Generator(device="cpu")
    g.manual_seed(args.seed)
    started = time.time()
    for epoch in range(args.epochs):
        perm = torch.randperm(n, generator=g).to(device)
        total, parts = 0.0, 0.0
        for s in range(0, n, args.batch):
            idx = perm[s : s + args.batch]
            f, y = features_of(idx), labels[idx]
            loss = 0
            for h in heads:
                l, p = h.loss(h(f), y)
                loss = loss + l
                parts += p
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total = total + loss.detach()
        sync(device)
        total, parts = float(total), (parts / steps_per_epoch / len(heads)).tolist()
        log(
            "%s epoch %d/%d loss %.4f (per head: ce %.3f pair/centre %.3f quant %.3f) %.1fs"
            % (tag, epoch + 1, args.epochs, total / steps_per_epoch, *parts, time.time() - started)
        )
    return time.time() - started


def head_group(heads, args):
    return {"params": [p for h in heads for p in h.parameters()], "lr": args.lr_head}


def train_heads(heads, features, labels, args, device, tag):
    """Frozen mode: heads trained on fixed features."""
    return fit([head_group(heads, args)], features.shape[0], lambda idx: features[idx], heads, labels, args, device, tag)


def finetune(backbone, heads, images_u8, labels, args, device, tag):
    """Fine-tunes the trainable backbone tail and all `heads` together (sum of their losses)."""
    groups = [head_group(heads, args)]
    tail = backbone.trainable_parameters()
    if tail:
        groups.append({"params": tail, "lr": args.lr_backbone})
    aug = torch.Generator(device=device)
    aug.manual_seed(args.seed)
    images_dev = images_u8.to(device)

    def features_of(idx):
        x = to_input(images_dev[idx], augment=True, size=args.input_size, generator=aug, strong=args.augment == "strong")
        with autocast(device, args.amp):
            return backbone(x).float()

    return fit(groups, images_u8.shape[0], features_of, heads, labels, args, device, tag)


# ----------------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--onnx", required=True, help="backbone ONNX (or .onnx.gz) from training/gpu/export-backbone.ts")
    ap.add_argument("--cifar", required=True, help="cifar10-jpeg.tar.gz (train/<class>/*.jpg, test/<class>/*.jpg)")
    ap.add_argument("--out", required=True, help="JSON results file")
    ap.add_argument("--bits", default="12,24,32,48,64")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr-backbone", type=float, default=1e-4)
    ap.add_argument("--lr-head", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--from-block", type=int, default=11, help="MobileNetV2: fine-tune block_N..block_16 and Conv_1")
    ap.add_argument("--trainable-prefixes", default="",
                    help="comma list to fine-tune instead of --from-block: a node name selects the block ending at it "
                    "(InceptionV3: mixed9,mixed10), anything else is a parameter-name prefix (conv2d_94/, block_15_)")
    ap.add_argument("--input-size", type=int, default=0,
                    help="upscale CIFAR to this size (default: the ONNX input's static size)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--loss", choices=["pairwise", "centers"], default="pairwise",
                    help="pairwise: CE + DPSH pairwise likelihood; centers: CE + BCE to per-class hash centres (CSQ)")
    ap.add_argument("--label-smoothing", type=float, default=0.0, help="of the classifier's cross-entropy")
    ap.add_argument("--augment", choices=["crop", "strong"], default="crop",
                    help="fine-tuning augmentation: crop = 4-px pad-crop + flip; strong = random resized crop + flip "
                    "+ brightness/contrast")
    ap.add_argument("--modes", default="frozen,finetune", help="comma list of frozen, finetune (in this order)")
    ap.add_argument("--frozen", action="store_true", help="only the frozen-backbone baseline (= --modes frozen)")
    ap.add_argument("--finetune", action="store_true", help="only fine-tuning (= --modes finetune)")
    ap.add_argument("--shared-backbone", dest="shared", action="store_true", default=True,
                    help="fine-tune one backbone with all heads attached (default)")
    ap.add_argument("--no-shared-backbone", dest="shared", action="store_false",
                    help="fine-tune a separate backbone per code length (5x the cost)")
    ap.add_argument("--limit-train", type=int, default=0, help="subsample the 5,000 training images (smoke runs)")
    ap.add_argument("--limit-db", type=int, default=0, help="subsample the 54,000-image database (smoke runs)")
    ap.add_argument("--eval-batch", type=int, default=0, help="encoding batch (default 500 on CUDA, 100 on CPU)")
    ap.add_argument("--workers", type=int, default=min(16, os.cpu_count() or 1), help="JPEG decoding processes")
    ap.add_argument("--no-amp", dest="amp", action="store_false", default=True, help="no bf16 autocast on CUDA")
    args = ap.parse_args()

    modes = [m for m in args.modes.split(",") if m]
    if args.frozen or args.finetune:
        modes = [m for m, on in (("frozen", args.frozen), ("finetune", args.finetune)) if on]
    bits = [int(b) for b in args.bits.split(",")]
    log("torch %s, python %s" % (torch.__version__, sys.version.split()[0]))
    t0 = time.time()
    # Decode before touching CUDA: the decoding pool forks.
    images, labels = load_cifar(args.cifar, args.workers)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    log("device %s%s" % (device, " (%s)" % torch.cuda.get_device_name(0) if device.type == "cuda" else ""))
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    eval_batch = args.eval_batch or (500 if device.type == "cuda" else 100)
    torch.manual_seed(args.seed)
    if images.shape[0] != 60000:
        log("warning: %d images (expected 60,000)" % images.shape[0])
    query_idx, train_idx, db_idx = split_indices(labels, args.seed)
    train_idx = balanced_subset(train_idx, labels, args.limit_train, args.seed)
    db_idx = balanced_subset(db_idx, labels, args.limit_db, args.seed)
    log("CIFAR-10: %d images decoded in %.1fs; %d queries, %d training, %d database"
        % (images.shape[0], time.time() - t0, len(query_idx), len(train_idx), len(db_idx)))

    images_t = torch.from_numpy(images)
    labels_t = torch.from_numpy(labels).to(device)
    model = load_onnx(args.onnx)
    onnx_size = input_size(model)
    if not args.input_size:
        args.input_size = onnx_size
    elif args.input_size != onnx_size and size_dependent_nodes(model):
        raise SystemExit("--input-size %d: the graph's pads were computed for %d (%s); export it at this size"
                         % (args.input_size, onnx_size, ", ".join(size_dependent_nodes(model)[:3])))
    prefixes = [p for p in args.trainable_prefixes.split(",") if p]
    trainable = prefix_rule(model.graph, prefixes) if prefixes else from_block_rule(args.from_block)
    log("backbone %s: input %dx%d (graph %d), features %s" % (args.onnx, args.input_size, args.input_size, onnx_size,
                                                              feature_layer(model)))
    results = []
    timings = {}

    def write_results(final):
        """Rewritten after every mode, so a run cut short still leaves the rows it finished."""
        config = {k: v for k, v in vars(args).items()}
        config.update(
            {
                "modesRun": modes,
                "complete": final,
                "device": str(device) + (" " + torch.cuda.get_device_name(0) if device.type == "cuda" else ""),
                "torch": torch.__version__,
                "queries": len(query_idx),
                "training": len(train_idx),
                "database": len(db_idx),
                "inputSize": args.input_size,
                "onnxInputSize": onnx_size,
                "featureLayer": feature_layer(model),
                "upscale": "bilinear 32->%d (align_corners=False), float, no rounding" % args.input_size,
                "augmentation": "finetune only: "
                + ("random resized crop (area 0.5-1, aspect 3/4-4/3) + horizontal flip + brightness/contrast x0.8-1.2"
                   if args.augment == "strong" else "random crop with 4-px zero padding + horizontal flip"),
                "loss": "per head: CE(linear classifier on K tanh units, label smoothing %g) + %s + %g*mean((|tanh|-1)^2); "
                "summed over heads" % (args.label_smoothing,
                                       "per-bit BCE to the class's hash centre (CSQ)" if args.loss == "centers"
                                       else "DPSH pairwise likelihood in batch (theta=u.u/2)", QUANT_WEIGHT),
                "metric": "MAP@all over the database, Hamming ranking, tie-aware AP",
                "timings": timings,
                "totalSeconds": round(time.time() - t0, 1),
            }
        )
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump({"results": results, "config": config}, f, indent=2)

    def evaluate(backbone, heads, mode, train_seconds, features=None):
        started = time.time()
        if features is None:
            q_f = encode(backbone, images_t[query_idx], device, eval_batch, args.amp, args.input_size)
            d_f = encode(backbone, images_t[db_idx], device, eval_batch, args.amp, args.input_size)
        else:
            q_f, d_f = features[0], features[1]
        q_y, d_y = labels_t[torch.from_numpy(query_idx).to(device)], labels_t[torch.from_numpy(db_idx).to(device)]
        for h in heads:
            with torch.no_grad():
                m = hamming_map(h.codes(q_f), q_y, h.codes(d_f), d_y)
                accuracy = (h.predict(q_f) == q_y).float().mean().item()
            results.append({"mode": mode, "bits": h.bits, "map": m, "queryAccuracy": round(accuracy, 4),
                            "trainSeconds": round(train_seconds[h.bits], 2)})
            log("%s %d bits: MAP@all %.4f, query accuracy %.4f" % (mode, h.bits, m, accuracy))
        key = "%s evaluationSeconds" % mode
        timings[key] = round(timings.get(key, 0) + time.time() - started, 2)
        log("%s: evaluation %.1fs" % (mode, time.time() - started))
        write_results(final=False)

    if "frozen" in modes:
        backbone = OnnxBackbone(model).to(device).eval()
        started = time.time()
        needed = np.concatenate([query_idx, train_idx, db_idx])
        feats = encode(backbone, images_t[needed], device, eval_batch, args.amp, args.input_size)
        nq, nt = len(query_idx), len(train_idx)
        q_f, t_f, d_f = feats[:nq], feats[nq : nq + nt], feats[nq + nt :]
        sync(device)
        timings["frozenFeatureSeconds"] = round(time.time() - started, 2)
        log("frozen: %d features (%d-d) in %.1fs" % (feats.shape[0], feats.shape[1], timings["frozenFeatureSeconds"]))
        t_y = labels_t[torch.from_numpy(train_idx).to(device)]
        heads = [HashHead(feats.shape[1], b, len(CLASSES), args.seed, args.loss, args.label_smoothing).to(device)
                 for b in bits]
        seconds = train_heads(heads, t_f, t_y, args, device, "frozen")
        evaluate(backbone, heads, "frozen", {b: seconds for b in bits}, features=(q_f, d_f))
        del backbone, feats, q_f, t_f, d_f

    if "finetune" in modes:
        mode = "finetune-" + ("+".join(prefixes) if prefixes else "from-block%d" % args.from_block)
        groups = [bits] if args.shared else [[b] for b in bits]
        for group in groups:
            backbone = OnnxBackbone(model, trainable=trainable).to(device)  # fresh ONNX weights each time
            n_trainable = sum(p.numel() for p in backbone.trainable_parameters())
            log("%s: %d trainable backbone parameters of %d; frozen prefix = %d of %d nodes; heads %s"
                % (mode, n_trainable, sum(p.numel() for p in backbone.params.values()), backbone.first_trainable,
                   len(backbone.nodes), ",".join(map(str, group))))
            with torch.no_grad():
                dim = backbone(torch.zeros(1, args.input_size, args.input_size, 3, device=device)).shape[1]
            heads = [HashHead(dim, b, len(CLASSES), args.seed, args.loss, args.label_smoothing).to(device)
                     for b in group]
            t_y = labels_t[torch.from_numpy(train_idx).to(device)]
            seconds = finetune(backbone, heads, images_t[train_idx], t_y, args, device, mode)
            evaluate(backbone, heads, mode, {b: seconds for b in group})
            del backbone

    write_results(final=True)
    log("")
    log("%-24s | %4s | %7s | %14s | %s" % ("mode", "bits", "MAP@all", "query accuracy", "train seconds"))
    for r in results:
        log("%-24s | %4d | %7.4f | %14.4f | %.1f" % (r["mode"], r["bits"], r["map"], r["queryAccuracy"], r["trainSeconds"]))
    log("wrote %s (total %.1fs)" % (args.out, time.time() - t0))

if __name__ == "__main__":
    sys.exit(main())
