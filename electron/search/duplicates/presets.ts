/**
 * Duplicate thresholds a user understands, mapped to match rules in one place.
 *
 * A match rule is a Hamming radius for the candidate pairs and, optionally, a minimum cosine of the two
 * photos' duplicate embeddings that a candidate must also reach (verification, model/embedding.ts)
 * and a pixel check of their thumbnails (electron/search/pixels/alignment.ts).
 * Each hashing head carries its own rules, measured on the `bench:dedup` set and recorded in the model
 * manifest (`presets` of the head; see `calibrateVerifiedPresets` and `calibratePresets` for the rules). A
 * preset recorded as a plain number is a radius alone (heads calibrated before verification). The constants
 * below are only the fallback for a head that was never calibrated (radius alone); for other code lengths
 * they scale with K. "Exact" means byte-identical files (equal content hash) and needs no code at all; a
 * custom threshold (a number of bits) is a radius alone.
 */

import type { PixelRule } from '../pixels/alignment.js';

export const THRESHOLD_PRESETS = ['exact', 'very-close', 'close', 'loose'] as const;
export type ThresholdPreset = (typeof THRESHOLD_PRESETS)[number];
export type NearPreset = Exclude<ThresholdPreset, 'exact'>;

/** Fallback radii for 64-bit codes of an uncalibrated head. */
export const VERY_CLOSE_RADIUS_64 = 2;
export const CLOSE_RADIUS_64 = 5;
export const LOOSE_RADIUS_64 = 10;

export const DEFAULT_THRESHOLD: ThresholdPreset = 'close';

/**
 * A pair within `radius` bits is a duplicate if its embeddings' cosine is at least `minCosine` (null: no check)
 * and, with `pixels`, if its thumbnails align as one picture by that rule (electron/search/pixels/alignment.ts).
 */
export interface MatchRule {
  radius: number;
  minCosine: number | null;
  pixels?: PixelRule | null;
}

/** A preset as a manifest records it: a plain number is a radius alone. */
export type PresetRule = number | MatchRule;

/** Rules measured for one head (and the code length they apply to). */
export interface CalibratedPresets {
  bits: number;
  rules: Record<NearPreset, PresetRule>;
}

export interface ResolvedThreshold {
  /** The preset name, or `custom`. */
  name: ThresholdPreset | 'custom';
  /** Hamming radius for near duplicates; null for `exact` (content-hash equality only). */
  radius: number | null;
  /** Minimum cosine of the duplicate embeddings for a near pair; null: the radius alone decides. */
  minCosine: number | null;
  /** The pixel check a near pair must also pass; null: none. */
  pixels: PixelRule | null;
}

export function toMatchRule(rule: PresetRule): MatchRule & { pixels: PixelRule | null } {
  return typeof rule === 'number'
    ? { radius: rule, minCosine: null, pixels: null }
    : { radius: rule.radius, minCosine: rule.minCosine, pixels: rule.pixels ?? null };
}

const RADIUS_64: Record<NearPreset, number> = {
  'very-close': VERY_CLOSE_RADIUS_64,
  close: CLOSE_RADIUS_64,
  loose: LOOSE_RADIUS_64,
};

function isPreset(value: string): value is ThresholdPreset {
  return (THRESHOLD_PRESETS as readonly string[]).includes(value);
}

/**
 * Resolves `--threshold exact|very-close|close|loose|N` (N a custom radius 0..bits, as a number or a
 * numeric string, matched by the radius alone) for codes of `bits` bits, with the head's measured rules
 * when they apply to these codes. Throws a RangeError with a sentence a user can act on.
 */
export function resolveThreshold(
  threshold: string | number | undefined,
  bits: number,
  calibrated?: CalibratedPresets,
): ResolvedThreshold {
  const value = threshold ?? DEFAULT_THRESHOLD;
  if (typeof value === 'string' && isPreset(value)) {
    if (value === 'exact') return { name: value, radius: null, minCosine: null, pixels: null };
    const rule =
      calibrated?.bits === bits
        ? toMatchRule(calibrated.rules[value])
        : { radius: Math.round((RADIUS_64[value] * bits) / 64), minCosine: null, pixels: null };
    return { name: value, ...rule };
  }
  const radius = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(radius) || radius < 0 || radius > bits) {
    throw new RangeError(
      `Unknown threshold "${String(value)}": use ${THRESHOLD_PRESETS.join(', ')} or a whole number of bits from 0 to ${bits}`,
    );
  }
  return { name: 'custom', radius, minCosine: null, pixels: null };
}

/** One point of a precision/recall sweep over radii. */
export interface SweepPoint {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * The calibration rule for radii alone (a head measured without verification), applied to its pair sweep on
 * the dedup benchmark:
 * - close: the radius with the best F1 (the default: the best balance of missed and false duplicates);
 * - very close: the largest radius below it whose precision is within 0.02 of the best precision (fewest surprises);
 * - loose: the smallest radius with recall ≥ 0.95, at least close + 1 (finds nearly everything; review needed).
 */
export function calibratePresets(sweep: readonly SweepPoint[]): Record<NearPreset, number> {
  const sorted = [...sweep].sort((a, b) => a.threshold - b.threshold);
  const best = sorted.reduce((a, b) => (b.f1 > a.f1 ? b : a));
  const topPrecision = Math.max(...sorted.filter((p) => p.threshold <= best.threshold).map((p) => p.precision));
  const precise = sorted.filter((p) => p.threshold < best.threshold && p.precision >= topPrecision - 0.02);
  const veryClose = precise.length ? precise[precise.length - 1].threshold : Math.max(0, best.threshold - 1);
  const wide = sorted.find((p) => p.threshold > best.threshold && p.recall >= 0.95);
  const loose = wide ? wide.threshold : sorted[sorted.length - 1].threshold;
  return { 'very-close': veryClose, close: best.threshold, loose: Math.max(loose, best.threshold + 1) };
}

/** One point of a precision/recall sweep over match rules: a radius and a minimum cosine. */
export interface RuleSweepPoint {
  radius: number;
  minCosine: number;
  precision: number;
  recall: number;
  f1: number;
}

/** F1 differences below this are treated as ties when choosing close's radius (see `calibrateVerifiedPresets`). */
export const F1_TIE = 0.005;

/**
 * The widest candidate radius a preset may use. Candidate pairs, and so the time to find and verify them,
 * grow about 3–6× per 2–4 bits: the self-join of 60,000 real images' dup-64 codes (CIFAR-10) took 1.6 s for
 * 1.6 M pairs at radius 11, 4.4 s for 6.0 M at 13, 9.1 s for 18.6 M at 15 and 38 s for 109 M at 19
 * (`npm run bench:candidates`, 2-core VM). Past 15 the benchmark's F1 gains are within 0.005.
 */
export const MAX_CANDIDATE_RADIUS = 15;

/**
 * The calibration rule for verified presets, applied to a head's sweep over a grid of (radius, minimum
 * cosine) on the dedup benchmark:
 * - only rules with radius ≤ `maxRadius` (default MAX_CANDIDATE_RADIUS) are candidates: search time;
 * - close: the smallest radius whose best F1 is within F1_TIE (0.005) of the grid's best F1, with the minimum
 *   cosine that gives it: past the radius where F1 stops rising, every extra bit only costs search time
 *   (more candidate pairs to find and verify);
 * - very close: among the rules at least as strict as close (radius ≤, minimum cosine ≥), the best F1 among
 *   those whose precision is within 0.02 of their top precision (fewest surprises);
 * - loose: among the rules at least as wide as close (radius ≥, minimum cosine ≤) other than close itself,
 *   the best F1 among those with recall ≥ 0.95, else the highest recall (finds nearly everything; review needed).
 * Each rule is nested in the next, so very close's pairs are close's, and close's are loose's.
 * Best-F1 ties go to the smaller radius, then the higher minimum cosine.
 */
export function calibrateVerifiedPresets(
  sweep: readonly RuleSweepPoint[],
  maxRadius = MAX_CANDIDATE_RADIUS,
): Record<NearPreset, MatchRule> {
  const grid = sweep.filter((p) => p.radius <= maxRadius);
  if (grid.length === 0) throw new RangeError('An empty sweep calibrates nothing');
  const better = (a: RuleSweepPoint, b: RuleSweepPoint) =>
    b.f1 > a.f1 + 1e-12 ||
    (Math.abs(b.f1 - a.f1) <= 1e-12 && (b.radius < a.radius || (b.radius === a.radius && b.minCosine > a.minCosine)));
  const bestF1 = (points: readonly RuleSweepPoint[]) => points.reduce((a, b) => (better(a, b) ? b : a));
  const rule = (p: RuleSweepPoint): MatchRule => ({ radius: p.radius, minCosine: p.minCosine });

  const top = bestF1(grid).f1;
  const closeRadius = Math.min(...grid.filter((p) => p.f1 >= top - F1_TIE).map((p) => p.radius));
  const close = bestF1(grid.filter((p) => p.radius === closeRadius));

  const stricter = grid.filter((p) => p.radius <= close.radius && p.minCosine >= close.minCosine);
  const topPrecision = Math.max(...stricter.map((p) => p.precision));
  const veryClose = bestF1(stricter.filter((p) => p.precision >= topPrecision - 0.02));

  const wider = grid.filter((p) => p.radius >= close.radius && p.minCosine <= close.minCosine && p !== close);
  const complete = wider.filter((p) => p.recall >= 0.95);
  const mostRecall = (points: readonly RuleSweepPoint[]) =>
    points.reduce((a, b) => (b.recall > a.recall || (b.recall === a.recall && better(a, b)) ? b : a));
  const loose = complete.length ? bestF1(complete) : wider.length ? mostRecall(wider) : close;

  return { 'very-close': rule(veryClose), close: rule(close), loose: rule(loose) };
}
