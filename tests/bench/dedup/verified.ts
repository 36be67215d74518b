/**
 * The app's verified duplicate rule, measured: a pair is a duplicate when its codes are within R bits and the
 * cosine of its stored duplicate embeddings (int8, model/embedding.ts) is at least τ. Swept over a
 * grid of (R, τ); with geometric matching, a pair passes when some orientation of either file passes both
 * tests at once (the app pairs a photo's rotated/mirrored code with that variant's own embedding). The upright
 * variants are matched the same way with or without geometric matching, as in the app. With a pixel check, an
 * orientation pair counts only when its pixels match too (electron/search/pixels/alignment.ts).
 */
import { embeddingCosine } from '../../../model/embedding.js';
import type { MatchRule } from '../../../electron/search/duplicates/presets.js';
import { ORIENTATION_COUNT } from './dihedral.js';
import type { Encodings } from './methods.js';
import { hammingDistance } from './methods.js';
import { inSubset, pairScore, type PairScore, type Subset } from './metrics.js';
import type { SetEntry } from './set.js';

/** The grid: radii 0..20 and minimum cosines 0.700, 0.705, …, 0.990. */
export const VERIFY_RADII = Array.from({ length: 21 }, (_, r) => r);
export const VERIFY_MIN_COSINES = Array.from({ length: 59 }, (_, t) => (700 + 5 * t) / 1000);
const MAX_RADIUS = VERIFY_RADII[VERIFY_RADII.length - 1];
const NONE = -2; // below any cosine: no orientation within the radius

/**
 * With the pixel check, only orientation pairs within this radius and cosine are checked (and can pass): the
 * pixel sweep covers R ≤ 15 (the app's cap on preset radii) and τ ≥ 0.80, so the check runs on thousands of
 * pairs, not on all of them.
 */
export const PIXEL_MAX_RADIUS = 15;
export const PIXEL_MIN_COSINE = 0.8;

/** Whether file a in orientation ka and file b in orientation kb are the same picture by their pixels. */
export type PixelVerdict = (a: number, ka: number, b: number, kb: number) => boolean;

/** One grid point's pair score; `threshold` is the radius (so the sweep's JSON reads like the other methods'). */
export interface RuleScore extends PairScore {
  radius: number;
  minCosine: number;
}

export function formatRule(rule: MatchRule): string {
  const code =
    rule.minCosine === null ? `d ≤ ${rule.radius}` : `d ≤ ${rule.radius}, cos ≥ ${rule.minCosine.toFixed(3)}`;
  return rule.pixels ? `${code}, pixels ${rule.pixels.minCoverage}/${rule.pixels.minCorrelation}` : code;
}

/**
 * For every pair of files, the best embedding cosine among the orientations whose codes are within each
 * radius 0..20: `best(i, j, R) ≥ τ` is the rule's verdict. Plain matching reads orientation 0 of both files and
 * the upright variants (greyscale, trimmed: indices 8 and 9) of one against orientation 0 of the other; geometric
 * matching also orientation k of one file against orientation 0 of the other.
 */
export class VerifiedPairs {
  /** [pair][R] best cosine within R (NONE: nothing within R), pairs in upper-triangle order. */
  private readonly plain: Float32Array;
  private readonly geometric: Float32Array;
  readonly size: number;

  constructor(codes: Encodings, embeddings: Int8Array[][], pixels?: PixelVerdict) {
    const n = codes.length;
    this.size = n;
    const pairs = (n * (n - 1)) / 2;
    const width = MAX_RADIUS + 1;
    this.plain = new Float32Array(pairs * width).fill(NONE);
    this.geometric = new Float32Array(pairs * width).fill(NONE);
    const atDistance = new Float32Array(width);
    for (let i = 0, p = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, p++) {
        atDistance.fill(NONE);
        const consider = (a: number, ka: number, b: number, kb: number) => {
          const d = hammingDistance(codes[a][ka], codes[b][kb]);
          if (d > MAX_RADIUS) return;
          const c = embeddingCosine(embeddings[a][ka], embeddings[b][kb]) ?? NONE;
          if (c <= atDistance[d]) return;
          if (pixels && (d > PIXEL_MAX_RADIUS || c < PIXEL_MIN_COSINE || !pixels(a, ka, b, kb))) return;
          atDistance[d] = c;
        };
        consider(i, 0, j, 0);
        for (let k = ORIENTATION_COUNT; k < codes[i].length; k++) {
          consider(i, k, j, 0);
          consider(j, k, i, 0);
        }
        let best = NONE;
        for (let r = 0; r < width; r++) this.plain[p * width + r] = best = Math.max(best, atDistance[r]);
        for (let k = 1; k < ORIENTATION_COUNT; k++) {
          consider(i, k, j, 0);
          consider(j, k, i, 0);
        }
        best = NONE;
        for (let r = 0; r < width; r++) this.geometric[p * width + r] = best = Math.max(best, atDistance[r]);
      }
    }
  }

  private pairIndex(i: number, j: number): number {
    const [a, b] = i < j ? [i, j] : [j, i];
    return a * this.size - (a * (a + 1)) / 2 + (b - a - 1);
  }

  /** The best cosine within `radius` (−2 when no orientation is within it). */
  bestCosine(i: number, j: number, radius: number, geometric: boolean): number {
    const table = geometric ? this.geometric : this.plain;
    return table[this.pairIndex(i, j) * (MAX_RADIUS + 1) + Math.min(radius, MAX_RADIUS)];
  }

  accepts(i: number, j: number, rule: RuleLike, geometric: boolean): boolean {
    return this.bestCosine(i, j, rule.radius, geometric) >= rule.minCosine - 1e-9;
  }

  /** Every grid point's pair score on a subset, in one pass over its pairs. */
  sweep(entries: SetEntry[], subset: Subset, geometric: boolean): RuleScore[] {
    const ids = entries.filter((e) => inSubset(e, subset)).map((e) => e.id);
    const bins = VERIFY_MIN_COSINES.length + 1;
    // counts[R][b]: pairs whose best cosine within R has exactly b grid values at or below it.
    const positives = new Float64Array(VERIFY_RADII.length * bins);
    const negatives = new Float64Array(VERIFY_RADII.length * bins);
    let allPositives = 0;
    for (let a = 0; a < ids.length; a++) {
      for (let b = a + 1; b < ids.length; b++) {
        const same = entries[ids[a]].source === entries[ids[b]].source;
        if (same) allPositives++;
        const counts = same ? positives : negatives;
        for (const r of VERIFY_RADII) {
          const c = this.bestCosine(ids[a], ids[b], r, geometric);
          if (c === NONE) continue;
          counts[r * bins + binOf(c)]++;
        }
      }
    }
    const scores: RuleScore[] = [];
    for (const r of VERIFY_RADII) {
      // Accepted at τ_t: best cosine ≥ τ_t, i.e. bin > t.
      let tp = 0;
      let fp = 0;
      const atLeast = VERIFY_MIN_COSINES.map(() => ({ tp: 0, fp: 0 }));
      for (let t = bins - 1; t >= 1; t--) {
        tp += positives[r * bins + t];
        fp += negatives[r * bins + t];
        atLeast[t - 1] = { tp, fp };
      }
      VERIFY_MIN_COSINES.forEach((minCosine, t) =>
        scores.push({
          ...pairScore(r, atLeast[t].tp, atLeast[t].fp, allPositives - atLeast[t].tp),
          radius: r,
          minCosine,
        }),
      );
    }
    return scores;
  }
}

type RuleLike = { radius: number; minCosine: number };

/** How many grid cosines are at or below c (0..59). */
function binOf(c: number): number {
  let lo = 0;
  let hi = VERIFY_MIN_COSINES.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (VERIFY_MIN_COSINES[mid] <= c + 1e-9) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Best F1 over the grid; ties go to the smaller radius, then the higher minimum cosine (fewer false positives). */
export function bestRule(scores: readonly RuleScore[]): RuleScore {
  return scores.reduce((best, s) =>
    s.f1 > best.f1 + 1e-12 ||
    (Math.abs(s.f1 - best.f1) <= 1e-12 &&
      (s.radius < best.radius || (s.radius === best.radius && s.minCosine > best.minCosine)))
      ? s
      : best,
  );
}
