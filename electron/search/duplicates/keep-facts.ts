/**
 * What the keep rule (keep.ts) reads beyond the catalog's facts, gathered for the photos of duplicate groups:
 * cheap facts for every file (its JPEG quality from its headers; from its thumbnail, whether it is grey and the
 * even part of its uniform border), then per group only the costly facts that can change the proposed keeper
 * (whether the copy about to be kept is only a smaller copy enlarged; the sharpness of copies still tied).
 * A file that cannot be read is judged without them.
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
  type KeepCandidate,
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
export async function settleGroupsKeepFacts(groups: KeepCandidate[][], rule?: KeepRule): Promise<void> {
  await forEachLimited(groups, GROUPS_AT_ONCE, (members) => settleKeepFacts(members, rule));
}

/** Runs `work` on every item, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Sets `jpegQuality`, `grey` and the content size inside an even frame on every file. */
export async function readKeepFacts(
  files: readonly KeepCandidate[],
  thumbnail: (id: number) => Uint8Array | undefined,
): Promise<void> {
  await forEachLimited(files, READS_AT_ONCE, async (file) => {
    const webp = thumbnail(file.id);
    const [jpegQuality, picture] = await Promise.all([
      jpegQualityOfFile(file.path),
      webp ? decodeImage(webp, { channels: 3 }).catch(() => null) : Promise.resolve(null),
    ]);
    file.jpegQuality = jpegQuality;
    file.grey = picture ? isGrey(picture) : null;
    // A plain area along one side is picture: only an even frame is taken away from the size.
    if (picture) {
      const inside = insideEvenFrame(picture);
      file.contentWidth = Math.round(file.width * inside.width);
      file.contentHeight = Math.round(file.height * inside.height);
    }
  });
}

type Region = { left: number; top: number; width: number; height: number };

/**
 * The same centre part of both files at their own resolution: DETAIL_SIDE pixels a side of the larger, the
 * window of the smaller cut first and the larger's placed on the same grid, so that an exact enlargement lines up.
 */
function centreWindows(large: KeepCandidate, small: KeepCandidate): { large: Region; small: Region } {
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

/** Whether `large` holds no detail finer than `small`'s pixels (model/image/picture-quality.ts); null if unreadable. */
async function isEnlargementOf(large: KeepCandidate, small: KeepCandidate): Promise<boolean | null> {
  if (!large.width || !large.height || !small.width || !small.height) return null;
  const cut = centreWindows(large, small);
  const decode = (f: KeepCandidate, region: Region): Promise<RawImage | null> =>
    decodeImage(f.path, { region, channels: 3 }).catch(() => null);
  const [l, s] = await Promise.all([decode(large, cut.large), decode(small, cut.small)]);
  // Windows clipped to a small picture may no longer differ enough in size to tell.
  if (!l || !s || l.width * l.height < WINDOWS_AREA * s.width * s.height) return null;
  return !(await holdsMoreDetail(l, s, { largeJpegQuality: large.jpegQuality }));
}

/**
 * Settles the costly facts of one group where they can change its keeper: while the copy about to be kept has
 * ENLARGED_AREA times the pixels of another, it is tested against the largest such one, and if it is only that
 * one enlarged it counts that one's pixels (`detailPixels`) and the keeper is chosen again; then the copies
 * still tied with the keeper up to sharpness, and the keeper, are measured for it.
 */
export async function settleKeepFacts(members: KeepCandidate[], rule: KeepRule = DEFAULT_KEEP_RULE): Promise<void> {
  if (members.length < 2) return;
  const tested = new Set<KeepCandidate>();
  // Each copy found to be an enlargement, and the copy it was enlarged from: a chain (3× from 2× from the
  // original) resolves to its end, whose own pixels the whole chain counts.
  const enlargedFrom = new Map<KeepCandidate, KeepCandidate>();
  const source = (f: KeepCandidate): KeepCandidate => {
    while (enlargedFrom.has(f)) f = enlargedFrom.get(f)!;
    return f;
  };
  for (;;) {
    const keeper = chooseKeeper(members, rule);
    if (tested.has(keeper)) break;
    tested.add(keeper);
    const pixels = contentPixels(source(keeper));
    const smaller = members.filter(
      (f) => source(f) !== source(keeper) && pixels >= ENLARGED_AREA * contentPixels(source(f)),
    );
    if (!smaller.length) break;
    // Compared with the best of the smaller copies: an enlargement of it holds no more detail than it, while
    // against a blurred or shrunk copy any copy would look detailed.
    const partner = chooseKeeper(smaller);
    if (!(await isEnlargementOf(keeper, partner))) break;
    enlargedFrom.set(keeper, partner);
    for (const f of enlargedFrom.keys()) f.detailPixels = contentPixels(source(f));
  }
  const keeper = chooseKeeper(members, rule);
  // Sharpness tells copies of one size apart (a blurred or resampled copy): a copy tied with the keeper only
  // because one was found enlarged from the other is not measured against it (the smaller is sharper per pixel).
  const oneSize = (f: KeepCandidate) =>
    Math.max(contentPixels(f), contentPixels(keeper)) <=
    SAME_RESOLUTION * Math.min(contentPixels(f), contentPixels(keeper));
  const tied = members.filter((f) => f !== keeper && oneSize(f) && tiedBefore(keeper, f, SHARPNESS_CRITERION));
  if (!tied.length) return;
  await forEachLimited([keeper, ...tied], READS_AT_ONCE, async (f) => {
    const image = await decodeImage(f.path, {
      size: SHARPNESS_SIDE,
      fit: 'inside',
      withoutEnlargement: true,
      channels: 3,
    }).catch(() => null);
    f.sharpness = image ? sharpnessOf(image) : null;
  });
}
