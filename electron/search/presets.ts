/**
 * Duplicate thresholds a user understands, mapped to Hamming radii in one place.
 *
 * The radii are placeholders for 64-bit duplicate codes until they are calibrated on the
 * `bench:dedup` set (issue 7 records the measured values here); for other code lengths they scale
 * with K. "Exact" means byte-identical files (equal content hash) and needs no code at all.
 */

export const THRESHOLD_PRESETS = ['exact', 'very-close', 'close', 'loose'] as const;
export type ThresholdPreset = (typeof THRESHOLD_PRESETS)[number];

/** Radius for 64-bit codes per near-duplicate preset. NOT YET CALIBRATED: replace with bench:dedup results. */
export const VERY_CLOSE_RADIUS_64 = 2;
export const CLOSE_RADIUS_64 = 5;
export const LOOSE_RADIUS_64 = 10;

export const DEFAULT_THRESHOLD: ThresholdPreset = 'close';

export interface ResolvedThreshold {
  /** The preset name, or `custom`. */
  name: ThresholdPreset | 'custom';
  /** Hamming radius for near duplicates; null for `exact` (content-hash equality only). */
  radius: number | null;
}

const RADIUS_64: Record<Exclude<ThresholdPreset, 'exact'>, number> = {
  'very-close': VERY_CLOSE_RADIUS_64,
  close: CLOSE_RADIUS_64,
  loose: LOOSE_RADIUS_64,
};

function isPreset(value: string): value is ThresholdPreset {
  return (THRESHOLD_PRESETS as readonly string[]).includes(value);
}

/**
 * Resolves `--threshold exact|very-close|close|loose|N` (N a custom radius 0..bits, as a number or a
 * numeric string) for codes of `bits` bits. Throws a RangeError with a sentence a user can act on.
 */
export function resolveThreshold(threshold: string | number | undefined, bits: number): ResolvedThreshold {
  const value = threshold ?? DEFAULT_THRESHOLD;
  if (typeof value === 'string' && isPreset(value)) {
    return { name: value, radius: value === 'exact' ? null : Math.round((RADIUS_64[value] * bits) / 64) };
  }
  const radius = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(radius) || radius < 0 || radius > bits) {
    throw new RangeError(
      `Unknown threshold "${String(value)}": use ${THRESHOLD_PRESETS.join(', ')} or a whole number of bits from 0 to ${bits}`,
    );
  }
  return { name: 'custom', radius };
}
