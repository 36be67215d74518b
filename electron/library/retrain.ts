/**
 * Retraining the similarity head on the user's albums (issue 24): the trainer (training/, Deep Policy Hashing's
 * listwise policy loop in a worker thread) learns from the stored descriptors of the photos in albums (no file is
 * decoded), two photos being relevant when they share an album. A part of each album is held out, and its MAP@all
 * against the rest is measured with the head in use and with the new one, so the user sees what the new head does
 * before choosing it. This module makes and measures the new head; electron/library/head-switch.ts keeps it and
 * switches the library to it.
 */
import type { Progress } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { openSession } from '../../model/encoder.js';
import { holdOutAlbums } from '../../training/data/album-split.js';
import { type LabelledSet, subset } from '../../training/data/datasets.js';
import { type HeadMetadata, trainHead } from '../../training/loop/train-head.js';
import { packCodes, type PackedCodes } from '../../training/metrics/hamming-kernel.js';
import { averagePrecisions } from '../../training/metrics/ranking-metrics.js';
import { labelSets } from '../../training/metrics/relevance.js';
import { dequantizeDescriptor, type PhotoEncoder } from './analyzer.js';
import type { Catalog } from './catalog/catalog.js';

/** Albums a retrain needs: relevance is sharing an album, so with one album every photo is relevant to every other. */
export const MIN_ALBUMS = 2;
/**
 * Photos (with a stored descriptor) each album needs: `npm run bench:retrain -- --sizes` lifted every album's
 * held-out AP from 10 photos an album up, while at 5 one album of ten fell (tests/bench/README.md).
 */
export const MIN_ALBUM_PHOTOS = 10;
/** Share of each album held out to measure the heads on photos the training did not see. */
export const HELD_OUT_SHARE = 0.2;
/**
 * The trainer's settings: DPH with the class-hash-centre pull and class weighting (training/README.md's best on
 * descriptors; albums of very different sizes weigh alike), a hidden layer of 512, 30 epochs. On a simulated
 * user's ten albums (2,000 photos) they lift held-out MAP from 0.41 to 0.88 (clothing) and 0.35 to 0.99 (digits)
 * in about 22 s (bench:retrain).
 */
const SETTINGS = {
  method: 'dph',
  hiddenDim: 512,
  epochs: 30,
  batchSize: 64,
  learningRate: 1e-3,
  weightDecay: 1e-4,
  classBalancePower: 0.5,
  policy: { centreWeight: 0.05 },
} as const;

export interface RetrainOptions {
  /** Album names to learn from (default: every album). */
  albums?: readonly string[];
  /**
   * The listwise policy loop (default), DRLIH's sequential bit policy (training/methods/train-drlih.ts), or DPSH's
   * pairwise loss for comparison.
   */
  method?: 'dph' | 'dpsh' | 'drlih';
  epochs?: number;
  seed?: number;
  /** Trainer threads (default: onnxruntime's choice). */
  threads?: number;
}

/** A new similarity head and what it does for the albums' held-out photos, next to the head in use. */
export interface RetrainedHead {
  onnx: Uint8Array;
  metadata: HeadMetadata;
  /** MAP@all of the held-out photos ranked against the albums' other photos: the head in use, the new one. */
  before: { map: number };
  after: { map: number };
  /** Per album: photos learnt from and held out, and the held-out photos' mean AP before and after. */
  albums: { name: string; photos: number; heldOut: number; before: number; after: number }[];
  photos: number;
  seconds: number;
  /** The backbone whose descriptors it reads, and the version of the head in use it was measured against. */
  backboneVersion: string;
  inUse: string;
}

/**
 * Trains a similarity head on the albums and measures it against the head in use (`encoder`'s). Refuses, with a
 * sentence and nothing done, fewer than MIN_ALBUMS albums or an album of fewer than MIN_ALBUM_PHOTOS photos.
 * Cancelled through `signal` (AbortError); a failed or cancelled run leaves nothing behind.
 */
export async function retrainSimilarity(
  catalog: Catalog,
  encoder: Pick<PhotoEncoder, 'hash' | 'codes' | 'backboneVersion'>,
  options: RetrainOptions = {},
  hooks: { signal?: AbortSignal; onProgress?: (progress: Progress) => void } = {},
): Promise<RetrainedHead> {
  const started = performance.now();
  const albums = chosenAlbums(catalog, options.albums);
  const backbone = encoder.backboneVersion;
  if (!backbone) throw new AppError('MODEL_ERROR', 'The model makes no descriptors to learn from.');
  const rows = catalog.albums.trainingPhotos(
    backbone,
    albums.map((a) => a.id),
  );
  const counts = new Map<number, number>();
  for (const row of rows) for (const album of row.albums) counts.set(album, (counts.get(album) ?? 0) + 1);
  refuseTooLittle(albums, counts);

  const dim = rows[0]!.data.length;
  const features = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => features.set(dequantizeDescriptor(row.data, row.scale), i * dim));
  const memberships = rows.map((row) => row.albums);
  const { labels, relation, sets } = labelSets(memberships);
  const all: LabelledSet = { features, dim, count: rows.length, labels, relation };
  const split = holdOutAlbums(memberships, HELD_OUT_SHARE, options.seed ?? 1);
  const [trainSet, heldOut] = [subset(all, split.train), subset(all, split.heldOut)];

  const bits = encoder.codes.sim.bits;
  const descriptors = rows.map((_, i) => features.subarray(i * dim, (i + 1) * dim));
  const inUse = packWords(await encoder.hash('sim', descriptors), bits);
  hooks.signal?.throwIfAborted();
  const epochs = options.epochs ?? SETTINGS.epochs;
  const { onnx, metadata } = await trainHead(
    {
      ...SETTINGS,
      method: options.method ?? SETTINGS.method,
      // The held-out photos are only watched (the progress's validation MAP), never chosen by.
      data: { train: trainSet, validation: { queries: heldOut, database: trainSet } },
      dataDescription: `albums: ${rows.length} photos in ${albums.length} albums`,
      bits,
      epochs,
      seed: options.seed ?? 1,
      threads: options.threads,
    },
    {
      signal: hooks.signal,
      onProgress: ({ epoch, step, reward, mapValidation }) =>
        hooks.onProgress?.({ phase: 'train', epoch, step, reward, mapValidation }),
    },
  );
  const retrained = packCodes(await runHead(onnx, all), rows.length, bits);

  const heldOutAps = (codes: PackedCodes) =>
    averagePrecisions(
      select(codes, split.heldOut),
      heldOut.labels,
      select(codes, split.train),
      trainSet.labels,
      undefined,
      relation,
    );
  const [beforeAps, afterAps] = [heldOutAps(inUse), heldOutAps(retrained)];
  const mean = (aps: Float64Array, keep: (q: number) => boolean = () => true) => {
    let [sum, n] = [0, 0];
    aps.forEach((ap, q) => keep(q) && ((sum += ap), n++));
    return n ? sum / n : 0;
  };
  return {
    onnx,
    metadata,
    before: { map: mean(beforeAps) },
    after: { map: mean(afterAps) },
    albums: albums.map((album) => {
      const inAlbum = (q: number) => sets[heldOut.labels[q]!]!.includes(album.id);
      return {
        name: album.name,
        photos: split.train.filter((i) => memberships[i]!.includes(album.id)).length,
        heldOut: split.heldOut.filter((i) => memberships[i]!.includes(album.id)).length,
        before: mean(beforeAps, inAlbum),
        after: mean(afterAps, inAlbum),
      };
    }),
    photos: rows.length,
    seconds: (performance.now() - started) / 1000,
    backboneVersion: backbone,
    inUse: encoder.codes.sim.version,
  };
}

/** The albums named (every album when none are), or BAD_REQUEST naming the first unknown one. */
function chosenAlbums(catalog: Catalog, names: readonly string[] | undefined): { id: number; name: string }[] {
  if (!names) return catalog.albums.list();
  return names.map((name) => {
    const album = catalog.albums.byName(name.trim());
    if (!album) throw new AppError('BAD_REQUEST', `There is no album named "${name.trim()}".`, { name });
    return album;
  });
}

/** BAD_REQUEST with a sentence when the albums cannot teach a head anything reliable. */
function refuseTooLittle(albums: { id: number; name: string }[], counts: Map<number, number>): void {
  if (albums.length < MIN_ALBUMS) {
    throw new AppError(
      'BAD_REQUEST',
      albums.length
        ? `Retraining learns which photos belong together from at least ${MIN_ALBUMS} albums; there is only "${albums[0]!.name}". Make another album first.`
        : `Retraining learns which photos belong together from at least ${MIN_ALBUMS} albums; there are none yet. Make albums of photos that belong together first.`,
    );
  }
  const small = albums.find((a) => (counts.get(a.id) ?? 0) < MIN_ALBUM_PHOTOS);
  if (small) {
    const n = counts.get(small.id) ?? 0;
    throw new AppError(
      'BAD_REQUEST',
      `Album "${small.name}" has ${n} photo${n === 1 ? '' : 's'} the model has seen; retraining needs at least ${MIN_ALBUM_PHOTOS} in every album. Add photos to it, or leave it out.`,
      { album: small.name, photos: n },
    );
  }
}

/** Codes as the encoder packs them (one Uint32Array per photo, little-endian bits) as one PackedCodes. */
function packWords(codes: readonly Uint32Array[], bits: number): PackedCodes {
  const wordsPerCode = Math.ceil(bits / 32);
  const words = new Uint32Array(codes.length * wordsPerCode);
  codes.forEach((code, i) => words.set(code.subarray(0, wordsPerCode), i * wordsPerCode));
  return { bits, wordsPerCode, count: codes.length, words };
}

/** The codes `items` of `codes`. */
function select(codes: PackedCodes, items: readonly number[]): PackedCodes {
  const w = codes.wordsPerCode;
  const words = new Uint32Array(items.length * w);
  items.forEach((item, i) => words.set(codes.words.subarray(item * w, (item + 1) * w), i * w));
  return { ...codes, count: items.length, words };
}

/** The new head's outputs for every descriptor of `set` (its ONNX graph, on CPU). */
async function runHead(onnx: Uint8Array, set: LabelledSet): Promise<Float32Array> {
  const session = await openSession(onnx, { providers: ['cpu'], threads: 1 });
  try {
    const out = await session.run({ [session.inputNames[0]!]: { data: set.features, dims: [set.count, set.dim] } });
    return out[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}
