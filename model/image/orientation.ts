/**
 * The eight orientations of a picture (EXIF numbering) as pure pixel transforms: used to undo EXIF
 * orientation in tests and to make the rotated and mirrored variants that geometric matching encodes.
 */
import type { RawImage } from '../types.js';

export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/**
 * Applies the transform that EXIF orientation `orientation` asks a viewer to apply to the stored
 * pixels: the result is what the photo looks like upright (e.g. 6 = rotate 90° clockwise).
 */
export function orientPixels(image: RawImage, orientation: Orientation): RawImage {
  const { width: w, height: h, channels } = image;
  const swaps = orientation >= 5;
  const outW = swaps ? h : w;
  const outH = swaps ? w : h;
  const out = new Uint8Array(image.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let ox: number;
      let oy: number;
      switch (orientation) {
        case 1: [ox, oy] = [x, y]; break; // prettier-ignore
        case 2: [ox, oy] = [w - 1 - x, y]; break; // prettier-ignore
        case 3: [ox, oy] = [w - 1 - x, h - 1 - y]; break; // prettier-ignore
        case 4: [ox, oy] = [x, h - 1 - y]; break; // prettier-ignore
        case 5: [ox, oy] = [y, x]; break; // prettier-ignore
        case 6: [ox, oy] = [h - 1 - y, x]; break; // prettier-ignore
        case 7: [ox, oy] = [h - 1 - y, w - 1 - x]; break; // prettier-ignore
        case 8: [ox, oy] = [y, w - 1 - x]; break; // prettier-ignore
      }
      const from = (y * w + x) * channels;
      const to = (oy * outW + ox) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = image.data[from + c];
    }
  }
  return { data: out, width: outW, height: outH, channels };
}

/** The orientation whose transform undoes `orientation` (only 6 and 8 are not their own inverse). */
export function inverseOrientation(orientation: Orientation): Orientation {
  return orientation === 6 ? 8 : orientation === 8 ? 6 : orientation;
}

/** The eight orientations: 1 (upright), then the seven that turn or mirror the picture. */
export const ORIENTATIONS: readonly Orientation[] = [1, 2, 3, 4, 5, 6, 7, 8];

/**
 * `COMPOSED[a - 1][b - 1]`: the orientation whose transform is `a`'s followed by `b`'s. Derived from
 * `orientPixels` itself (on a 3 × 2 picture whose pixels are all different), so it cannot disagree with it.
 */
const COMPOSED: readonly (readonly Orientation[])[] = (() => {
  const probe: RawImage = { data: Uint8Array.from([0, 1, 2, 3, 4, 5]), width: 3, height: 2, channels: 1 };
  const key = (image: RawImage) => `${image.width}:${image.data.join(',')}`;
  const byKey = new Map(ORIENTATIONS.map((o) => [key(orientPixels(probe, o)), o]));
  return ORIENTATIONS.map((a) => ORIENTATIONS.map((b) => byKey.get(key(orientPixels(orientPixels(probe, a), b)))!));
})();

/** The one orientation that does what `first` and then `then` do (the group of the eight orientations). */
export function composeOrientations(first: Orientation, then: Orientation): Orientation {
  return COMPOSED[first - 1][then - 1];
}
