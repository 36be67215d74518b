/**
 * The versions of a photo's model input that duplicate matching encodes beside it: rotated and mirrored ones
 * (geometric matching), a greyscale one (colour invariance: a greyscale copy of a colour photo is matched
 * through it, since the duplicate head is not blind to colour) and, for a picture with uniform borders, the
 * picture inside them (a framed or letterboxed copy is matched through it: a wide frame moves the code of the
 * whole picture further than the head's crop invariance covers).
 */
import { ORIENTATIONS, orientPixels, type Orientation } from './image/orientation.js';
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
/**
 * The grey level (BT.601 luma, rounded) of an RGB pixel: what `greyscalePixels` writes. Rounded as floor(y + 0.5),
 * which equals Math.round(y) for every 8-bit colour (a test checks all 2^24) and costs a fifth of it in V8 (0.14
 * against 0.7 ms for a 256 × 192 thumbnail; the pixel check greys every picture it prepares).
 */
export function luma(r: number, g: number, b: number): number {
  return Math.floor(0.299 * r + 0.587 * g + 0.114 * b + 0.5);
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

/**
 * Geometric matching by a canonical orientation. Every turned or mirrored copy of a picture is one of its eight
 * orientations, and the eight act on the picture's brightness centroid (its offset from the centre, (x, y), in units
 * of the half width and half height) as signed swaps of x and y: mirroring left–right negates x, turning 90° maps
 * (x, y) to (−y, x), and so on. Exactly one orientation puts the centroid in the sector x ≥ y ≥ 0: the picture's
 * canonical orientation. A turned copy has the same canonical picture as its original (the centroid turns with the
 * pixels), so one code each — of the picture turned to its canonical orientation — pairs them, where storing every
 * orientation took six codes a photo (the six that, with their inverses, cover the seven turns).
 *
 * Near a sector's edge (y ≈ 0 or x ≈ y) a copy's small differences (JPEG, resizing) can move the centroid across, so
 * the orientations within CANONICAL_MARGIN of the sector (the distance to it over the centroid's length) count as
 * canonical too: about one photo in ten gets two.
 */
export const CANONICAL_MARGIN = 0.05;

/** The brightness (luma) centroid's offset from the centre, in half widths and half heights, times the contrast. */
export function brightnessCentroid(image: RawImage): [number, number] {
  const { data, width: w, height: h, channels } = image;
  const n = w * h;
  const grey = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = i * channels;
    const y = channels >= 3 ? 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2] : data[p];
    grey[i] = y;
    sum += y;
  }
  const mean = sum / n;
  let sx = 0;
  let sy = 0;
  for (let y = 0, i = 0; y < h; y++) {
    const dy = y - (h - 1) / 2;
    for (let x = 0; x < w; x++, i++) {
      const v = grey[i] - mean;
      sx += (x - (w - 1) / 2) * v;
      sy += dy * v;
    }
  }
  return [sx / (n * Math.max(1, w / 2) * 255), sy / (n * Math.max(1, h / 2) * 255)];
}

/** Where orientation `o` moves a centroid (x, y) of the picture (what `brightnessCentroid` of the turned picture gives). */
export function turnCentroid(o: Orientation, [x, y]: readonly [number, number]): [number, number] {
  switch (o) {
    case 1: return [x, y]; // prettier-ignore
    case 2: return [-x, y]; // prettier-ignore
    case 3: return [-x, -y]; // prettier-ignore
    case 4: return [x, -y]; // prettier-ignore
    case 5: return [y, x]; // prettier-ignore
    case 6: return [-y, x]; // prettier-ignore
    case 7: return [-y, -x]; // prettier-ignore
    case 8: return [y, -x]; // prettier-ignore
  }
}

/**
 * The picture's canonical orientations (see CANONICAL_MARGIN): the one that turns its brightness centroid into the
 * sector x ≥ y ≥ 0, and those within the margin of it. 1 (upright) may be among them. A picture of one flat colour
 * has no centroid: every orientation is the same picture, so upright alone.
 */
export function canonicalOrientations(image: RawImage, margin = CANONICAL_MARGIN): Orientation[] {
  const centroid = brightnessCentroid(image);
  const length = Math.hypot(centroid[0], centroid[1]);
  if (!(length > 1e-9)) return [1];
  const distance = (o: Orientation) => {
    const [x, y] = turnCentroid(o, centroid);
    return Math.max(0, -y, (y - x) / Math.SQRT2) / length;
  };
  const inside = ORIENTATIONS.filter((o) => distance(o) <= margin);
  return inside.length > 0 ? inside : [1];
}

/** What the encode pipeline is asked for beside each photo: a variant, or 'canonical' (its canonical orientations). */
export type VariantRequest = ImageVariant | 'canonical';

/** One model input to encode beside the photo's own, and whether it is one of its canonical orientations. */
export interface VariantInput {
  variant: ImageVariant;
  canonical: boolean;
  pixels: RawImage;
}

/**
 * The model inputs `request` asks for: one for a variant the picture has (none for 'trimmed' without borders), and
 * for 'canonical' one per canonical orientation other than upright (the photo's own code serves that one).
 */
export function variantInputs(
  decoded: { model: RawImage; trimmed: RawImage | null },
  request: VariantRequest,
): VariantInput[] {
  if (request === 'canonical') {
    return canonicalOrientations(decoded.model)
      .filter((o) => o !== 1)
      .map((o) => ({ variant: o, canonical: true, pixels: orientPixels(decoded.model, o) }));
  }
  const pixels = variantPixels(decoded, request);
  return pixels ? [{ variant: request, canonical: false, pixels }] : [];
}
