/**
 * The dedup set: the 26 shared photos, their edited copies, and look-alike distractors, generated
 * deterministically from a seed into a temp folder (never the repository) and reused when present.
 *
 * Ground truth is `source`: two files are duplicates exactly when they share it. Originals are read in
 * place from ../shared/data/photos (not copied). Distractors each get their own source:
 * - burst crops: two weakly overlapping 70 % × 70 % windows (top-left, bottom-right) of each photo,
 *   like two frames of a burst — same scene, different pictures, so NOT duplicates of the photo or
 *   of each other;
 * - the motorcycle stereo pair is part of the 26 photos already (two sources, same scene);
 * - CIFAR-10 test images upscaled to 256 px (generic photos of ten kinds of things).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { CIFAR10_CLASSES, cifar10Dir, sharedPhotos } from '../../../model/backbone/cifar.js';
import { decodeImage } from '../../../model/image/decode.js';
import { createRandom, shuffleInPlace } from '../../../training/compute/rng.js';
import { EDITS, type EditGroup } from './edits.js';

/** Bump when the recipe changes so an old cached set is not reused. */
export const SET_VERSION = 1;

export type EntryKind = 'original' | 'copy' | 'distractor';

export interface SetEntry {
  /** Index in `files` (also the id used for the Hamming index). */
  id: number;
  file: string;
  /** Id of the original photo; files sharing it are duplicates. */
  source: string;
  /** `original`, the edit's name, `burst crop`, or `CIFAR-10 upscaled`. */
  edit: string;
  kind: EntryKind;
  /** Copies only: `geometric` ones (90° turns, mirror) are reported separately. */
  group?: EditGroup;
  detail?: string;
}

export interface DedupSet {
  version: number;
  seed: number;
  dir: string;
  cifarCount: number;
  files: SetEntry[];
}

export interface SetOptions {
  seed: number;
  cifarCount: number;
  /** Parent of the set folder (default the OS temp folder). */
  root?: string;
  onProgress?: (done: number, total: number) => void;
}

export function setDirectory(options: SetOptions): string {
  return path.join(
    options.root ?? os.tmpdir(),
    `lookalike-dedup-${options.seed}-v${SET_VERSION}-c${options.cifarCount}`,
  );
}

/** Runs `work` over items with at most `limit` in flight (sharp decodes on the libuv pool). */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  work: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const photoId = (file: string) => path.basename(file).replace(/\.[^.]+$/, '');

/** Loads the set's manifest, or generates the set (a few minutes on 2 cores) and writes it. */
export async function loadOrCreateSet(options: SetOptions): Promise<DedupSet> {
  const dir = setDirectory(options);
  const manifestFile = path.join(dir, 'manifest.json');
  if (existsSync(manifestFile)) return JSON.parse(readFileSync(manifestFile, 'utf8')) as DedupSet;
  mkdirSync(path.join(dir, 'files'), { recursive: true });

  const photos = sharedPhotos();
  const total = photos.length + options.cifarCount;
  let done = 0;
  // Photo by photo, one random stream per photo: adding a photo never changes another's edits.
  const perPhoto = await mapLimit(photos, 2, async (photo, index) => {
    const random = createRandom(options.seed * 1000 + index);
    const source = photoId(photo);
    const original = await decodeImage(photo, { channels: 3 });
    const entries: Omit<SetEntry, 'id'>[] = [{ file: photo, source, edit: 'original', kind: 'original' }];
    for (const edit of EDITS) {
      const result = await edit.apply(original, random);
      const slug = edit.name
        .replace(/[^a-z0-9]+/gi, '-')
        .replace(/-$/, '')
        .toLowerCase();
      const file = path.join(dir, 'files', `${source}--${slug}.${result.extension}`);
      writeFileSync(file, result.bytes);
      entries.push({ file, source, edit: edit.name, kind: 'copy', group: edit.group, detail: result.detail });
    }
    const window = { width: Math.round(original.width * 0.7), height: Math.round(original.height * 0.7) };
    const corners = [
      ['top-left', 0, 0],
      ['bottom-right', original.width - window.width, original.height - window.height],
    ] as const;
    for (const [corner, left, top] of corners) {
      const file = path.join(dir, 'files', `burst-${source}-${corner}.jpg`);
      const raw = { width: original.width, height: original.height, channels: original.channels };
      await sharp(original.data, { raw })
        .extract({ left, top, ...window })
        .jpeg({ quality: 90 })
        .toFile(file);
      const detail = `70% × 70% window at the ${corner} of ${source} (overlap 16% of the area)`;
      entries.push({ file, source: `burst:${source}:${corner}`, edit: 'burst crop', kind: 'distractor', detail });
    }
    options.onProgress?.(++done, total);
    return entries;
  });
  const photoEntries = perPhoto.flat();

  const cifarEntries = await cifarDistractors(dir, options, () => options.onProgress?.(++done, total));
  const set: DedupSet = {
    version: SET_VERSION,
    seed: options.seed,
    dir,
    cifarCount: options.cifarCount,
    files: [...photoEntries, ...cifarEntries].map((entry, id) => ({ id, ...entry })),
  };
  // Written last (atomically): a set interrupted half-way is regenerated, never half-reused.
  writeFileSync(`${manifestFile}.tmp`, JSON.stringify(set, null, 1));
  renameSync(`${manifestFile}.tmp`, manifestFile);
  return set;
}

/** An equal number per class from the test split, drawn with the seed, upscaled to 256 × 256 (Lanczos). */
async function cifarDistractors(dir: string, options: SetOptions, onEach: () => void): Promise<Omit<SetEntry, 'id'>[]> {
  if (options.cifarCount === 0) return [];
  const cifar = cifar10Dir();
  const random = createRandom(options.seed * 7919 + 17);
  const perClass = Math.ceil(options.cifarCount / CIFAR10_CLASSES.length);
  const picks: { cls: string; name: string }[] = [];
  for (const cls of CIFAR10_CLASSES) {
    const names = Array.from({ length: 1000 }, (_, i) => String(i).padStart(4, '0'));
    shuffleInPlace(names, random);
    picks.push(...names.slice(0, perClass).map((name) => ({ cls, name })));
  }
  const chosen = picks.slice(0, options.cifarCount);
  return mapLimit(chosen, 2, async ({ cls, name }) => {
    const input = path.join(cifar, 'test', cls, `${name}.jpg`);
    const file = path.join(dir, 'files', `cifar-${cls}-${name}.jpg`);
    await sharp(input).resize(256, 256, { kernel: 'lanczos3' }).jpeg({ quality: 90 }).toFile(file);
    onEach();
    return { file, source: `cifar:${cls}/${name}`, edit: 'CIFAR-10 upscaled', kind: 'distractor' as const };
  });
}
