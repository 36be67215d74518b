import { describe, expect, it } from 'vitest';
import { composeOrientations, inverseOrientation, orientPixels, type Orientation } from './orientation.js';
import type { RawImage } from '../types.js';

const ALL: Orientation[] = [1, 2, 3, 4, 5, 6, 7, 8];
// 5 × 3, every pixel different: any two different transforms give different pictures.
const picture: RawImage = { data: Uint8Array.from({ length: 15 }, (_, i) => i * 7), width: 5, height: 3, channels: 1 };
const same = (a: RawImage, b: RawImage) => a.width === b.width && a.data.every((v, i) => v === b.data[i]);

describe('orientation algebra', () => {
  it('composes two orientations into the one that does both, as orientPixels applies them', () => {
    for (const a of ALL)
      for (const b of ALL)
        expect(same(orientPixels(picture, composeOrientations(a, b)), orientPixels(orientPixels(picture, a), b))).toBe(
          true,
        );
  });

  it('undoes each orientation with its inverse, and 1 changes nothing', () => {
    for (const o of ALL) {
      expect(composeOrientations(o, inverseOrientation(o))).toBe(1);
      expect(composeOrientations(1, o)).toBe(o);
      expect(same(orientPixels(picture, 1), picture)).toBe(true);
    }
    // Turning 90° clockwise twice is turning 180°; the mirror then 90° is not 90° then the mirror.
    expect(composeOrientations(6, 6)).toBe(3);
    expect(composeOrientations(2, 6)).not.toBe(composeOrientations(6, 2));
  });
});
