/**
 * Pixel alignment of two small pictures: where one lies in the other (scale and offset), how much of each
 * the overlap covers, and how well the overlap correlates once aligned.
 *
 * It is the last check of a candidate duplicate pair (electron/search/pixels/pixel-check.ts). Codes and embeddings
 * are pooled summaries: a 70 % window cut from a photo, or the other half of a stereo pair, pools almost like
 * the photo itself. Aligned pixels tell them apart: a window covers only half of the photo, and a stereo
 * partner (parallax) does not line up under one scale and offset, while a resized, recompressed, recoloured
 * or lightly cropped copy lines up and correlates closely.
 *
 * Model: B's picture is A's scaled, slightly turned (the Gauss–Newton refinement fits a tilt of a few degrees)
 * and shifted; 90° turns and mirrors are the caller's: it orients B first. Both pictures
 * are grey. Borders need no trimming: a bordered or letterboxed copy holds its original at a smaller scale,
 * and only the overlap is correlated (trimming was tried: a contrast edit that turns a dark edge into a
 * uniform one trims differently from its original and misjudged the coverage).
 * Search: B laid over A whole, then every scale of a log grid and the offsets at a coarse size (long side
 * 24: correlation.ts); each start refined at long sides 32 and 64, and a near miss further at 96 and 128 (fine
 * detail). A start that settles (one picture covers or lies in the other and correlates like one scene) ends the
 * search: most pairs of one view (copies, crops, other frames) are judged at their first placement. A placement
 * that passes is compared tile by tile at long side 128 last (`changes` in warp.ts): a copy differs nowhere or in
 * one place, where an overlay added something; another frame of a still view differs where its people were and
 * where they are, across the picture.
 * Correlation is the zero-mean normalised cross-correlation over the overlap;
 * where it is not high enough to be sure, each small tile is also aligned on its own, and a tile that sits
 * elsewhere than the whole (a subject that moved, parallax) means two shots, not one picture.
 * Small arrays in JS, but for the coarse search's products (WebAssembly SIMD: wasm-dot.ts). The warp's loops
 * (warp.ts) were tried in scalar WebAssembly too: V8 runs the JS about as fast (7 % apart), so they stayed JS.
 * On the stress library's candidate pairs (2-core VM, one thread), before the SIMD products: ~1–2 ms a pair
 * settled at its first placement, up to ~10 ms one that must search.
 */
import { contentBox } from '../../../model/image/content-box.js';
import type { RawImage } from '../../../model/types.js';
import { type GreyPlane, resampleGrey, type SamplePlane } from '../../../model/image/grey-resample.js';
import { luma } from '../../../model/variants.js';
import { bestOffset, OVERLAP_BONUS, type Placement, sumTables, type SumTables } from './correlation.js';
import {
  type Box,
  changes,
  type Changes,
  localShift,
  MIN_DEVIATION,
  refineWarp,
  type Warp,
  warpStats,
} from './warp.js';

export type { Box };

export type { GreyPlane };

export interface Alignment {
  /** B's long side as a share of A's, as B lies in A. */
  scale: number;
  /** How far B is turned relative to A, in degrees. */
  angle: number;
  /** Share of A's area that the overlap covers, and of B's. */
  coverageA: number;
  coverageB: number;
  /**
   * The same shares counted inside each picture's uniform borders only (model/image/content-box.ts): a bordered copy's
   * frame is not picture. Both are kept because a contrast edit can turn a dark edge of the picture uniform.
   */
  contentCoverageA: number;
  contentCoverageB: number;
  /** Zero-mean normalised cross-correlation of the aligned overlap, −1..1. */
  correlation: number;
  /**
   * How far (px at long side 64) the overlap's parts stray from the global alignment (`localShift`); with a goal,
   * measured only where the rule needs it (0 otherwise), and only until it is sure to exceed the rule's maximum
   * (then some value above it).
   */
  localShift: number;
  /** Whether both overlaps have texture enough to correlate (a blank sky or wall does not). */
  textured: boolean;
  /**
   * The share of the overlap (of both pictures' content) that the box around the places where B differs from A
   * spans (`changes` in warp.ts; 0 for one place or none), and whether something left one place and appeared at
   * another; with a goal, measured only for an alignment that meets it otherwise.
   */
  changeSpread: number;
  moved: boolean;
}

const COARSE_SIDE = 24;
const MID_SIDE = 32;
const FINE_SIDE = 64;
/**
 * The finer stages' long sides (of the 256 px thumbnail), only for a near miss at FINE_SIDE (DETAIL_FLOOR): the
 * warp is refined at 96, then at 128. Straight from 64 to 128 the refinement of a starfield stays in the wrong
 * basin (hubble_deep_field's framed copy: scale 1.117, correlation 0.82); through 96 it finds 1.123 and 0.94.
 */
const DETAIL_SIDES = [96, 128] as const;
/**
 * A textured overlap that covers enough but correlates from this up to the rule's minimum at long side 64 is
 * refined again at DETAIL_SIDES, and the better correlation counts. Fine detail (a starfield, small print)
 * is undersampled at 64 px: a framed copy of hubble_deep_field aligned there at scale 1.142 and correlated 0.79;
 * refined through 96 to 128 px it aligns at 1.123 (the frame's true 1.12) and correlates 0.94. Parallax and moved subjects only
 * stand out more at 128 px, and the local-shift test still runs at 64 px.
 */
const DETAIL_FLOOR = 0.7;
/**
 * A near miss is refined at DETAIL_SIDES only if its tiles at long side 64 stray at most this far (px) from the
 * whole's alignment (`localShift`): an undersampled copy still moves as one piece there (a 2 % scale error
 * strays ~0.6 px at the edge), while another frame or another cat of the same kind does not. On 7,091 candidate
 * pairs of the stress library (every 10th within the close radius) and the dedup set's 623 copies and 52 burst
 * windows against their photo (seed 1), the gate changed no verdict and cut a failing pair's time from 8.9 to
 * 5.6 ms (scratch measurement, 2-core VM). The pyramid coarse search (12 px then 24 px) was measured too: it
 * lost a border and a 10 % crop copy, and was not taken.
 */
const DETAIL_SHIFT_GATE = 1.5;
/** Scales searched: B's long side from 0.55 to 1 / 0.55 of A's, in steps of 10 %. */
const MIN_SCALE = 0.55;
const MAX_SCALE = 1 / 0.55;
const SCALE_STEP = 1.1;
/** The scales of B the coarse search tries, MIN_SCALE to MAX_SCALE a SCALE_STEP apart. */
const COARSE_SCALES = Array.from(
  { length: Math.ceil(Math.log(MAX_SCALE / MIN_SCALE) / Math.log(SCALE_STEP)) + 1 },
  (_, k) => MIN_SCALE * SCALE_STEP ** k,
);
/** Smallest overlap searched, as a share of the smaller picture's area. */
const MIN_OVERLAP = 0.3;
const REFINED = 5;
/**
 * With a goal, a start whose overlap at long side 32 covers less than the goal's coverage minus this is not
 * refined at 64: most starts of a pair that fails (a burst frame, a window of the photo) overlap too little
 * already there. Measured on 1,768 pairs of the dedup set (seed 1; copies against their photo and each other,
 * burst frames against their photo's family, different photos; 4,546 starts): a start's coverage rose by more
 * than 0.09 from side 32 to side 64 in 1 % of starts, and one start that passed had 0.42 at side 32 (its pair
 * passed from another start). This slack skipped 2,947 fine refinements and changed no verdict.
 */
const COVERAGE_SLACK = 0.06;

/** Luma of every pixel (model/variants.ts's greyscale, the one the greyscale variant is encoded from), as floats. */
export function greyPlane(image: RawImage): GreyPlane {
  const { data: pixels, channels } = image;
  const data = new Float32Array(image.width * image.height);
  if (channels >= 3)
    for (let i = 0, p = 0; i < data.length; i++, p += channels) data[i] = luma(pixels[p], pixels[p + 1], pixels[p + 2]);
  else for (let i = 0, p = 0; i < data.length; i++, p += channels) data[i] = pixels[p];
  return { width: image.width, height: image.height, data };
}

/** The plane with its long side `side` (aspect kept), times `scale`. */
function atSide(plane: SamplePlane, side: number, scale = 1): GreyPlane {
  const factor = (side * scale) / Math.max(plane.width, plane.height);
  return resampleGrey(
    plane,
    Math.max(1, Math.round(plane.width * factor)),
    Math.max(1, Math.round(plane.height * factor)),
  );
}

/**
 * A picture prepared for alignment: its grey content at the three sizes the search reads (computed once per
 * photo; ~17 KB).
 */
export interface AlignablePicture {
  /** The picture inside its uniform borders, as shares of the width and height. */
  content: Box;
  coarse: GreyPlane;
  mid: GreyPlane;
  fine: GreyPlane;
  /** The planes at DETAIL_SIDES, made on first use and kept (most pairs never need them). */
  detail: () => GreyPlane[];
  /**
   * The plane at DETAIL_SIDES' largest side for the change test: the kept one if `detail` made it, else made anew and
   * not kept (a third of the pairs pass and need it once; keeping it would grow every picture the checker holds).
   */
  finest: () => GreyPlane;
  /**
   * The coarse plane's sum tables, what the coarse search reads of A, made on first use and kept (~8 KB; a picture
   * met in one search is met in others: the frames of a video, the copies of a photo).
   */
  coarseTables: () => SumTables;
}

function alignable(plane: GreyPlane, content: Box): AlignablePicture {
  const fine = atSide(plane, FINE_SIDE);
  // The full plane is kept for the detail sizes as bytes: its samples are whole grey levels (greyPlane), so
  // this is exact at a quarter of the memory.
  const bytes = { width: plane.width, height: plane.height, data: Uint8Array.from(plane.data) };
  let detail: GreyPlane[] | null = null;
  let tables: SumTables | null = null;
  const coarse = atSide(fine, COARSE_SIDE);
  return {
    content,
    coarse,
    mid: atSide(plane, MID_SIDE),
    fine,
    detail: () => (detail ??= DETAIL_SIDES.map((side) => atSide(bytes, side))),
    finest: () => detail?.at(-1) ?? atSide(bytes, DETAIL_SIDES.at(-1)!),
    coarseTables: () => (tables ??= sumTables(coarse)),
  };
}

/** The coarse placement (B resized by `scale`, top-left at (dx, dy) in coarse A) as a warp between two planes. */
function placementWarp(p: Placement, coarseA: GreyPlane, coarseB: GreyPlane, a: GreyPlane, b: GreyPlane): Warp {
  const rx = a.width / coarseA.width;
  const ry = a.height / coarseA.height;
  const qx = b.width / coarseB.width;
  const qy = b.height / coarseB.height;
  const scale = (qx / rx + qy / ry) / 2;
  // u = qx·(x/rx − dx) with x measured from A's corner; re-centred on A's centre.
  return { a: scale, b: 0, tx: scale * (a.width / 2) - qx * p.dx, ty: scale * (a.height / 2) - qy * p.dy };
}

/** B laid over A whole and centred, long sides matched: where a copy that was not cropped lies. */
function centredWarp(a: GreyPlane, b: GreyPlane): Warp {
  const zoom = Math.max(b.width, b.height) / Math.max(a.width, a.height);
  return { a: zoom, b: 0, tx: b.width / 2, ty: b.height / 2 };
}

/** The same warp between planes of another size (long sides scaled by `fa` for A and `fb` for B). */
function rescaleWarp(w: Warp, fa: number, fb: number): Warp {
  return { a: (w.a * fb) / fa, b: (w.b * fb) / fa, tx: w.tx * fb, ty: w.ty * fb };
}

/**
 * When two pictures are the same picture: aligned, the overlap covers at least `minCoverage` of each (a 20 %
 * crop keeps 64 % of the area, a 70 % window 49 %) and correlates at least `minCorrelation`; below
 * `sureCorrelation` it must also move as one piece (`localShift` ≤ `maxLocalShift`: parallax between two shots
 * of a scene lowers the correlation and shifts parts of it apart). An overlap too plain to correlate passes on
 * coverage alone: nothing there tells a copy from another picture.
 */
export interface PixelRule {
  minCoverage: number;
  minCorrelation: number;
  sureCorrelation: number;
  maxLocalShift: number;
}

/** Chosen on `npm run bench:dedup`'s seed 1 (see model/README.md). */
export const DEFAULT_PIXEL_RULE: Readonly<PixelRule> = {
  minCoverage: 0.58,
  minCorrelation: 0.88,
  sureCorrelation: 0.93,
  maxLocalShift: 1,
};

/**
 * The very close preset's rule: the whole picture (the overlap keeps ≥ 80 % of each: crops of at most ~10 % a
 * side), re-saved, resized or recoloured (correlation ≥ 0.95), so no local-shift test is needed.
 */
export const STRICT_PIXEL_RULE: Readonly<PixelRule> = {
  minCoverage: 0.8,
  minCorrelation: 0.95,
  sureCorrelation: 0.95,
  maxLocalShift: 1,
};

/** The overlap's smaller share of the two pictures, by whole frames or by content, whichever is larger. */
export function coverageOf(p: Alignment): number {
  return Math.max(Math.min(p.coverageA, p.coverageB), Math.min(p.contentCoverageA, p.contentCoverageB));
}

function boxArea(box: Box): number {
  return Math.max(1e-6, (box.right - box.left) * (box.bottom - box.top));
}

/** Whether the alignment's coverage and correlation pass, before the local-shift test. */
function passesCorrelation(alignment: Alignment, rule: PixelRule): boolean {
  return (
    coverageOf(alignment) >= rule.minCoverage && (alignment.correlation >= rule.minCorrelation || !alignment.textured)
  );
}

/**
 * Whether an alignment at long side 64 is worth refining at DETAIL_SIDES: textured, covering enough for `goal`,
 * correlating from DETAIL_FLOOR up to its minimum (without a goal: the default rule's).
 */
function nearMiss(found: Alignment, goal: PixelRule | undefined): boolean {
  const rule = goal ?? DEFAULT_PIXEL_RULE;
  return (
    found.textured &&
    coverageOf(found) >= rule.minCoverage &&
    found.correlation >= DETAIL_FLOOR &&
    found.correlation < rule.minCorrelation
  );
}

/**
 * Coverage of both pictures (by whole frames or by content) from which an alignment is the whole picture: where
 * B laid over A whole may settle (below), and what makes a matching pair interchangeable copies
 * (`wholeCopies`).
 */
export const WHOLE_COVERAGE = 0.9;

/**
 * Correlation from which a placement with one picture wholly inside the other has settled (`settled`). Measured on
 * 4,728 candidate pairs of the stress library (every 15th within the close preset's radius and cosine, seed 1) and
 * checked on both dedup seeds: at DETAIL_FLOOR (0.7) four copies cropped 20 % were lost, their first start having
 * stopped inside the photo at the wrong place (0.7–0.8); from 0.8 no copy was lost, and four pairs of two pictures
 * that had passed from a later start (another frame of a video against a crop, two windows) no longer did.
 */
const INSIDE_FLOOR = 0.8;

/**
 * When a refined placement has settled, so that no other start is tried: textured, it correlates like one scene
 * where either the overlap covers enough of both pictures for a copy (by whole frames or by content: a bordered
 * copy) and correlates at least DETAIL_FLOOR, or one picture lies wholly in the other (a crop, a window, the
 * same view framed tighter) and correlates at least INSIDE_FLOOR. That is where B lies: another start, a window
 * of another scale or place, could only find a smaller or worse account of the same alignment, so the verdict is
 * this placement's. Most pairs that fail (another frame of the same view, a crop of it, a window) settle at their
 * first start, without the coarse search.
 */
function settled(found: Alignment, goal: PixelRule): boolean {
  if (!found.textured) return false;
  if (coverageOf(found) >= Math.max(goal.minCoverage, WHOLE_COVERAGE)) return found.correlation >= DETAIL_FLOOR;
  const inside = Math.max(found.coverageA, found.coverageB, found.contentCoverageA, found.contentCoverageB);
  return inside >= WHOLE_COVERAGE && found.correlation >= INSIDE_FLOOR;
}

/**
 * Largest `changeSpread` of one picture: the places where two pictures differ, boxed together, span at most this
 * share of the scene both show (2026-12-07, second version: of the overlap of their content, not of A's picture;
 * a letterboxed copy of one `basketball` frame held the changes against the next in 0.11 of its own picture, and
 * passed for a copy of it), and a pair that passes must not have something in one picture at one place and in the
 * other at another (`moved`). An edited copy differs nowhere (resize, recompression, colour, blur: every tile stays close
 * once both are smoothed and each tile may shift 1 px) or in one place, where an overlay added something (a
 * watermark's box spans at most 0.056 of the stress library's pictures); another frame of a still view differs
 * where people were and where they walked to, and can still correlate above the sure level (0.97 for two frames of
 * the stress library's street video) with a person smaller than a tile of the local-shift test. Measured on the
 * stress library (seed 1, default rule, every pair of copies of one source and every pair of two sources of one
 * scene that the check had passed): of 1,336 pairs of copies, none spread beyond 0.031 but watermarked ones
 * (≤ 0.056), none moved, and all still pass; of 571 pairs of two frames of the street video, 531 spread beyond
 * this and 32 of the other 40 moved; 33 of 37 of the two basketball frames. Frames of the tree video (the camera and
 * the leaves moved a little everywhere, so no tile stands out) mostly still pass: 444 of 1,207 do not.
 */
export const MAX_CHANGE_SPREAD = 0.125;

/** `changes` under the alignment `warp` (planes at long side 64), at long side 128, where a person is a tile or two. */
function changesOf(a: AlignablePicture, b: AlignablePicture, warp: Warp): Changes {
  const [da, db] = [a.finest(), b.finest()];
  const atDetail = rescaleWarp(warp, da.width / a.fine.width, db.width / b.fine.width);
  return changes(da, db, atDetail, a.content, b.content);
}

/** Whether the local-shift test decides: a textured overlap that correlates below the sure level. */
function needsLocalShift(alignment: Alignment, rule: PixelRule): boolean {
  return alignment.textured && alignment.correlation < rule.sureCorrelation;
}

export function meetsRule(alignment: Alignment | null, rule: PixelRule): boolean {
  return (
    alignment !== null &&
    passesCorrelation(alignment, rule) &&
    (!needsLocalShift(alignment, rule) || alignment.localShift <= rule.maxLocalShift) &&
    alignment.changeSpread <= MAX_CHANGE_SPREAD &&
    !alignment.moved
  );
}

/**
 * Whether an alignment that meets the rule makes the two pictures interchangeable: each is the whole of the
 * other (no crop or frame beyond WHOLE_COVERAGE), and they correlate at the rule's sure level. Such copies
 * (resized, recompressed, recoloured) judge alike against any third picture.
 */
export function wholeCopies(matching: Alignment, rule: PixelRule): boolean {
  return coverageOf(matching) >= WHOLE_COVERAGE && matching.textured && matching.correlation >= rule.sureCorrelation;
}

/** Whether `a` and `b` are the same picture by `rule` (the search stops at the first placement that passes). */
export function picturesMatch(a: AlignablePicture, b: AlignablePicture, rule: PixelRule = DEFAULT_PIXEL_RULE): boolean {
  return meetsRule(alignPictures(a, b, { goal: rule }), rule);
}

/**
 * How much picture `p` holds: its content (inside its uniform borders) in pixels of its 64 px plane. Upright, the
 * pixel check lays the picture that holds less into the one that holds more (pixel-check.ts).
 */
export function contentArea(p: AlignablePicture): number {
  return p.fine.width * p.fine.height * boxArea(p.content);
}

/** A decoded picture (a stored thumbnail) ready for `alignPictures`, with its content box. */
export function pictureOf(image: RawImage): AlignablePicture {
  const box = contentBox(image);
  return alignable(greyPlane(image), {
    left: box.left / image.width,
    top: box.top / image.height,
    right: (box.left + box.width) / image.width,
    bottom: (box.top + box.height) / image.height,
  });
}

/**
 * What `warp` makes of two planes of the pictures (their content boxes `contentA`, `contentB`): scale, tilt,
 * coverage, correlation and texture of the overlap (`localShift` left 0); null when the overlap has fewer than
 * `minCount` pixels.
 */
function measure(
  a: GreyPlane,
  b: GreyPlane,
  warp: Warp,
  contentA: Box,
  contentB: Box,
  minCount: number,
): Alignment | null {
  const stats = warpStats(a, b, warp, contentA, contentB);
  if (stats.count < minCount) return null;
  const zoom = Math.hypot(warp.a, warp.b); // B pixels per A pixel
  return {
    scale: Math.max(b.width, b.height) / zoom / Math.max(a.width, a.height),
    angle: (Math.atan2(warp.b, warp.a) * 180) / Math.PI,
    coverageA: stats.count / (a.width * a.height),
    coverageB: Math.min(1, (stats.count * zoom * zoom) / (b.width * b.height)),
    contentCoverageA: Math.min(1, stats.contentCount / (a.width * a.height * boxArea(contentA))),
    contentCoverageB: Math.min(1, (stats.contentCount * zoom * zoom) / (b.width * b.height * boxArea(contentB))),
    correlation: stats.correlation,
    textured: stats.deviation >= MIN_DEVIATION,
    localShift: 0,
    changeSpread: 0,
    moved: false,
  };
}

/**
 * Where `b` lies in `a` and how well it matches there; null when no placement overlaps enough. First B laid
 * over A whole (most copies), then a coarse search over scale and offset (long side 24); each start is refined
 * by Gauss–Newton (scale, tilt, offset, gain and bias) at long sides 32 and 64, and the placement that
 * correlates best wins. With a `goal`, the first placement that meets it is returned at once. `onSearch` is
 * called when B laid over A whole did not settle the verdict and the coarse search runs.
 */
export function alignPictures(
  a: AlignablePicture,
  b: AlignablePicture,
  options: { goal?: PixelRule; onSearch?: () => void } = {},
): Alignment | null {
  const minCount = (p: GreyPlane, q: GreyPlane) => 0.8 * MIN_OVERLAP * Math.min(p.width * p.height, q.width * q.height);

  const refine = (start: Warp): Alignment | null => {
    const mid = refineWarp(a.mid, b.mid, start, 10, minCount(a.mid, b.mid));
    const goal = options.goal;
    if (goal) {
      // Most starts of a pair that fails (a burst frame, a window of the photo) overlap too little already at
      // long side 32; refining them at 64 would not change the verdict (COVERAGE_SLACK).
      const atMid = measure(a.mid, b.mid, mid, a.content, b.content, minCount(a.mid, b.mid));
      if (!atMid || coverageOf(atMid) < goal.minCoverage - COVERAGE_SLACK) return null;
    }
    const fa = a.fine.width / a.mid.width;
    const fb = b.fine.width / b.mid.width;
    let warp = refineWarp(a.fine, b.fine, rescaleWarp(mid, fa, fb), 10, minCount(a.fine, b.fine));
    let found = measure(a.fine, b.fine, warp, a.content, b.content, minCount(a.fine, b.fine));
    // A near miss whose parts already stray apart at 64 px is two shots (another frame, another cat), not an
    // undersampled copy: the detail refinement, the dearest step of a failing pair, is skipped (DETAIL_SHIFT_GATE).
    let shiftAtFine: number | null = null;
    // (Measured only as far as the gate and the rule need it: localShift's limit.)
    if (found && nearMiss(found, goal))
      shiftAtFine = localShift(a.fine, b.fine, warp, goal ? Math.max(DETAIL_SHIFT_GATE, goal.maxLocalShift) : Infinity);
    if (found && shiftAtFine !== null && shiftAtFine <= DETAIL_SHIFT_GATE) {
      const [detailA, detailB] = [a.detail(), b.detail()];
      let [pa, pb, detailWarp] = [a.fine, b.fine, warp];
      for (let k = 0; k < detailA.length; k++) {
        const [da, db] = [detailA[k], detailB[k]];
        detailWarp = refineWarp(
          da,
          db,
          rescaleWarp(detailWarp, da.width / pa.width, db.width / pb.width),
          10,
          minCount(da, db),
        );
        [pa, pb] = [da, db];
      }
      const detailed = measure(pa, pb, detailWarp, a.content, b.content, minCount(pa, pb));
      if (detailed && detailed.correlation > found.correlation) {
        found = detailed;
        warp = rescaleWarp(detailWarp, a.fine.width / pa.width, b.fine.width / pb.width);
        shiftAtFine = null; // a new warp: measured again below where it decides
      }
    }
    // The local-shift test costs a few ms: with a goal, only where it decides.
    if (found && (!goal || (passesCorrelation(found, goal) && needsLocalShift(found, goal)))) {
      found.localShift = shiftAtFine ?? localShift(a.fine, b.fine, warp, goal ? goal.maxLocalShift : Infinity);
    }
    // Two shots of a still view (another frame: people moved) can correlate like copies; where the pair passes
    // so far, the places where the pictures differ are looked for (MAX_CHANGE_SPREAD).
    if (found && found.textured && (!goal || meetsRule(found, goal))) {
      const { spread, moved } = changesOf(a, b, warp);
      [found.changeSpread, found.moved] = [spread, moved];
    }
    return found;
  };
  let best: Alignment | null = null;
  const score = (p: Alignment) => p.correlation + OVERLAP_BONUS * coverageOf(p);
  const consider = (candidate: Alignment | null): boolean => {
    if (candidate && (!best || score(candidate) > score(best))) best = candidate;
    return options.goal !== undefined && meetsRule(candidate, options.goal);
  };

  const centred = refine(centredWarp(a.mid, b.mid));
  if (consider(centred)) return best;
  // B laid over A whole settled where one picture covers or lies in the other and correlates like one scene
  // (`settled`): that is where B lies, and the verdict is this placement's.
  if (options.goal && centred && settled(centred, options.goal)) return best;

  options.onSearch?.();
  const coarse: { placement: Placement; coarseB: GreyPlane }[] = [];
  const tablesA = a.coarseTables();
  for (const scale of COARSE_SCALES) {
    // (Kept per picture these planes cost ~33 KB each, 60 MB of RSS on the stress library, for ~2 % of the time.)
    const coarseB = atSide(b.fine, COARSE_SIDE, scale);
    const cells = MIN_OVERLAP * Math.min(a.coarse.width * a.coarse.height, coarseB.width * coarseB.height);
    const p = bestOffset(a.coarse, tablesA, coarseB, cells);
    if (p) coarse.push({ placement: p, coarseB });
  }
  coarse.sort((p, q) => q.placement.score - p.placement.score);
  for (const { placement, coarseB } of coarse.slice(0, REFINED)) {
    const start = placementWarp(placement, a.coarse, coarseB, a.mid, b.mid);
    const found = refine(start);
    if (consider(found)) break;
    if (options.goal && found && settled(found, options.goal)) break;
  }
  return best;
}
