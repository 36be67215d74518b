/**
 * The eight orientations of a picture (4 rotations × mirror) on decoded pixels, for geometric matching:
 * a query is encoded in every orientation and the smallest distance counts.
 *
 * Turning the small decoded image equals turning the file and decoding it: a 'fill' resize scales the
 * two axes independently, so it commutes with 90° turns and mirrors (up to resampling).
 */
import type { RawImage } from '../../../model/types.js';

export const ORIENTATION_COUNT = 8;

/** Orientation k: turned clockwise by 90°·(k mod 4), then mirrored left–right when k ≥ 4. k = 0 is the identity. */
export function orient(image: RawImage, k: number): RawImage {
  const { width: w, height: h, channels: c, data } = image;
  const quarter = k & 3;
  const mirror = k >= 4;
  const [outW, outH] = quarter % 2 === 1 ? [h, w] : [w, h];
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Where (x, y) lands after a clockwise turn.
      const [turnedX, ny] =
        quarter === 0
          ? [x, y]
          : quarter === 1
            ? [h - 1 - y, x]
            : quarter === 2
              ? [w - 1 - x, h - 1 - y]
              : [y, w - 1 - x];
      const nx = mirror ? outW - 1 - turnedX : turnedX;
      const from = (y * w + x) * c;
      const to = (ny * outW + nx) * c;
      for (let ch = 0; ch < c; ch++) out[to + ch] = data[from + ch];
    }
  }
  return { data: out, width: outW, height: outH, channels: c };
}

export function allOrientations(image: RawImage): RawImage[] {
  return Array.from({ length: ORIENTATION_COUNT }, (_, k) => orient(image, k));
}
