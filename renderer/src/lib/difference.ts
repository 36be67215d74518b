/**
 * The difference overlay of the compare view: two pictures drawn at one size (RGBA, as a canvas's ImageData holds
 * them), their per-pixel difference made visible, and how much of the picture differs.
 */

/** A pixel differs when one of its channels is more than this many levels apart (JPEG noise stays below). */
export const DIFFERENT_LEVELS = 24;
/** Differences are shown this many times brighter. */
const GAIN = 4;

export interface Difference {
  /** RGBA: black where the two agree, bright where they differ. */
  pixels: Uint8ClampedArray<ArrayBuffer>;
  /** Share of pixels that differ by more than DIFFERENT_LEVELS in some channel, 0..1. */
  differing: number;
}

export function difference(a: Uint8ClampedArray, b: Uint8ClampedArray): Difference {
  if (a.length !== b.length || a.length % 4) throw new RangeError('Both pictures must be RGBA of one size');
  const pixels = new Uint8ClampedArray(a.length);
  let differing = 0;
  for (let i = 0; i < a.length; i += 4) {
    let most = 0;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a[i + c] - b[i + c]);
      pixels[i + c] = d * GAIN;
      if (d > most) most = d;
    }
    pixels[i + 3] = 255;
    if (most > DIFFERENT_LEVELS) differing++;
  }
  return { pixels, differing: differing / (a.length / 4) };
}

/** How much differs, in words. */
export function differenceText(differing: number): string {
  if (differing === 0) return 'No visible difference: the two agree pixel for pixel (within JPEG noise).';
  const percent = differing * 100;
  const shown = percent < 1 ? percent.toFixed(1) : Math.round(percent).toString();
  return `${shown} % of the picture differs (bright in the overlay).`;
}
