/**
 * Training data for the duplicate head: "sources" (distinct pictures) and synthetic edited copies of
 * each, made from images the project can obtain offline — Debian wallpaper packages (photos and
 * artwork) and CIFAR-10's training split — never from the dedup benchmark's photos.
 *
 * Relevance for the listwise loop is "same source". Hard negatives come for free: besides the whole
 * wallpaper, each wallpaper gives several weakly-overlapping windows (40–70 % of each side), which are
 * different pictures of the same scene — like burst frames — and must NOT match each other or the whole.
 * Copies keep ≥ 78 % of each side when cropped, so there is a margin between "crop" and "another window".
 *
 * Edits (random parameters per copy, one main edit plus sometimes a mild second one, then a random
 * codec): resize + JPEG, heavy JPEG, crops ≤ 22 %, borders and letterbox bars, brightness, contrast,
 * gamma, saturation/hue, greyscale, blur, sharpen, text watermarks, small rotations, WebP/PNG.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { decodeImage, editImage, encodeImage, type EditStep } from '../../model/image/decode.js';
import type { RawImage } from '../../model/types.js';
import type { Random } from '../compute/rng.js';

/** Where Debian's wallpaper packages put their pictures (gnome-backgrounds, mate-backgrounds, ukui-wallpapers, lomiri-wallpapers, plasma-workspace-wallpapers). */
export const WALLPAPER_DIRS = ['/usr/share/backgrounds', '/usr/share/wallpapers'];
export const WALLPAPER_PACKAGES = [
  'gnome-backgrounds',
  'mate-backgrounds',
  'ukui-wallpapers',
  'lomiri-wallpapers',
  'lomiri-wallpapers-16.04',
  'lomiri-wallpapers-20.04',
  'plasma-workspace-wallpapers',
];

/**
 * The photographs among the wallpapers (ukui-wallpapers; gnome-backgrounds holds drawings) that the dedup benchmark's
 * stress library uses (tests/bench/dedup/stress-set.ts), and so the real-scene measure of `bench:similarity`: the
 * similarity head's scene classes leave them out.
 */
export const BENCHMARK_WALLPAPER_PHOTOS = [
  '2004default.jpg',
  'calla.png',
  'firstgeneration.jpg',
  'goldfish.png',
  'string.jpg',
].map((f) => path.join('/usr/share/backgrounds', f));

const PICTURE = /\.(jpe?g|png|webp)$/i;

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && PICTURE.test(entry.name)) out.push(full);
  }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Installed wallpaper files, one per picture: plasma's per-resolution renditions and `images_dark`
 * variants collapse to the largest light file; GNOME's `-d` (dark) twins are dropped; files whose
 * bytes equal an excluded file (the benchmark's photos) are left out, as is the whole folder they
 * come from (mate-backgrounds' nature/ is the dedup benchmark's source).
 */
export function wallpaperFiles(exclude: string[] = []): string[] {
  return wallpaperFilesIn(WALLPAPER_DIRS, exclude);
}

/** `wallpaperFiles` over given folders; files under `minBytes` (icons, previews) are skipped. */
export function wallpaperFilesIn(dirs: string[], exclude: string[], minBytes = 50_000): string[] {
  const excludedHashes = new Set(exclude.map(sha256));
  const all: string[] = [];
  for (const dir of dirs) walk(dir, all);
  const excludedDirs = new Set(all.filter((f) => excludedHashes.has(sha256(f))).map((f) => path.dirname(f)));
  const byPicture = new Map<string, string>();
  for (const file of all.sort()) {
    if (excludedDirs.has(path.dirname(file))) continue;
    if (file.includes('/images_dark/') || /-d\.(webp|png|jpe?g)$/.test(file)) continue;
    if (statSync(file).size < minBytes) continue;
    // plasma: <Name>/contents/images/<W>x<H>.ext → one picture per <Name>; mate: Elephants_3840x2160 → Elephants.
    const plasma = /\/wallpapers\/([^/]+)\/contents\//.exec(file);
    const key = plasma ? `plasma:${plasma[1]}` : file.replace(/_\d+x\d+(?=\.[a-z]+$)/i, '');
    const kept = byPicture.get(key);
    if (!kept || statSync(file).size > statSync(kept).size) byPicture.set(key, file);
  }
  return [...byPicture.values()].sort();
}

/** A window of a picture, in fractions of its width and height. */
export interface Window {
  x: number;
  y: number;
  w: number;
  h: number;
}

function intersectionOverUnion(a: Window, b: Window): number {
  const iw = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const ih = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = iw * ih;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

/** Up to `count` windows of 40–70 % of each side, each overlapping every other by IoU < 0.2. */
export function sourceWindows(count: number, random: Random): Window[] {
  const windows: Window[] = [];
  for (let attempt = 0; attempt < 200 && windows.length < count; attempt++) {
    const w = 0.4 + 0.3 * random.next();
    const h = Math.min(0.7, Math.max(0.4, w + 0.1 * (random.next() - 0.5)));
    const candidate = { x: random.next() * (1 - w), y: random.next() * (1 - h), w, h };
    if (windows.every((other) => intersectionOverUnion(candidate, other) < 0.2)) windows.push(candidate);
  }
  return windows;
}

export async function cropWindow(image: RawImage, window: Window): Promise<RawImage> {
  return editImage(image, [
    {
      op: 'crop',
      left: Math.floor(window.x * image.width),
      top: Math.floor(window.y * image.height),
      width: Math.max(16, Math.floor(window.w * image.width)),
      height: Math.max(16, Math.floor(window.h * image.height)),
    },
  ]);
}

/** Decodes a picture with its longer side at most `maxSide` (sources are edited at this size). */
export function decodeSource(input: string | Buffer, maxSide: number): Promise<RawImage> {
  return decodeImage(input, { size: maxSide, fit: 'inside', withoutEnlargement: true, channels: 3 });
}

const between = (random: Random, lo: number, hi: number) => lo + (hi - lo) * random.next();
const pick = <T>(random: Random, items: readonly T[]): T => items[random.int(items.length)]!;
/** A factor away from 1 by [lo, hi] either way: ×(1 + u) or ×1/(1 + u). */
const awayFromOne = (random: Random, lo: number, hi: number) => {
  const f = 1 + between(random, lo, hi);
  return random.int(2) === 0 ? f : 1 / f;
};

const WORDS = [
  '© 2024 Photo',
  'SAMPLE',
  'my holiday',
  'Lookalike',
  '@someone',
  'IMG_2041',
  'stock',
  'Copyright',
  '★★★',
];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function watermarkSvg(width: number, height: number, random: Random): string {
  const size = Math.round(Math.min(width, height) * between(random, 0.04, 0.1));
  const corner = random.int(5); // 4 corners or the centre
  const x = corner === 4 ? width / 2 : corner % 2 === 0 ? size * 0.5 : width - size * 0.5;
  const y = corner === 4 ? height / 2 : corner < 2 ? size * 1.2 : height - size * 0.6;
  const anchor = corner === 4 ? 'middle' : corner % 2 === 0 ? 'start' : 'end';
  const fill = pick(random, ['white', 'black', 'yellow', 'red']);
  const opacity = between(random, 0.4, 0.9).toFixed(2);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<text x="${x}" y="${y}" text-anchor="${anchor}" font-family="sans-serif" font-weight="bold" ` +
    `font-size="${size}" fill="${fill}" fill-opacity="${opacity}">${escapeXml(pick(random, WORDS))}</text></svg>`
  );
}

/** The main edits a copy gets (one each); names are recorded with the copy. */
export const EDIT_KINDS = [
  'resize',
  'jpeg',
  'crop',
  'border',
  'letterbox',
  'brightness',
  'contrast',
  'gamma',
  'colour',
  'greyscale',
  'blur',
  'sharpen',
  'watermark',
  'rotate',
] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

/** The order copies cycle through: the edits pooled descriptors find hardest (crops, greyscale, borders, tone) come twice. */
export const EDIT_CYCLE: readonly EditKind[] = [
  ...EDIT_KINDS,
  'crop',
  'greyscale',
  'border',
  'brightness',
  'crop',
  'letterbox',
];

function mainEdit(kind: EditKind, image: RawImage, random: Random): EditStep[] {
  const { width, height } = image;
  switch (kind) {
    case 'resize': {
      const f = between(random, 0.15, 0.6);
      return [{ op: 'resize', width: width * f, height: height * f }];
    }
    case 'jpeg':
      return []; // the codec step below does it (with a low quality)
    case 'crop': {
      const fw = between(random, 0.78, 0.95);
      const fh = random.int(2) === 0 ? fw : between(random, 0.78, 0.95);
      const w = width * fw;
      const h = height * fh;
      return [
        { op: 'crop', left: (width - w) * random.next(), top: (height - h) * random.next(), width: w, height: h },
      ];
    }
    case 'border': {
      const pad = Math.max(width, height) * between(random, 0.02, 0.1);
      const colour = pick(random, [
        [255, 255, 255],
        [0, 0, 0],
        [random.int(256), random.int(256), random.int(256)],
      ] as const);
      return [{ op: 'extend', top: pad, bottom: pad, left: pad, right: pad, colour }];
    }
    case 'letterbox': {
      const colour = pick(random, [
        [0, 0, 0],
        [0, 0, 0],
        [255, 255, 255],
      ] as const);
      if (random.int(2) === 0) {
        const bar = height * between(random, 0.05, 0.18);
        return [{ op: 'extend', top: bar, bottom: bar, left: 0, right: 0, colour }];
      }
      const bar = width * between(random, 0.05, 0.18);
      return [{ op: 'extend', top: 0, bottom: 0, left: bar, right: bar, colour }];
    }
    case 'brightness':
      return [{ op: 'modulate', brightness: awayFromOne(random, 0.15, 0.5) }];
    case 'contrast': {
      const gain = awayFromOne(random, 0.2, 0.6);
      return [{ op: 'linear', gain, offset: 128 * (1 - gain) }];
    }
    case 'gamma':
      return [{ op: 'gamma', gamma: between(random, 1.3, 2.2) }];
    case 'colour':
      return random.int(2) === 0
        ? [{ op: 'modulate', saturation: random.int(2) === 0 ? between(random, 0.2, 0.7) : between(random, 1.3, 2) }]
        : [{ op: 'modulate', hue: (random.int(2) === 0 ? -1 : 1) * between(random, 8, 30) }];
    case 'greyscale':
      return random.int(3) === 0
        ? [{ op: 'greyscale' }, { op: 'linear', gain: between(random, 0.8, 1.3), offset: between(random, -20, 20) }]
        : [{ op: 'greyscale' }];
    case 'blur':
      return [{ op: 'blur', sigma: Math.max(width, height) / between(random, 200, 700) }];
    case 'sharpen':
      return [{ op: 'sharpen', sigma: between(random, 1, 3) }];
    case 'watermark':
      return [{ op: 'overlay', svg: watermarkSvg(width, height, random) }];
    case 'rotate': {
      const degrees = (random.int(2) === 0 ? -1 : 1) * between(random, 1.5, 6);
      const rad = (Math.abs(degrees) * Math.PI) / 180;
      // The rotated canvas is cut back to the original size (black corners stay), or zoomed in past them.
      const grownW = width * Math.cos(rad) + height * Math.sin(rad);
      const grownH = width * Math.sin(rad) + height * Math.cos(rad);
      const zoom = random.int(2) === 0 ? 1 : 0.85;
      const w = width * zoom;
      const h = height * zoom;
      return [
        { op: 'rotate', degrees, colour: [0, 0, 0] },
        { op: 'crop', left: (grownW - w) / 2, top: (grownH - h) / 2, width: w, height: h },
      ];
    }
  }
}

/** A mild second edit some copies also get (what sharing apps and phones do on the way). */
function secondaryEdit(image: RawImage, random: Random): EditStep[] {
  const { width, height } = image;
  switch (random.int(4)) {
    case 0: {
      const f = between(random, 0.3, 0.8);
      return [{ op: 'resize', width: width * f, height: height * f }];
    }
    case 1:
      return [
        { op: 'modulate', brightness: awayFromOne(random, 0.03, 0.12), saturation: awayFromOne(random, 0.03, 0.15) },
      ];
    case 2: {
      const fw = between(random, 0.92, 0.99);
      const w = width * fw;
      const h = height * fw;
      return [
        { op: 'crop', left: (width - w) * random.next(), top: (height - h) * random.next(), width: w, height: h },
      ];
    }
    default:
      return [{ op: 'blur', sigma: between(random, 0.5, 1.2) }];
  }
}

export interface EditedCopy {
  bytes: Buffer;
  kind: EditKind | 'original';
}

/** One random edited copy of `image` (a picture already decoded at its working size), as file bytes. */
export async function makeCopy(image: RawImage, kind: EditKind, random: Random): Promise<EditedCopy> {
  let edited = image;
  for (const step of mainEdit(kind, image, random)) {
    edited = await editImage(edited, [step.op === 'crop' ? clampCrop(step, edited) : step]);
  }
  if (random.next() < 0.4) edited = await editImage(edited, secondaryEdit(edited, random));
  const codec = kind === 'jpeg' ? 'jpeg-low' : pick(random, ['jpeg', 'jpeg', 'jpeg', 'webp', 'png'] as const);
  const bytes =
    codec === 'jpeg-low'
      ? await encodeImage(edited, 'jpeg', { quality: 8 + random.int(35) })
      : codec === 'jpeg'
        ? await encodeImage(edited, 'jpeg', { quality: 60 + random.int(36) })
        : codec === 'webp'
          ? await encodeImage(edited, 'webp', { quality: 60 + random.int(30) })
          : await encodeImage(edited, 'png');
  return { bytes, kind };
}

/** A crop sized for the picture before an earlier step changed its size, scaled to the current one. */
function clampCrop(step: Extract<EditStep, { op: 'crop' }>, image: RawImage): EditStep {
  const width = Math.min(step.width, image.width);
  const height = Math.min(step.height, image.height);
  return {
    op: 'crop',
    left: Math.min(Math.max(0, step.left), image.width - width),
    top: Math.min(Math.max(0, step.top), image.height - height),
    width,
    height,
  };
}

/** The source itself as a file (what the user's original looks like: JPEG 92). */
export async function originalCopy(image: RawImage): Promise<EditedCopy> {
  return { bytes: await encodeImage(image, 'jpeg', { quality: 92 }), kind: 'original' };
}
