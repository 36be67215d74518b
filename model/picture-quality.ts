/**
 * What a file says about its quality beyond its size, for choosing which copy of a photo to keep
 * (electron/search/keep.ts): whether its pixels are grey (a greyscale copy of a colour photo), and the JPEG
 * quality it was saved at (a re-compressed copy of a JPEG was saved at a lower quality than its source, as a
 * rule). Both are cheap: the grey test reads a thumbnail, the quality only the file's headers.
 */
import { open } from 'node:fs/promises';
import type { RawImage } from './types.js';

/** Mean channel difference (grey levels) below which a picture is grey. */
const GREY_SPREAD = 2;

/** Whether every pixel has R ≈ G ≈ B. */
export function isGrey(image: RawImage): boolean {
  if (image.channels < 3) return true;
  let spread = 0;
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    const o = i * image.channels;
    const [r, g, b] = [image.data[o], image.data[o + 1], image.data[o + 2]];
    spread += Math.max(r, g, b) - Math.min(r, g, b);
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
