/**
 * What a file says about its quality beyond its size, for choosing which copy of a photo to keep
 * (electron/search/duplicates/keep.ts): whether a larger copy holds more detail than a smaller one or is only enlarged,
 * whether its pixels are grey (a greyscale copy of a colour photo), and the JPEG quality it was saved at (a
 * re-compressed copy of a JPEG was saved at a lower quality than its source, as a rule).
 */
import { open } from 'node:fs/promises';
import { contentBox, seamLines } from './content-box.js';
import { type GreyPlane, resampleGrey } from './grey-resample.js';
import { decodeImage, editImage, encodeImage } from './decode.js';
import type { RawImage } from '../types.js';

/** Mean channel difference (grey levels) below which a picture is grey. */
const GREY_SPREAD = 2;

/** Whether every pixel has R ≈ G ≈ B. */
export function isGrey(image: RawImage): boolean {
  if (image.channels < 3) return true;
  let spread = 0;
  const { data, channels } = image;
  const n = image.width * image.height;
  for (let i = 0, o = 0; i < n; i++, o += channels) {
    const [r, g, b] = [data[o], data[o + 1], data[o + 2]];
    spread += (r > g ? (r > b ? r : b) : g > b ? g : b) - (r < g ? (r < b ? r : b) : g < b ? g : b);
  }
  return spread / n < GREY_SPREAD;
}

/** libjpeg's standard luminance quantisation table (quality 50), in natural order. */
const STANDARD_LUMINANCE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
  87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];
const STANDARD_SUM = STANDARD_LUMINANCE.reduce((a, b) => a + b, 0);

/**
 * The quality a JPEG was saved at, estimated from its first (luminance) quantisation table as libjpeg scales
 * the standard table: the table's sum over the standard's, as a percentage S, is 5000 / q below q = 50 and
 * 200 − 2q above. Null for anything that is not a JPEG or has no table.
 */
export function jpegQualityOf(bytes: Uint8Array): number | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker === 0xda || marker === 0xd9) return null; // image data before any table
    if (marker === 0xdb) {
      let p = i + 4;
      const end = i + 2 + length;
      while (p < end) {
        const precision = bytes[p] >> 4;
        const id = bytes[p] & 15;
        const size = precision ? 128 : 64;
        if (id === 0 && p + 1 + size <= bytes.length) {
          let sum = 0;
          for (let k = 0; k < 64; k++)
            sum += precision ? (bytes[p + 1 + 2 * k] << 8) | bytes[p + 2 + 2 * k] : bytes[p + 1 + k];
          const s = (100 * sum) / STANDARD_SUM;
          const q = s <= 100 ? (200 - s) / 2 : 5000 / s;
          return Math.max(1, Math.min(100, Math.round(q)));
        }
        p += 1 + size;
      }
    }
    i += 2 + length;
  }
  return null;
}

/** The first `size` bytes of a file (its headers). */
async function head(path: string, size: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const buffer = new Uint8Array(size);
    const { bytesRead } = await file.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The estimated JPEG quality of a file (its headers only); null for other formats or an unreadable file. */
export async function jpegQualityOfFile(path: string): Promise<number | null> {
  try {
    return jpegQualityOf(await head(path, 1 << 16));
  } catch {
    return null;
  }
}

/** Copies are compared for detail (`holdsMoreDetail`) on a centre window of the larger this many pixels a side. */
export const DETAIL_SIDE = 1024;

function greyOf(image: RawImage): GreyPlane {
  return greyWindow(image, 0, 0, image.width, image.height);
}

/** The grey of the window `width` × `height` at (`left`, `top`) of `image`, as `greyOf` gives it. */
function greyWindow(image: RawImage, left: number, top: number, width: number, height: number): GreyPlane {
  const { channels: c, data } = image;
  const grey = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    let i = ((top + y) * image.width + left) * c;
    const row = y * width;
    if (c >= 3)
      for (let x = 0; x < width; x++, i += c)
        grey[row + x] = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    else for (let x = 0; x < width; x++, i += c) grey[row + x] = data[i];
  }
  return { width, height, data: grey };
}

/** Resampling to width × height: area average when shrinking, bilinear when enlarging. */
function resample(src: GreyPlane, width: number, height: number): GreyPlane {
  return resampleGrey(src, width, height, 'bilinear');
}

/** Mean squared change of a plane shrunk to width × height and enlarged back: its detail finer than that size. */
function detailFinerThan(plane: GreyPlane, width: number, height: number): number {
  const back = resample(resample(plane, width, height), plane.width, plane.height);
  let sum = 0;
  for (let i = 0; i < plane.data.length; i++) sum += (plane.data[i] - back.data[i]) ** 2;
  return sum / plane.data.length;
}

/**
 * Whether `large` holds detail finer than `small`'s size, or is only `small`'s picture enlarged (an upscaled
 * copy) or blurred as much. Both are shrunk to `small`'s size and enlarged back, `small` enlarged the way image
 * editors do (Lanczos, model/image/decode.ts): an enlargement loses about what that loses (ratio ≈ 1), a picture with
 * its own finer detail loses more (`detailBeyond`). Measured on the dedup set's 26 photos (centre windows at
 * their own resolution, as electron/search/service.ts cuts them; scratch): originals against their 50 % copy
 * 1.17–3.90 and their 25 % copy 1.28–5.15, copies enlarged 2× and 3× (JPEG q92) against their original
 * 0.86–1.02; one photo that is itself soft (cell.png: 0.68 and 1.05) ties, and the later rules decide.
 */
export async function holdsMoreDetail(
  large: RawImage,
  small: RawImage,
  options: { largeJpegQuality?: number | null } = {},
): Promise<boolean> {
  const [own, baseline] = await detailBeyond(large, small, options.largeJpegQuality ?? null);
  return own > MORE_DETAIL * Math.max(baseline, 1e-6);
}

/**
 * The detail of `large`, and of `small` enlarged to its size, in the band just above `small`'s size: both are
 * first shrunk to BAND_TOP times `small`'s size, which drops the finest octave, where a re-compressed copy's
 * JPEG noise lies (noise that an enlarged soft picture would otherwise count as detail); where `large` is a JPEG,
 * the enlarged `small` is saved at its quality too.
 */
async function detailBeyond(large: RawImage, small: RawImage, jpegQuality: number | null): Promise<[number, number]> {
  const s = greyOf(small);
  let enlarged = await editImage(small, [{ op: 'resize', width: large.width, height: large.height }]);
  // Saved as the larger was: its JPEG noise is no detail, and an enlargement saved so carries the same.
  if (jpegQuality !== null) enlarged = await decodeImage(await encodeImage(enlarged, 'jpeg', { quality: jpegQuality }));
  const top = (p: GreyPlane) =>
    resample(p, Math.min(p.width, Math.round(BAND_TOP * s.width)), Math.min(p.height, Math.round(BAND_TOP * s.height)));
  return [
    detailFinerThan(top(greyOf(large)), s.width, s.height),
    detailFinerThan(top(greyOf(enlarged)), s.width, s.height),
  ];
}

/** The band compared ends at this multiple of the smaller copy's size. */
const BAND_TOP = 1.5;

/** How much more than an enlargement's a picture must lose to a round trip to hold finer detail. */
const MORE_DETAIL = 1.1;

/** Share of each side, about the centre, on which sharpness is measured. */
const SHARPNESS_CENTRE = 0.6;

/** Long side at which copies of one size are compared for sharpness (`sharpnessOf`). */
export const SHARPNESS_SIDE = 1024;

/**
 * How sharp a picture is: the share of its grey variance lost when it is halved and enlarged back. Blur, a
 * re-save at low quality or a resampling turn lowers it; a gain or offset of the levels does not change it.
 * Only pictures of the same size (decoded at the same size) are comparable.
 */
export function sharpnessOf(image: RawImage): number {
  // The centre only: a frame, the corners a turn fills, or a watermark near an edge add edges, not sharpness.
  const [width, height] = [Math.round(image.width * SHARPNESS_CENTRE), Math.round(image.height * SHARPNESS_CENTRE)];
  const [left, top] = [Math.floor((image.width - width) / 2), Math.floor((image.height - height) / 2)];
  const plane = greyWindow(image, left, top, width, height);
  const data = plane.data;
  let mean = 0;
  for (let i = 0; i < data.length; i++) mean += data[i];
  mean /= data.length;
  let variance = 0;
  for (let i = 0; i < data.length; i++) variance += (data[i] - mean) ** 2;
  variance /= data.length;
  if (variance < 1e-6 || plane.width < 4 || plane.height < 4) return 0;
  return detailFinerThan(plane, Math.round(plane.width / 2), Math.round(plane.height / 2)) / variance;
}

/** A border line's pixel is off its line's colour from this difference (grey levels, any channel): JPEG noise is less. */
const FLAT_LEVELS = 6;
/**
 * A border line is flat, as an added frame's lines are, when at most this share of its pixels is off the line's
 * colour: added frames and bars measure ≤ 7 % after a JPEG re-save and the thumbnail's WebP, a microscope slide's
 * or a night sky's dark surround 10–60 % (dedup set, seed 1).
 */
const FLAT_SHARE = 0.15;

/**
 * A frame thinner than this share of its side (not counting the seam the content box trims with it) is no frame:
 * the dark edge lines of a scan or a fundus photo, which an edit of its colours shows or hides (retina.jpg of the
 * dedup set, seed 2), while added frames and bars are 3 % of a side and more.
 */
const MIN_FRAME = 0.02;

type Side = 'top' | 'bottom' | 'left' | 'right';

/** Whether line `line` (counted inward from `side`) is one colour, within FLAT_LEVELS for all but FLAT_SHARE. */
function flatLine(image: RawImage, side: Side, line: number): boolean {
  const { width, height, channels, data } = image;
  const across = side === 'top' || side === 'bottom' ? width : height;
  const at = (i: number) => {
    const x = side === 'left' ? line : side === 'right' ? width - 1 - line : i;
    const y = side === 'top' ? line : side === 'bottom' ? height - 1 - line : i;
    return (y * width + x) * channels;
  };
  const colour = new Float64Array(channels);
  for (let i = 0; i < across; i++) for (let c = 0; c < channels; c++) colour[c] += data[at(i) + c];
  for (let c = 0; c < channels; c++) colour[c] /= across;
  let off = 0;
  for (let i = 0; i < across; i++) {
    const p = at(i);
    for (let c = 0; c < channels; c++) {
      if (Math.abs(data[p + c] - colour[c]) > FLAT_LEVELS) {
        off++;
        break;
      }
    }
  }
  return off <= FLAT_SHARE * across;
}

/**
 * How much of a `depth`-line border along `side` is added frame: its outer lines as long as each is flat (one
 * colour, as an added frame's lines are, two nested frames of two colours included); all of it when every line
 * is flat up to the `seam` lines next to the picture (JPEG ringing).
 */
function flatDepth(image: RawImage, side: Side, depth: number, seam: number): number {
  const lines = Math.max(1, depth - seam);
  for (let line = 0; line < lines; line++) if (!flatLine(image, side, line)) return line;
  return depth;
}

/**
 * The share of the picture's width and height inside an added frame: the part of its uniform border
 * (model/image/content-box.ts) that lies evenly about it, as a frame, letterbox or pillarbox bars do (the smaller of
 * each pair of opposite margins, taken from both), and only where both margins are flat as an added frame is. A
 * plain sky or wall along one side of a photo, or the noisy dark surround of a micrograph, is picture, not frame,
 * and is not taken away from its size.
 */
export function insideEvenFrame(image: RawImage): { width: number; height: number } {
  const box = contentBox(image);
  // The content box trims this many lines of seam inside each border it finds (content-box.ts), and ringing
  // reaches a line or two further.
  const seam = (length: number) => seamLines(length) + 2;
  const [sw, sh] = [seam(image.width), seam(image.height)];
  const frame = (depth: number, length: number) => (depth - seamLines(length) < MIN_FRAME * length ? 0 : depth);
  const x = frame(
    Math.min(flatDepth(image, 'left', box.left, sw), flatDepth(image, 'right', image.width - box.left - box.width, sw)),
    image.width,
  );
  const y = frame(
    Math.min(flatDepth(image, 'top', box.top, sh), flatDepth(image, 'bottom', image.height - box.top - box.height, sh)),
    image.height,
  );
  return { width: 1 - (2 * x) / image.width, height: 1 - (2 * y) / image.height };
}
