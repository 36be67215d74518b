/**
 * The classic 64-bit perceptual hash (pHash, as imagehash/imagededup compute it): greyscale, resized
 * to 32 × 32, 2-D DCT-II, the top-left 8 × 8 low-frequency block, each coefficient compared with the
 * median of the block without its DC term (the DC term only says how bright the picture is).
 * Pixels come from model/image/decode.ts, so EXIF orientation is applied as everywhere else in the app.
 */
import { decodeImage } from '../../../model/image/decode.js';
import type { RawImage } from '../../../model/types.js';

export const PHASH_SIZE = 32;
const BLOCK = 8;

/** cos((2x + 1) u π / 2N) for u < BLOCK, x < N: only the low frequencies are ever needed. */
const COSINES = (() => {
  const table = new Float64Array(BLOCK * PHASH_SIZE);
  for (let u = 0; u < BLOCK; u++)
    for (let x = 0; x < PHASH_SIZE; x++)
      table[u * PHASH_SIZE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * PHASH_SIZE));
  return table;
})();

/** The 8 × 8 low-frequency DCT-II coefficients (unnormalised: scaling does not change a median threshold). */
export function lowFrequencyDct(grey: ArrayLike<number>): Float64Array {
  const n = PHASH_SIZE;
  // Rows first: rowPass[y][u] = Σx grey[y][x] cos(...u...), then columns.
  const rowPass = new Float64Array(n * BLOCK);
  for (let y = 0; y < n; y++)
    for (let u = 0; u < BLOCK; u++) {
      let sum = 0;
      for (let x = 0; x < n; x++) sum += grey[y * n + x] * COSINES[u * n + x];
      rowPass[y * BLOCK + u] = sum;
    }
  const out = new Float64Array(BLOCK * BLOCK);
  for (let v = 0; v < BLOCK; v++)
    for (let u = 0; u < BLOCK; u++) {
      let sum = 0;
      for (let y = 0; y < n; y++) sum += rowPass[y * BLOCK + u] * COSINES[v * n + y];
      out[v * BLOCK + u] = sum;
    }
  return out;
}

/** pHash of a 32 × 32 single-channel image, packed as 2 little-endian words (bit i = coefficient i ≥ median). */
export function phashOfGrey(image: RawImage): Uint32Array {
  if (image.width !== PHASH_SIZE || image.height !== PHASH_SIZE || image.channels !== 1) {
    throw new RangeError(`pHash needs a ${PHASH_SIZE}×${PHASH_SIZE} grey image`);
  }
  const coefficients = lowFrequencyDct(image.data);
  const withoutDc = Array.from(coefficients.subarray(1)).sort((a, b) => a - b);
  const median = withoutDc[31]; // 63 values: the middle one
  const code = new Uint32Array(2);
  for (let i = 0; i < 64; i++) if (coefficients[i] >= median) code[i >>> 5] |= 1 << (i & 31);
  return code;
}

/** Decodes (EXIF applied) to the 32 × 32 grey pHash input. */
export function decodeForPhash(file: string | Buffer): Promise<RawImage> {
  return decodeImage(file, { size: PHASH_SIZE, fit: 'fill', channels: 1 });
}

export async function phash64(file: string | Buffer): Promise<Uint32Array> {
  return phashOfGrey(await decodeForPhash(file));
}
