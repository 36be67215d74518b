/**
 * The stress library: a folder laid out like a real one, where many photos look alike and only a few are copies.
 * Made by the benchmark from packages and ../shared/data (nothing committed), deterministic for a seed, reused
 * when present.
 *
 * What is a duplicate here: a file made from another file by an edit (resize, recompression, format change,
 * crop of up to 20 %, colour or contrast change, greyscale, blur, watermark, border, a small tilt, a turn or a
 * mirror). Files that share `source` are duplicates of each other, and no other pair is.
 * What is not: another frame of the same video (a second or more apart: the same view, people moved), another
 * window of the same scene (55–70 % of each side: a reframed shot, like two frames of a burst), another photo of
 * the same kind of subject (CIFAR-10 cats and dogs, chessboards in other poses), and the two views of a stereo
 * pair. Those share a `scene` but not a `source`: the benchmark reports how many such pairs were called
 * duplicates.
 *
 * Sources (Debian packages, read in place):
 * - `opencv-doc`: the photographs in /usr/share/doc/opencv-doc/examples/data, its chessboard calibration series
 *   (left01…14, right01…14) and three sample videos (vtest.avi: a street filmed from a fixed camera; tree.avi;
 *   Megamind.avi), whose frames are taken one second apart with ffmpeg;
 * - `ukui-wallpapers` and `gnome-backgrounds`: the photographs in /usr/share/backgrounds;
 * - ../shared/data: the 26 photos and CIFAR-10.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { cifar10Dir, sharedPhotos } from '../../../model/backbone/cifar.js';
import { decodeImage } from '../../../model/image/decode.js';
import { createRandom, shuffleInPlace } from '../../../training/compute/rng.js';
import { BENCHMARK_WALLPAPER_PHOTOS } from '../../../training/data/duplicate-data.js';
import { EDITS } from './edits.js';
import { mapLimit } from './set.js';

export const STRESS_SET_VERSION = 1;

const OPENCV_DATA = '/usr/share/doc/opencv-doc/examples/data';
const BACKGROUNDS = '/usr/share/backgrounds';
/** OpenCV's sample photographs (its renders, logos, scans of text and synthetic patterns are left out). */
const OPENCV_PHOTOS = [
  'aero1.jpg',
  'aero3.jpg',
  'aloeL.jpg',
  'aloeR.jpg',
  'apple.jpg',
  'baboon.jpg',
  'basketball1.png',
  'basketball2.png',
  'board.jpg',
  'box_in_scene.png',
  'building.jpg',
  'butterfly.jpg',
  'fruits.jpg',
  'graf1.png',
  'graf3.png',
  'HappyFish.jpg',
  'home.jpg',
  'left.jpg',
  'right.jpg',
  'leuvenA.jpg',
  'leuvenB.jpg',
  'messi5.jpg',
  'orange.jpg',
  'rubberwhale1.png',
  'rubberwhale2.png',
  'smarties.png',
  'squirrel_cls.jpg',
  'starry_night.jpg',
  'stuff.jpg',
];
const VIDEOS = ['vtest.avi', 'Megamind.avi', 'tree.avi'];
/** Same scene, two shots: these files' originals are different sources of one scene. */
const SCENE_OF: Record<string, string> = {
  aloeL: 'aloe',
  aloeR: 'aloe',
  basketball1: 'basketball',
  basketball2: 'basketball',
  graf1: 'graf',
  graf3: 'graf',
  left: 'stereo-left-right',
  right: 'stereo-left-right',
  leuvenA: 'leuven',
  leuvenB: 'leuven',
  rubberwhale1: 'rubberwhale',
  rubberwhale2: 'rubberwhale',
  motorcycle_left: 'motorcycle',
  motorcycle_right: 'motorcycle',
};
const CIFAR_CLASSES = ['cat', 'dog'];

export type StressKind = 'original' | 'copy' | 'frame' | 'window' | 'same-subject';

export interface StressEntry {
  file: string;
  /** Files sharing it are duplicates. */
  source: string;
  /** Files of one scene or one kind of subject; a pair with equal scene and different source is a hard negative. */
  scene: string;
  kind: StressKind;
  /** The edit of a copy, or what a distractor is. */
  edit: string;
}

export interface StressSet {
  version: number;
  seed: number;
  dir: string;
  files: StressEntry[];
}

export interface StressOptions {
  seed: number;
  /** CIFAR-10 images of each of CIFAR_CLASSES. */
  cifarPerClass?: number;
  root?: string;
  onProgress?: (message: string) => void;
}

/** What is missing to build the set, as sentences (empty when everything is there). */
export function stressSetPrerequisites(): string[] {
  const missing: string[] = [];
  if (!existsSync(path.join(OPENCV_DATA, 'vtest.avi')))
    missing.push(`opencv-doc's sample data is not installed (${OPENCV_DATA}): apt-get install opencv-doc`);
  if (!existsSync(path.join(BACKGROUNDS, 'calla.png')))
    missing.push(`the wallpapers are not installed (${BACKGROUNDS}): apt-get install ukui-wallpapers`);
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
  } catch {
    missing.push('ffmpeg is not installed (it extracts the video frames): apt-get install ffmpeg');
  }
  return missing;
}

export function stressSetDirectory(options: StressOptions): string {
  return path.join(
    options.root ?? os.tmpdir(),
    `lookalike-stress-${options.seed}-v${STRESS_SET_VERSION}-c${options.cifarPerClass ?? 300}`,
  );
}

const baseName = (file: string) => path.basename(file).replace(/\.[^.]+$/, '');
const slug = (text: string) =>
  text
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/-$/, '')
    .toLowerCase();

/** Frames one second apart, as JPEG q92 files `<video>-<second>.jpg`. */
function extractFrames(video: string, out: string): string[] {
  const name = baseName(video);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    video,
    '-vf',
    'fps=1',
    '-q:v',
    '3',
    path.join(out, `${name}-%03d.jpg`),
  ]);
  return readdirSync(out)
    .filter((f) => f.startsWith(`${name}-`))
    .sort()
    .map((f) => path.join(out, f));
}

/** Loads the set's manifest, or builds it (a few minutes on 2 cores). */
export async function loadOrCreateStressSet(options: StressOptions): Promise<StressSet> {
  const dir = stressSetDirectory(options);
  const manifestFile = path.join(dir, 'manifest.json');
  if (existsSync(manifestFile)) return JSON.parse(readFileSync(manifestFile, 'utf8')) as StressSet;
  const missing = stressSetPrerequisites();
  if (missing.length) throw new Error(`Cannot build the stress set:\n- ${missing.join('\n- ')}`);
  const filesDir = path.join(dir, 'library');
  mkdirSync(filesDir, { recursive: true });
  const random = createRandom(options.seed * 4099 + 7);
  const entries: StressEntry[] = [];

  // Photos: each is an original with 5 standard edits, and one in three also gets a turn or a mirror.
  const photos = [
    ...sharedPhotos(),
    ...OPENCV_PHOTOS.map((f) => path.join(OPENCV_DATA, f)),
    ...BENCHMARK_WALLPAPER_PHOTOS,
  ];
  // Video frames: one in four is an original with copies, the others are distractors of the same view.
  const frames = VIDEOS.flatMap((v) => extractFrames(path.join(OPENCV_DATA, v), filesDir));
  const framesWithCopies = new Set(frames.filter((_, i) => i % 4 === 0));
  const standard = EDITS.filter((e) => e.group === 'standard');
  const geometric = EDITS.filter((e) => e.group === 'geometric');

  const originals = [...photos, ...framesWithCopies];
  let done = 0;
  const perOriginal = await mapLimit(originals, 2, async (input, index) => {
    const r = createRandom(options.seed * 1000 + index);
    const source = baseName(input);
    const isFrame = framesWithCopies.has(input);
    // The library holds the original itself (a frame was extracted there already).
    const file = isFrame ? input : path.join(filesDir, path.basename(input));
    if (!isFrame) copyFileSync(input, file);
    const scene = isFrame ? `video:${source.replace(/-\d+$/, '')}` : `photo:${SCENE_OF[source] ?? source}`;
    const image = await decodeImage(file, { channels: 3 });
    const out: StressEntry[] = [{ file, source, scene, kind: 'original', edit: 'original' }];
    const edits = [...standard];
    shuffleInPlace(edits, r);
    const chosen = edits.slice(0, 5);
    if (r.int(3) === 0) chosen.push(geometric[r.int(geometric.length)]);
    for (const edit of chosen) {
      const result = await edit.apply(image, r);
      const copy = path.join(filesDir, `${source}--${slug(edit.name)}.${result.extension}`);
      writeFileSync(copy, result.bytes);
      out.push({ file: copy, source, scene, kind: 'copy', edit: edit.name });
    }
    if (!isFrame) {
      // Four reframed shots of the scene: windows of 55–70 % of each side at random places.
      for (let w = 0; w < 4; w++) {
        const fraction = 0.55 + 0.15 * r.next();
        const width = Math.round(image.width * fraction);
        const height = Math.round(image.height * fraction);
        const left = Math.round((image.width - width) * r.next());
        const top = Math.round((image.height - height) * r.next());
        const window = path.join(filesDir, `${source}-window${w + 1}.jpg`);
        await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
          .extract({ left, top, width, height })
          .jpeg({ quality: 90 })
          .toFile(window);
        const edit = `${Math.round(fraction * 100)} % window at (${left}, ${top})`;
        out.push({ file: window, source: `${source}:window${w + 1}`, scene, kind: 'window', edit });
      }
    }
    if (++done % 20 === 0) options.onProgress?.(`stress set: ${done}/${originals.length} originals`);
    return out;
  });
  entries.push(...perOriginal.flat());

  for (const frame of frames.filter((f) => !framesWithCopies.has(f))) {
    const source = baseName(frame);
    entries.push({ file: frame, source, scene: `video:${source.replace(/-\d+$/, '')}`, kind: 'frame', edit: 'frame' });
  }
  for (const side of ['left', 'right'])
    for (let k = 1; k <= 14; k++) {
      const input = path.join(OPENCV_DATA, `${side}${String(k).padStart(2, '0')}.jpg`);
      if (!existsSync(input)) continue;
      const file = path.join(filesDir, path.basename(input));
      copyFileSync(input, file);
      entries.push({ file, source: baseName(file), scene: 'chessboard', kind: 'same-subject', edit: 'pose' });
    }
  const cifar = cifar10Dir();
  const perClass = options.cifarPerClass ?? 300;
  const picks = CIFAR_CLASSES.flatMap((cls) => {
    const names = readdirSync(path.join(cifar, 'train', cls)).sort();
    shuffleInPlace(names, random);
    return names.slice(0, perClass).map((name) => ({ cls, name }));
  });
  const cifarEntries = await mapLimit(picks, 2, async ({ cls, name }) => {
    const file = path.join(filesDir, `cifar-${cls}-${baseName(name)}.jpg`);
    await sharp(path.join(cifar, 'train', cls, name))
      .resize(320, 320, { kernel: 'lanczos3' })
      .jpeg({ quality: 90 })
      .toFile(file);
    return {
      file,
      source: `cifar:${cls}/${name}`,
      scene: `cifar:${cls}`,
      kind: 'same-subject' as const,
      edit: 'CIFAR-10 upscaled',
    };
  });
  entries.push(...cifarEntries);

  const set: StressSet = { version: STRESS_SET_VERSION, seed: options.seed, dir, files: entries };
  writeFileSync(`${manifestFile}.tmp`, JSON.stringify(set, null, 1));
  renameSync(`${manifestFile}.tmp`, manifestFile);
  return set;
}
