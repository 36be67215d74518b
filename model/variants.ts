/**
 * The versions of a photo's model input that duplicate matching encodes beside it: rotated and mirrored ones
 * (geometric matching), a greyscale one (colour invariance: a greyscale copy of a colour photo is matched
 * through it, since the duplicate head is not blind to colour) and, for a picture with uniform borders, the
 * picture inside them (a framed or letterboxed copy is matched through it: a wide frame moves the code of the
 * whole picture further than the head's crop invariance covers).
 */
import { orientPixels, type Orientation } from './image/orientation.js';
import type { RawImage } from './types.js';

/**
 * A variant: the picture turned/mirrored as EXIF orientation 2..8 asks, the upright picture in greyscale, or
 * the upright picture without its uniform borders.
 */
export type ImageVariant = Orientation | 'greyscale' | 'trimmed';

/** The upright variants: encoded and matched whatever the geometric setting (the turned ones only with it). */
export const UPRIGHT_VARIANTS: readonly ImageVariant[] = ['greyscale', 'trimmed'];

/**
 * The least share of the width or height that uniform borders must take for a trimmed model input: a narrower
 * cut is a crop the duplicate head is invariant to (crops ≤ 20 % are found by the photo's own code), and only
 * costs an encode. Edges that are uniform by nature (a night sky, a studio backdrop) often give such cuts.
 */
export const MIN_TRIMMED_CUT = 0.05;

/**
 * A variant's model input, from the photo's model input and its trimmed one (model/image/decode.ts, decodeForCatalog);
 * null for the trimmed variant of a picture without borders, which has none.
 */
export function variantPixels(
  decoded: { model: RawImage; trimmed: RawImage | null },
  variant: ImageVariant,
): RawImage | null {
  if (variant === 'trimmed') return decoded.trimmed;
  return variant === 'greyscale' ? greyscalePixels(decoded.model) : orientPixels(decoded.model, variant);
}

/** Luma Y = round(0.299 R + 0.587 G + 0.114 B) of each pixel, replicated to every colour channel (alpha kept). */
/** The grey level (BT.601 luma, rounded) of an RGB pixel: what `greyscalePixels` writes. */
export function luma(r: number, g: number, b: number): number {
  return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
}

export function greyscalePixels(image: RawImage): RawImage {
  const { data, channels } = image;
  const out = new Uint8Array(data.length);
  const colour = Math.min(channels, 3);
  for (let i = 0; i < data.length; i += channels) {
    const y = colour === 3 ? luma(data[i], data[i + 1], data[i + 2]) : data[i];
    for (let c = 0; c < colour; c++) out[i + c] = y;
    for (let c = colour; c < channels; c++) out[i + c] = data[i + c];
  }
  return { data: out, width: image.width, height: image.height, channels };
}
