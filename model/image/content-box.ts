/**
 * The part of a picture inside uniform borders: an added white or black frame, letterbox or pillarbox bars.
 * A bordered copy has more pixels than its original but no more picture, so the keep rule compares content
 * sizes (electron/search/duplicates/keep.ts). Pure JS over decoded pixels; run it on a small decode (≤ 512 px).
 */
import type { RawImage } from '../types.js';

/** Where the content lies, in the image's pixels. */
export interface ContentBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface ContentBoxOptions {
  /** Largest per-channel difference from the border's colour that still counts as border (default 24: JPEG noise). */
  tolerance?: number;
  /**
   * Smallest share of a side the content may keep (default 0.5). A trim that would keep less is ignored on that
   * axis: a mostly uniform photo (a white wall, a clear sky) is a picture, not a border around a sliver.
   */
  minKeep?: number;
  /**
   * Lines also trimmed inside each border found, as a share of the side (default 0.01, at least 2 px): the seam
   * between a border and the picture is blurred by JPEG ringing and resampling, so the scan stops a few lines
   * early, and a bordered copy would otherwise measure a little larger than its own original.
   */
  seam?: number;
}

type Side = 'top' | 'bottom' | 'left' | 'right';

const DEFAULT_SEAM = 0.01;

/** Pixel offsets of line `index` counted inward from `side`. */
function linePixels(image: RawImage, side: Side, index: number): { start: number; step: number; count: number } {
  const { width, height, channels } = image;
  const rowStride = width * channels;
  switch (side) {
    case 'top':
      return { start: index * rowStride, step: channels, count: width };
    case 'bottom':
      return { start: (height - 1 - index) * rowStride, step: channels, count: width };
    case 'left':
      return { start: index * channels, step: rowStride, count: height };
    case 'right':
      return { start: (width - 1 - index) * channels, step: rowStride, count: height };
  }
}

/** The colour of a side's outermost line if that line is uniform within `tolerance`, else null. */
function borderColour(image: RawImage, side: Side, tolerance: number): number[] | null {
  const { start, step, count } = linePixels(image, side, 0);
  const colour: number[] = [];
  for (let c = 0; c < image.channels; c++) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += image.data[start + i * step + c];
    colour.push(sum / count);
  }
  return lineMatches(image, side, 0, colour, tolerance) ? colour : null;
}

function lineMatches(image: RawImage, side: Side, index: number, colour: number[], tolerance: number): boolean {
  const { start, step, count } = linePixels(image, side, index);
  for (let i = 0; i < count; i++) {
    const p = start + i * step;
    for (let c = 0; c < colour.length; c++) if (Math.abs(image.data[p + c] - colour[c]) > tolerance) return false;
  }
  return true;
}

/** How many lines, from `side` inward (at most `limit`), are uniform in the side's border colour. */
function borderDepth(image: RawImage, side: Side, limit: number, tolerance: number): number {
  const colour = borderColour(image, side, tolerance);
  if (!colour) return 0;
  let depth = 1;
  while (depth < limit && lineMatches(image, side, depth, colour, tolerance)) depth++;
  return depth;
}

/** The lines of seam trimmed inside a border found along a side of `side` pixels (ContentBoxOptions.seam). */
export function seamLines(side: number, seamShare = DEFAULT_SEAM): number {
  return Math.max(2, Math.ceil(seamShare * side));
}

/** One pass: the box inside `image`'s outermost uniform bands, keeping at least minWidth × minHeight. */
function trimOnce(
  image: RawImage,
  tolerance: number,
  seamShare: number,
  minWidth: number,
  minHeight: number,
): ContentBox {
  const { width, height } = image;
  const whole = { left: 0, top: 0, width, height };
  if (width < 3 || height < 3) return whole;
  const withSeam = (depth: number, side: number) => (depth > 0 ? depth + seamLines(side, seamShare) : 0);
  const top = withSeam(borderDepth(image, 'top', height, tolerance), height);
  const bottom = top >= height ? 0 : withSeam(borderDepth(image, 'bottom', height - top, tolerance), height);
  const left = withSeam(borderDepth(image, 'left', width, tolerance), width);
  const right = left >= width ? 0 : withSeam(borderDepth(image, 'right', width - left, tolerance), width);
  const keptHeight = height - top - bottom;
  const keptWidth = width - left - right;
  const box = { ...whole };
  if (keptHeight >= minHeight) Object.assign(box, { top, height: keptHeight });
  if (keptWidth >= minWidth) Object.assign(box, { left, width: keptWidth });
  return box;
}

/** The pixels inside `box`. */
export function cropPixels(image: RawImage, box: ContentBox): RawImage {
  const { channels } = image;
  const data = new Uint8Array(box.width * box.height * channels);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.top + y) * image.width + box.left) * channels;
    data.set(image.data.subarray(from, from + box.width * channels), y * box.width * channels);
  }
  return { data, width: box.width, height: box.height, channels };
}

/** Bands of different colours nested in each other (a white frame around a photo's own black surround) take one pass each. */
const MAX_PASSES = 3;

/**
 * The box inside the image's uniform borders; the whole image when it has none (or trimming would keep too
 * little). Nested bands are trimmed pass by pass, so a copy framed in white around a picture whose own edge is
 * black measures the same picture as its original (minus one more seam, so the original wins a tie).
 */
export function contentBox(image: RawImage, options: ContentBoxOptions = {}): ContentBox {
  const tolerance = options.tolerance ?? 24;
  const minKeep = options.minKeep ?? 0.5;
  const seamShare = options.seam ?? DEFAULT_SEAM;
  const minWidth = minKeep * image.width;
  const minHeight = minKeep * image.height;
  let box: ContentBox = { left: 0, top: 0, width: image.width, height: image.height };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const view = pass === 0 ? image : cropPixels(image, box);
    const inner = trimOnce(view, tolerance, seamShare, minWidth, minHeight);
    if (inner.width === view.width && inner.height === view.height) break;
    box = { left: box.left + inner.left, top: box.top + inner.top, width: inner.width, height: inner.height };
  }
  return box;
}

/** The share of each side that is content (1 = no border): of `box`, or of `contentBox` when none is given. */
export function contentFraction(
  image: RawImage,
  box: ContentBox = contentBox(image),
): { width: number; height: number } {
  return { width: box.width / image.width, height: box.height / image.height };
}
