/**
 * The duplicate head's training set as backbone descriptors: every source picture (training/data/duplicate-data.ts)
 * and its edited copies, described by the shipped backbone exactly as the app does (the copy's file bytes
 * decoded to the model input), labelled by source. Cached in a folder (descriptors.f32 + set.json) keyed
 * by the recipe version, the seed and the backbone version, so the trainer can be re-run without re-describing.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cifar10Files, sharedPhotos } from '../../model/backbone/cifar.js';
import { describeFiles } from '../../model/backbone/describe-files.js';
import type { Encoder } from '../../model/encoder.js';
import { decodeImage, editImage } from '../../model/image/decode.js';
import type { RawImage } from '../../model/types.js';
import {
  decodeSource,
  EDIT_CYCLE,
  EDIT_KINDS,
  makeCopy,
  originalCopy,
  cropWindow,
  sourceWindows,
  wallpaperFiles,
} from './duplicate-data.js';
import type { LabelledSet } from './datasets.js';
import { createRandom, shuffleInPlace } from '../compute/rng.js';

/** Bump when the recipe changes (sources, edits, sizes): an old cache is then ignored. */
export const DUPLICATE_SET_VERSION = 2;

export interface DuplicateSetOptions {
  seed: number;
  /** Windows (distinct sources) cut from each wallpaper besides the whole picture. */
  windowsPerWallpaper: number;
  /** Edited copies of each wallpaper source. */
  copiesPerSource: number;
  /** CIFAR-10 training images used as extra (small, low-detail) sources, and copies of each. */
  cifarSources: number;
  cifarCopies: number;
  cacheRoot?: string;
}

export const DEFAULT_DUPLICATE_SET: DuplicateSetOptions = {
  seed: 1,
  windowsPerWallpaper: 8,
  copiesPerSource: 16,
  cifarSources: 400,
  cifarCopies: 5,
};

export interface DuplicateItem {
  /** Source id: items sharing it are duplicates. */
  source: string;
  /** The wallpaper (or CIFAR image) the source comes from: a validation split keeps families together. */
  family: string;
  kind: string;
}

export interface DuplicateSet {
  set: LabelledSet;
  items: DuplicateItem[];
  families: string[];
  description: string;
  dir: string;
}

interface CachedMeta {
  version: number;
  options: DuplicateSetOptions;
  backboneVersion: string;
  dim: number;
  items: DuplicateItem[];
  wallpapers: string[];
}

function cacheDir(options: DuplicateSetOptions, backboneVersion: string): string {
  const key = `s${options.seed}-w${options.windowsPerWallpaper}-c${options.copiesPerSource}-k${options.cifarSources}x${options.cifarCopies}`;
  return path.join(
    options.cacheRoot ?? os.tmpdir(),
    `lookalike-dupset-v${DUPLICATE_SET_VERSION}-${backboneVersion}-${key}`,
  );
}

function toLabelled(rows: Float32Array, dim: number, items: DuplicateItem[]): LabelledSet {
  const ids = new Map<string, number>();
  const labels = new Int32Array(items.length);
  items.forEach((item, i) => {
    if (!ids.has(item.source)) ids.set(item.source, ids.size);
    labels[i] = ids.get(item.source)!;
  });
  return { features: rows, dim, count: items.length, labels };
}

function describe(meta: CachedMeta): string {
  const sources = new Set(meta.items.map((i) => i.source)).size;
  return (
    `duplicate set v${DUPLICATE_SET_VERSION} (seed ${meta.options.seed}): ${meta.wallpapers.length} Debian wallpapers ` +
    `(${meta.options.windowsPerWallpaper} windows each + the whole) and ${meta.options.cifarSources} CIFAR-10 train images; ` +
    `${sources} sources, ${meta.items.length} items (originals + synthetic edits)`
  );
}

/** Loads the cached set or builds it (minutes on 2 cores: decoding, editing, one backbone pass per item). */
export async function loadOrBuildDuplicateSet(
  encoder: Encoder,
  options: DuplicateSetOptions = DEFAULT_DUPLICATE_SET,
  log: (message: string) => void = () => {},
): Promise<DuplicateSet> {
  const backboneVersion = encoder.manifest.backbone.version;
  const dir = cacheDir(options, backboneVersion);
  const metaFile = path.join(dir, 'set.json');
  const rowsFile = path.join(dir, 'descriptors.f32');
  if (existsSync(metaFile) && existsSync(rowsFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as CachedMeta;
    const bytes = readFileSync(rowsFile);
    const rows = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const families = [...new Set(meta.items.map((i) => i.family))];
    return {
      set: toLabelled(rows, meta.dim, meta.items),
      items: meta.items,
      families,
      description: describe(meta),
      dir,
    };
  }

  const wallpapers = wallpaperFiles(sharedPhotos());
  if (wallpapers.length === 0)
    throw new Error(
      `no wallpapers found; install them: apt-get install ${'gnome-backgrounds mate-backgrounds ukui-wallpapers lomiri-wallpapers plasma-workspace-wallpapers'}`,
    );
  log(`${wallpapers.length} wallpapers`);
  const random = createRandom(options.seed);
  const items: DuplicateItem[] = [];
  const rows: Float32Array[] = [];
  const dim = encoder.descriptorDim;

  const flush = async (files: Buffer[], meta: DuplicateItem[]) => {
    const described = await describeFiles(encoder, files);
    rows.push(described);
    items.push(...meta);
  };

  for (const [w, file] of wallpapers.entries()) {
    const family = path.relative('/usr/share', file);
    const whole = await decodeSource(file, 2048);
    const sources = [{ id: `${family}#whole`, image: await decodeSource(file, 1024) }];
    for (const [k, window] of sourceWindows(options.windowsPerWallpaper, random).entries()) {
      const cropped = await cropWindow(whole, window);
      sources.push({ id: `${family}#w${k}`, image: await fitInside(cropped, 1024) });
    }
    const files: Buffer[] = [];
    const meta: DuplicateItem[] = [];
    for (const source of sources) {
      const copies = [await originalCopy(source.image)];
      const offset = random.int(EDIT_CYCLE.length);
      for (let c = 0; c < options.copiesPerSource; c++) {
        copies.push(await makeCopy(source.image, EDIT_CYCLE[(c + offset) % EDIT_CYCLE.length], random));
      }
      for (const copy of copies) {
        files.push(copy.bytes);
        meta.push({ source: source.id, family, kind: copy.kind });
      }
    }
    await flush(files, meta);
    log(`  wallpaper ${w + 1}/${wallpapers.length}: ${items.length} items`);
  }

  const cifar = cifar10Files().filter((f) => f.file.includes(`${path.sep}train${path.sep}`));
  shuffleInPlace(cifar, random);
  for (let start = 0; start < options.cifarSources; start += 50) {
    const files: Buffer[] = [];
    const meta: DuplicateItem[] = [];
    for (const entry of cifar.slice(start, Math.min(options.cifarSources, start + 50))) {
      const family = `cifar10/${path.relative(path.dirname(path.dirname(path.dirname(entry.file))), entry.file)}`;
      // Upscaled to 256 as a small web image would be (the app sees the file as it is).
      const image = await decodeImage(entry.file, { size: 256, fit: 'fill', channels: 3 });
      const copies = [await originalCopy(image)];
      for (let c = 0; c < options.cifarCopies; c++)
        copies.push(await makeCopy(image, EDIT_KINDS[random.int(EDIT_KINDS.length)], random));
      for (const copy of copies) {
        files.push(copy.bytes);
        meta.push({ source: family, family, kind: copy.kind });
      }
    }
    await flush(files, meta);
    log(`  CIFAR sources ${Math.min(options.cifarSources, start + 50)}/${options.cifarSources}: ${items.length} items`);
  }

  const all = new Float32Array(items.length * dim);
  let offset = 0;
  for (const r of rows) {
    all.set(r, offset);
    offset += r.length;
  }
  const meta: CachedMeta = { version: DUPLICATE_SET_VERSION, options, backboneVersion, dim, items, wallpapers };
  mkdirSync(dir, { recursive: true });
  writeFileSync(rowsFile, new Uint8Array(all.buffer, all.byteOffset, all.byteLength));
  writeFileSync(`${metaFile}.tmp`, JSON.stringify(meta));
  renameSync(`${metaFile}.tmp`, metaFile); // written last: a half-built cache is never reused
  const families = [...new Set(items.map((i) => i.family))];
  return { set: toLabelled(all, dim, items), items, families, description: describe(meta), dir };
}

/** Shrinks a picture so its longer side is at most `maxSide`. */
async function fitInside(image: RawImage, maxSide: number): Promise<RawImage> {
  const scale = maxSide / Math.max(image.width, image.height);
  if (scale >= 1) return image;
  return editImage(image, [{ op: 'resize', width: image.width * scale, height: image.height * scale }]);
}
