/**
 * Duplicate thresholds a user understands, mapped to Hamming radii in one place.
 *
 * Each hashing head carries its own radii, measured on the `bench:dedup` set and recorded in the model
 * manifest (`presets` of the head; see `calibratePresets` for the rule). The constants below are only the
 * fallback for a head that was never calibrated; for other code lengths they scale with K. "Exact" means
 * byte-identical files (equal content hash) and needs no code at all.
 */

export const THRESHOLD_PRESETS = ['exact', 'very-close', 'close', 'loose'] as const;
export type ThresholdPreset = (typeof THRESHOLD_PRESETS)[number];
export type NearPreset = Exclude<ThresholdPreset, 'exact'>;

/** Fallback radii for 64-bit codes of an uncalibrated head. */
export const VERY_CLOSE_RADIUS_64 = 2;
export const CLOSE_RADIUS_64 = 5;
export const LOOSE_RADIUS_64 = 10;

export const DEFAULT_THRESHOLD: ThresholdPreset = 'close';

/** Radii measured for one head (and the code length they apply to). */
export interface CalibratedRadii {
  bits: number;
  radii: Record<NearPreset, number>;
}

export interface ResolvedThreshold {
  /** The preset name, or `custom`. */
  name: ThresholdPreset | 'custom';
  /** Hamming radius for near duplicates; null for `exact` (content-hash equality only). */
  radius: number | null;
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
 * numeric string) for codes of `bits` bits, with the head's measured radii when they apply to these codes.
 * Throws a RangeError with a sentence a user can act on.
 */
export function resolveThreshold(
  threshold: string | number | undefined,
  bits: number,
  calibrated?: CalibratedRadii,
): ResolvedThreshold {
  const value = threshold ?? DEFAULT_THRESHOLD;
  if (typeof value === 'string' && isPreset(value)) {
    if (value === 'exact') return { name: value, radius: null };
    const radius = calibrated?.bits === bits ? calibrated.radii[value] : Math.round((RADIUS_64[value] * bits) / 64);
    return { name: value, radius };
  }
  const radius = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(radius) || radius < 0 || radius > bits) {
    throw new RangeError(
      `Unknown threshold "${String(value)}": use ${THRESHOLD_PRESETS.join(', ')} or a whole number of bits from 0 to ${bits}`,
    );
  }
  return { name: 'custom', radius };
}

/** One point of a precision/recall sweep over radii. */
export interface SweepPoint {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * The calibration rule, applied to a head's pair sweep on the dedup benchmark:
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
