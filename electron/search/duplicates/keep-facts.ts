/**
 * What the keep rule (keep.ts) reads beyond the catalog's facts, gathered for the photos of duplicate groups:
 * cheap facts for every file (its JPEG quality from its headers; from its thumbnail, whether it is grey and the
 * even part of its uniform border), then per group only the costly facts that can change the proposed keeper
 * (whether the copy about to be kept is only a smaller copy enlarged; the sharpness of copies still tied), and
 * which copies differ from what the pictures of their group share.
 * A file that cannot be read is judged without them. What is measured in a file's pixels (`KeepMeasures`) depends on
 * the files alone: the library keeps it by content hash (kept-measures.ts), so a search run again measures only
 * files it has not measured before.
 */
import { decodeImage } from '../../../model/image/decode.js';
import {
  DETAIL_SIDE,
  holdsMoreDetail,
  insideEvenFrame,
  isGrey,
  jpegQualityOfFile,
  SHARPNESS_SIDE,
  sharpnessOf,
} from '../../../model/image/picture-quality.js';
import type { RawImage } from '../../../model/types.js';
import {
  chooseKeeper,
  contentPixels,
  DEFAULT_KEEP_RULE,
  familyOf,
  type KeepCandidate,
  keepOrder,
  type KeepRule,
  SAME_RESOLUTION,
  SHARPNESS_CRITERION,
  tiedBefore,
} from './keep.js';

/** Files read at once. */
const READS_AT_ONCE = 8;

/**
 * A copy is tested for being an enlargement of another from this ratio of their pixels: a crop of the same
 * photo is as fine as the larger but shows less of it, and near a ratio of 1 the two look alike in detail
 * whatever they are.
 */
const ENLARGED_AREA = 2;

/** The two centre windows must still differ by this ratio of pixels for the detail test to tell. */
const WINDOWS_AREA = 1.5;

/** Groups whose costly facts are settled at once (their reads overlap with the others' measuring). */
const GROUPS_AT_ONCE = 4;

/** `settleKeepFacts` for every group, a few groups at a time. */
export async function settleGroupsKeepFacts(
  groups: KeepCandidate[][],
  rule?: KeepRule,
  measures: KeepMeasures = MEASURED_HERE,
): Promise<void> {
  await forEachLimited(groups, GROUPS_AT_ONCE, (members) => settleKeepFacts(members, rule, measures));
}

/** What a measure reads of a file: which photo it is, where, its format, its size and its JPEG quality. */
export type MeasuredFile = Pick<KeepCandidate, 'id' | 'path' | 'format' | 'width' | 'height' | 'jpegQuality'>;

/**
 * Whether `large` holds no detail finer than `small`'s pixels, as far as their files tell; null: cannot tell
 * (a file unreadable, windows too alike in size).
 */
export type EnlargementTest = (large: MeasuredFile, small: MeasuredFile) => Promise<boolean | null>;

/** The cheap facts of one file (`readKeepFacts`); null where the file or its thumbnail cannot be read. */
export interface FileFacts {
  jpegQuality: number | null;
  grey: boolean | null;
  sample: Uint8Array | null;
  /** The shares of the width and height inside an even frame (from the thumbnail). */
  inside: { width: number; height: number } | null;
}

/** What the keep rule measures in files: each answer depends on the files' contents alone. */
export interface KeepMeasures {
  /** The cheap facts of `file`, from its headers and its stored thumbnail (WebP). */
  fileFacts(file: MeasuredFile, thumbnail: Uint8Array | undefined): Promise<FileFacts>;
  isEnlargement: EnlargementTest;
  /** `sharpnessOf` the file decoded at SHARPNESS_SIDE; null if it cannot be read. */
  sharpness(file: MeasuredFile): Promise<number | null>;
}

/** Runs `work` on every item, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** The side of the picture `sample` kept for comparing the copies of a group (the thumbnail, squeezed to a square). */
export const SAMPLE_SIDE = 32;

/**
 * A sample value is off the group's from this difference (grey levels): re-saves, resizes and a blur move the
 * 32 × 32 picture by less, a watermark's letters or a change of brightness or colour by more.
 */
const OFF_LEVELS = 12;

/**
 * A copy is apart from its group when this larger a share of its sample values is off the group's median than the
 * closest copy's: faithful copies of one photo (re-saves, resizes, a PNG, a blur) lie within 1 point of each other,
 * a watermark 1.4–3.5 points above them, other edits 10–90 points (dedup set, seeds 1 and 2).
 */
const APART_SHARE = 0.01;

/** `image` averaged down to SAMPLE_SIDE × SAMPLE_SIDE (aspect ignored), 3 channels. */
export function sampleOf(image: RawImage): Uint8Array {
  const { width, height, channels, data } = image;
  // Cell k of a side of n pixels spans [start(k), start(k + 1)), at least one pixel (pictures under 32 px).
  const span = (k: number, n: number) => {
    const start = Math.min(n - 1, Math.floor((k * n) / SAMPLE_SIDE));
    return [start, Math.max(start + 1, Math.floor(((k + 1) * n) / SAMPLE_SIDE))];
  };
  const out = new Uint8Array(SAMPLE_SIDE * SAMPLE_SIDE * 3);
  // A grey picture's one channel stands for all three.
  const [g1, g2] = [Math.min(1, channels - 1), Math.min(2, channels - 1)];
  for (let sy = 0; sy < SAMPLE_SIDE; sy++) {
    const [y0, y1] = span(sy, height);
    for (let sx = 0; sx < SAMPLE_SIDE; sx++) {
      const [x0, x1] = span(sx, width);
      let [r, g, b] = [0, 0, 0];
      for (let y = y0; y < y1; y++) {
        for (let x = x0, p = (y * width + x0) * channels; x < x1; x++, p += channels) {
          r += data[p];
          g += data[p + g1];
          b += data[p + g2];
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (sy * SAMPLE_SIDE + sx) * 3;
      [out[o], out[o + 1], out[o + 2]] = [Math.round(r / n), Math.round(g / n), Math.round(b / n)];
    }
  }
  return out;
}

/** Groups of more different pictures than this are not compared (burst windows; the work grows as its square). */
const APART_GROUP_LIMIT = 48;

/** The per-value median of `samples` (for an even count, the mean of the middle two). */
function medianSample(samples: readonly Uint8Array[]): Uint8Array {
  const median = new Uint8Array(samples[0].length);
  const values = new Uint8Array(samples.length);
  const mid = samples.length >> 1;
  for (let i = 0; i < median.length; i++) {
    samples.forEach((s, k) => (values[k] = s[i]));
    values.sort();
    median[i] = samples.length % 2 ? values[mid] : (values[mid - 1] + values[mid] + 1) >> 1;
  }
  return median;
}

/** The share of `sample`'s values off `median` by more than OFF_LEVELS. */
function offShare(sample: Uint8Array, median: Uint8Array): number {
  let off = 0;
  for (let i = 0; i < sample.length; i++) if (Math.abs(sample[i] - median[i]) > OFF_LEVELS) off++;
  return off / sample.length;
}

/**
 * Sets `apart` on the members of a group of three or more different pictures. The per-value median of their
 * samples is what the copies share (each copy of a lost original carries its own edit, and the edits differ). The
 * copy furthest from it, if it has APART_SHARE more of its values off it than the closest copy, carries an edit of
 * its own and is set aside, and the median of the rest is taken again (a copy edited all over, such as a
 * brightened one, pulls the median towards it where another edit also differs), until no copy is off or two
 * remain: two pictures share nothing that tells which one was edited, so a pair is left unmeasured. Identical
 * samples (byte-identical files, a lossless copy) count once, so two copies of one edit do not outvote the rest.
 */
export function markApart(members: readonly KeepCandidate[]): void {
  const key = (sample: Uint8Array) => Buffer.from(sample).toString('base64');
  const distinct = new Map(members.flatMap((f) => (f.sample ? [[key(f.sample), f.sample]] : [])));
  for (const f of members) f.apart = null;
  if (distinct.size < 3 || distinct.size > APART_GROUP_LIMIT) return;
  const apart = new Set<string>();
  let left = [...distinct.keys()];
  while (left.length >= 3) {
    const median = medianSample(left.map((k) => distinct.get(k)!));
    const shares = new Map(left.map((k) => [k, offShare(distinct.get(k)!, median)]));
    const closest = Math.min(...shares.values());
    const worst = left.reduce((a, b) => (shares.get(b)! > shares.get(a)! ? b : a));
    if (shares.get(worst)! <= closest + APART_SHARE) break;
    apart.add(worst);
    left = left.filter((k) => k !== worst);
  }
  for (const f of members) if (f.sample) f.apart = apart.has(key(f.sample));
}

async function fileFactsOf(file: MeasuredFile, thumbnail: Uint8Array | undefined): Promise<FileFacts> {
  const [jpegQuality, picture] = await Promise.all([
    jpegQualityOfFile(file.path),
    thumbnail ? decodeImage(thumbnail, { channels: 3 }).catch(() => null) : Promise.resolve(null),
  ]);
  return {
    jpegQuality,
    grey: picture ? isGrey(picture) : null,
    sample: picture ? sampleOf(picture) : null,
    inside: picture ? insideEvenFrame(picture) : null,
  };
}

/** Sets `jpegQuality`, `grey`, the content size inside an even frame and the `sample` on every file. */
export async function readKeepFacts(
  files: readonly KeepCandidate[],
  thumbnail: (id: number) => Uint8Array | undefined,
  measures: KeepMeasures = MEASURED_HERE,
): Promise<void> {
  await forEachLimited(files, READS_AT_ONCE, async (file) => {
    const facts = await measures.fileFacts(file, thumbnail(file.id));
    file.jpegQuality = facts.jpegQuality;
    file.grey = facts.grey;
    file.sample = facts.sample;
    // A plain area along one side is picture: only an even frame is taken away from the size.
    if (facts.inside) {
      file.contentWidth = Math.round(file.width * facts.inside.width);
      file.contentHeight = Math.round(file.height * facts.inside.height);
    }
  });
}

type Region = { left: number; top: number; width: number; height: number };

/**
 * The same centre part of both files at their own resolution: DETAIL_SIDE pixels a side of the larger, the
 * window of the smaller cut first and the larger's placed on the same grid, so that an exact enlargement lines up.
 */
function centreWindows(large: MeasuredFile, small: MeasuredFile): { large: Region; small: Region } {
  const axis = (bigSide: number, smallSide: number) => {
    const ratio = bigSide / smallSide;
    const size = Math.max(1, Math.min(smallSide, Math.round(DETAIL_SIDE / ratio)));
    const start = Math.floor((smallSide - size) / 2);
    const bigSize = Math.min(bigSide, Math.round(size * ratio));
    return { small: [start, size], large: [Math.min(bigSide - bigSize, Math.round(start * ratio)), bigSize] };
  };
  const x = axis(large.width, small.width);
  const y = axis(large.height, small.height);
  const region = (w: number[], h: number[]) => ({ left: w[0], top: h[0], width: w[1], height: h[1] });
  return { large: region(x.large, y.large), small: region(x.small, y.small) };
}

/** The EnlargementTest on the files' centre windows (model/image/picture-quality.ts `holdsMoreDetail`). */
async function isEnlargementOf(large: MeasuredFile, small: MeasuredFile): Promise<boolean | null> {
  if (!large.width || !large.height || !small.width || !small.height) return null;
  const cut = centreWindows(large, small);
  const decode = (f: MeasuredFile, region: Region): Promise<RawImage | null> =>
    decodeImage(f.path, { region, channels: 3 }).catch(() => null);
  const [l, s] = await Promise.all([decode(large, cut.large), decode(small, cut.small)]);
  // Windows clipped to a small picture may no longer differ enough in size to tell.
  if (!l || !s || l.width * l.height < WINDOWS_AREA * s.width * s.height) return null;
  return !(await holdsMoreDetail(l, s, { largeJpegQuality: large.jpegQuality }));
}

async function sharpnessOfFile(file: MeasuredFile): Promise<number | null> {
  const image = await decodeImage(file.path, {
    size: SHARPNESS_SIDE,
    fit: 'inside',
    withoutEnlargement: true,
    channels: 3,
  }).catch(() => null);
  return image ? sharpnessOf(image) : null;
}

/**
 * The measures, made now on this thread. Bump KEEP_MEASURES_VERSION (kept-measures.ts) when what they answer for
 * the same files changes (here or in model/image/picture-quality.ts).
 */
export const MEASURED_HERE: KeepMeasures = {
  fileFacts: fileFactsOf,
  isEnlargement: isEnlargementOf,
  sharpness: sharpnessOfFile,
};

/** Formats that keep every pixel they were given (a copy in one shows all the detail of the picture it was made from). */
const LOSSLESS = new Set(['png', 'tiff', 'bmp']);

/**
 * How much of its source's detail a copy's encoding kept, for choosing what to test an enlargement against:
 * lossless first, then JPEGs by quality; other formats and unknowns as a JPEG of quality 0.
 */
function fidelity(f: KeepCandidate): number {
  return LOSSLESS.has(familyOf(f)) ? 101 : (f.jpegQuality ?? 0);
}

/** Smaller copies of one size a larger copy is tested against, best first, before it counts as holding more detail. */
const PARTNERS_TRIED = 3;

/**
 * Settles the costly facts of one group where they can change its keeper. First which copies carry an edit of
 * their own (`markApart`). Then, while the copy about to be kept has ENLARGED_AREA times the pixels of another, it
 * is tested against the best smaller copies of the largest such size (up to PARTNERS_TRIED: a re-saved copy shows
 * less detail than the picture it was made from, the enlargement included); if it holds no more detail than one of
 * them it counts that one's pixels (`detailPixels`) and the keeper is chosen again. A copy that holds more detail
 * settles its size: copies of that size taken for enlargements before count their own pixels again (a soft
 * original looks enlarged from its half-size copy where its re-save does not), and stay marked `enlarged`. Last,
 * the copies still tied with the keeper up to sharpness, and the keeper, are measured for it.
 */
export async function settleKeepFacts(
  members: KeepCandidate[],
  rule: KeepRule = DEFAULT_KEEP_RULE,
  measures: KeepMeasures = MEASURED_HERE,
): Promise<void> {
  if (members.length < 2) return;
  markApart(members);
  const tested = new Set<KeepCandidate>();
  // Each copy found to be an enlargement, and the copy it was enlarged from: a chain (3× from 2× from the
  // original) resolves to its end, whose own pixels the whole chain counts.
  const enlargedFrom = new Map<KeepCandidate, KeepCandidate>();
  const source = (f: KeepCandidate): KeepCandidate => {
    while (enlargedFrom.has(f)) f = enlargedFrom.get(f)!;
    return f;
  };
  const countPixels = () => {
    for (const f of members) f.detailPixels = enlargedFrom.has(f) ? contentPixels(source(f)) : null;
  };
  const oneSize = (a: KeepCandidate, b: KeepCandidate) =>
    Math.max(contentPixels(a), contentPixels(b)) <= SAME_RESOLUTION * Math.min(contentPixels(a), contentPixels(b));
  for (;;) {
    const keeper = chooseKeeper(members, rule);
    if (tested.has(keeper)) break;
    tested.add(keeper);
    const pixels = contentPixels(source(keeper));
    // Copies already found enlarged are stood for by the copies they were enlarged from.
    const smaller = members.filter(
      (f) => !enlargedFrom.has(f) && f !== source(keeper) && pixels >= ENLARGED_AREA * contentPixels(f),
    );
    if (!smaller.length) break;
    // Compared with the best smaller copies, the most faithful encodings first: an enlargement holds no more
    // detail than the picture it was made from (or a lossless copy of it), while against a blurred, shrunk or
    // re-compressed copy any copy would look detailed.
    const ranked = [...smaller].sort(keepOrder());
    const partners = ranked
      .filter((f) => oneSize(f, ranked[0]) && !f.apart)
      .sort((a, b) => fidelity(b) - fidelity(a))
      .slice(0, PARTNERS_TRIED);
    let partner: KeepCandidate | undefined;
    let holdsMore = false;
    for (const candidate of partners.length ? partners : ranked.slice(0, 1)) {
      const enlarged = await measures.isEnlargement(keeper, candidate);
      if (enlarged) {
        partner = candidate;
        break;
      }
      holdsMore ||= enlarged === false;
    }
    if (!partner) {
      // A copy of this size with detail of its own: copies of its size taken for enlargements were not.
      if (holdsMore) for (const f of [...enlargedFrom.keys()]) if (oneSize(f, keeper)) enlargedFrom.delete(f);
      countPixels();
      break;
    }
    enlargedFrom.set(keeper, partner);
    keeper.enlarged = true;
    countPixels();
  }
  const keeper = chooseKeeper(members, rule);
  // Sharpness tells copies of one size apart (a blurred or resampled copy): a copy tied with the keeper only
  // because one was found enlarged from the other is not measured against it (the smaller is sharper per pixel).
  const tied = members.filter((f) => f !== keeper && oneSize(f, keeper) && tiedBefore(keeper, f, SHARPNESS_CRITERION));
  if (!tied.length) return;
  await forEachLimited([keeper, ...tied], READS_AT_ONCE, async (f) => {
    f.sharpness = await measures.sharpness(f);
  });
}
