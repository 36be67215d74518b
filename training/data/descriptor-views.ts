/**
 * Augmented views of the training images for a head trained on frozen backbone descriptors (CIFAR-10): the
 * mirror image, then the standard small-image augmentation — pad by reflection, cut a window of the original
 * size at a random offset, mirror half of them — applied to the pixels, then described by the backbone once, offline
 * (`training/cli/export-cifar-descriptors.ts --views N --seed S`). The benchmark appends the views of the split's
 * training images as extra training items with their source's label (`bench:train --views`); queries and
 * database stay the original images.
 *
 * The head never sees pixels, so augmentation has to happen before the backbone: these files are what
 * `augmentShift` / `augmentRotate` are for raw-pixel sets.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RawImage } from '../../model/types.js';
import { descriptorSetVersion, type LabelledSet } from './datasets.js';
import type { Random } from '../compute/rng.js';

/** One augmented view: a window of the reflection-padded picture, top-left at (dx, dy) of the padded one. */
export interface ViewTransform {
  dx: number;
  dy: number;
  mirror: boolean;
}

/** A view drawn uniformly: offsets 0 … 2·pad, mirrored with probability ½. */
export function randomView(random: Random, pad: number): ViewTransform {
  return { dx: random.int(2 * pad + 1), dy: random.int(2 * pad + 1), mirror: random.next() < 0.5 };
}

/**
 * The k-th view of an image: the first is its mirror image (the whole picture, left–right), the others are
 * drawn by `randomView`. So one view per image is mirroring alone, which measured better than random windows.
 */
export function nthView(k: number, random: Random, pad: number): ViewTransform {
  return k === 0 ? { dx: pad, dy: pad, mirror: true } : randomView(random, pad);
}

/** Reflection without repeating the edge (… 2 1 | 0 1 2 … n−1 | n−2 …), as PyTorch's 'reflect' pads. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/**
 * The picture padded by `pad` pixels on every side by reflection, cut back to its own size at
 * (view.dx, view.dy) of the padded picture (pad, pad is the original), then mirrored left–right if asked.
 */
export function padCropMirror(image: RawImage, view: ViewTransform, pad: number): RawImage {
  const { width, height, channels } = image;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const sy = reflect(y + view.dy - pad, height);
    for (let x = 0; x < width; x++) {
      const ox = view.mirror ? width - 1 - x : x;
      const sx = reflect(x + view.dx - pad, width);
      const from = (sy * width + sx) * channels;
      const to = (y * width + ox) * channels;
      for (let c = 0; c < channels; c++) data[to + c] = image.data[from + c]!;
    }
  }
  return { data, width, height, channels };
}

/** Descriptors of augmented views, each row naming the row of the full set it was made from. */
export interface DescriptorViews {
  dim: number;
  /** Row of the full descriptor set each view comes from. */
  sources: Int32Array;
  /** [sources.length, dim] row-major. */
  features: Float32Array;
  /** The backbone that described them (files written before it was recorded have none). */
  backboneVersion?: string;
}

function viewFiles(dir: string, seed: number): { meta: string; data: string } {
  return { meta: path.join(dir, `views-seed${seed}.json`), data: path.join(dir, `views-seed${seed}.f32`) };
}

export function writeDescriptorViews(dir: string, seed: number, views: DescriptorViews): void {
  const files = viewFiles(dir, seed);
  const { features } = views;
  writeFileSync(files.data, new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
  writeFileSync(
    files.meta,
    JSON.stringify({ dim: views.dim, sources: Array.from(views.sources), backboneVersion: views.backboneVersion }),
  );
}

/**
 * The views exported for split seed `seed`, or null when there are none. Refuses views described by another
 * backbone than the descriptors in the same folder (when both files record it): they would not be the same
 * features.
 */
export function loadDescriptorViews(dir: string, seed: number): DescriptorViews | null {
  const files = viewFiles(dir, seed);
  if (!existsSync(files.meta) || !existsSync(files.data)) return null;
  const info = JSON.parse(readFileSync(files.meta, 'utf8')) as {
    dim: number;
    sources: number[];
    backboneVersion?: string;
  };
  const descriptorsVersion = descriptorSetVersion(dir);
  if (info.backboneVersion && descriptorsVersion && info.backboneVersion !== descriptorsVersion)
    throw new Error(
      `${files.meta}: views described by ${info.backboneVersion}, the descriptors by ${descriptorsVersion}; export the views again`,
    );
  const bytes = readFileSync(files.data);
  const features = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (features.length !== info.sources.length * info.dim)
    throw new Error(`${files.data}: expected ${info.sources.length}×${info.dim} floats, found ${features.length}`);
  return {
    dim: info.dim,
    sources: Int32Array.from(info.sources),
    features,
    ...(info.backboneVersion ? { backboneVersion: info.backboneVersion } : {}),
  };
}

/**
 * The training set with the views of its items appended as more items, each labelled as its source. `trainRows`
 * are the training items' rows in the full set (what the views' `sources` name); views of other rows (queries,
 * database) are never used.
 */
export function appendViews(train: LabelledSet, trainRows: readonly number[], views: DescriptorViews): LabelledSet {
  if (views.dim !== train.dim) throw new Error(`views are ${views.dim}-d, the training rows ${train.dim}-d`);
  const position = new Map<number, number>(trainRows.map((row, i) => [row, i]));
  const kept: number[] = [];
  views.sources.forEach((source, v) => {
    if (position.has(source)) kept.push(v);
  });
  const count = train.count + kept.length;
  const features = new Float32Array(count * train.dim);
  features.set(train.features.subarray(0, train.count * train.dim));
  const labels = new Int32Array(count);
  labels.set(train.labels.subarray(0, train.count));
  kept.forEach((v, k) => {
    features.set(views.features.subarray(v * train.dim, (v + 1) * train.dim), (train.count + k) * train.dim);
    labels[train.count + k] = train.labels[position.get(views.sources[v]!)!]!;
  });
  return { features, dim: train.dim, count, labels };
}
