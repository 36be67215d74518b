#!/usr/bin/env python3
"""Linear probe of frozen backbone features (CPU; seconds per layer).

Reads what `npx tsx training/cli/probe-layers.ts --out DIR` wrote (pooled feature maps of the CIFAR-10 paper
split's 1,000 queries and 5,000 training images) and, for every feature set, trains a softmax classifier
on the training rows (features standardised with the training rows' mean and deviation; Adam, learning
rate 1e-3, weight decay 1e-2, 300 full-batch steps, torch seed 0) and prints the fraction of queries it
classifies right. A hashing head on the same frozen features cannot rank a query's own class first for
more queries than a classifier recognises, so this bounds what a head-only trainer can reach.

    /usr/bin/python3 training/gpu/linear_probe.py DIR [--combine block_10_expand_relu:regions2x2+block_13_expand_relu:gap ...]
      [--also DIR2 ...]

Each --combine concatenates feature sets (`layer:gap` or `layer:regions2x2`). `--also DIR2` (another
network's probe of the same split, e.g. InceptionV3 beside MobileNetV2) lets a --combine name that
directory's layers too; only DIR's own sets are probed one by one. Needs numpy and torch (Debian:
python3-torch).
"""
import argparse
import json
import os

import numpy as np
import torch


def probe(x, labels, train, query, steps=300):
    torch.manual_seed(0)
    xt = torch.tensor(x[train])
    xq = torch.tensor(x[query])
    mean, std = xt.mean(0), xt.std(0) + 1e-6
    xt, xq = (xt - mean) / std, (xq - mean) / std
    yt, yq = torch.tensor(labels[train]), torch.tensor(labels[query])
    layer = torch.nn.Linear(xt.shape[1], int(labels.max()) + 1)
    opt = torch.optim.Adam(layer.parameters(), lr=1e-3, weight_decay=1e-2)
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(layer(xt), yt).backward()
        opt.step()
    with torch.no_grad():
        return (layer(xq).argmax(1) == yq).float().mean().item(), (layer(xt).argmax(1) == yt).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('dir')
    parser.add_argument('--combine', action='append', default=[])
    parser.add_argument('--also', action='append', default=[])
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    meta = json.load(open(os.path.join(args.dir, 'meta.json')))
    labels = np.array(meta['labels'])
    role = np.array(meta['role'])
    train, query = role == 'train', role == 'query'
    n = len(labels)
    for other in args.also:
        other_meta = json.load(open(os.path.join(other, 'meta.json')))
        if other_meta['labels'] != meta['labels'] or other_meta.get('role') != meta['role']:
            parser.error(f'{other} holds another split than {args.dir} (labels or roles differ)')

    def path_of(name):
        found = [d for d in [args.dir, *args.also] if os.path.exists(os.path.join(d, name + '.f32'))]
        if len(found) != 1:
            where = 'none of ' if not found else 'more than one of '
            parser.error(f"{name}: in {where}{', '.join([args.dir, *args.also])}")
        return os.path.join(found[0], name + '.f32')

    def load(name):
        return np.fromfile(path_of(name), dtype=np.float32).reshape(n, -1)

    names = sorted(
        (f[:-4] for f in os.listdir(args.dir) if f.endswith('.f32')),
        key=lambda s: (list(meta['layerShapes']).index(s.rsplit('.', 1)[0]), s),
    )
    sets = [(name.replace('.', ' '), lambda name=name: load(name)) for name in names]
    for combo in args.combine:
        parts = [p.replace(':', '.') for p in combo.split('+')]
        for part in parts:
            path_of(part)  # a misspelt or ambiguous set fails now, not after the other probes
        sets.append((' + '.join(p.replace('.', ' ') for p in parts), lambda parts=parts: np.hstack([load(p) for p in parts])))

    print(f"{meta['model']}, {meta['size']} px, paper split seed {meta['seed']}: "
          f'{int(train.sum())} training images, {int(query.sum())} queries')
    print('| features | dim | query accuracy | training accuracy |')
    print('| --- | --- | --- | --- |')
    for name, get in sets:
        x = get()
        acc, train_acc = probe(x, labels, train, query)
        print(f'| {name} | {x.shape[1]} | {acc:.3f} | {train_acc:.3f} |', flush=True)


if __name__ == '__main__':
    main()
