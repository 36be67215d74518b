import { describe, expect, it } from 'vitest';
import { syntheticPhoto } from '../../../tests/helpers/synthetic-photo.js';
import type { RawImage } from '../../../model/types.js';
import { pictureOf } from './alignment.js';
import { localShift, refineWarp, type Warp } from './warp.js';

const photo = syntheticPhoto({ width: 320, height: 240, seed: 11 });

/** The photo with a textured patch pasted at (x, y): another shot, where a subject moved by the difference. */
function shot(x: number, y: number, patchSeed = 99): RawImage {
  const patch = syntheticPhoto({ width: 120, height: 120, seed: patchSeed });
  const data = Uint8Array.from(photo.data);
  for (let row = 0; row < patch.height; row++)
    data.set(
      patch.data.subarray(row * patch.width * 3, (row + 1) * patch.width * 3),
      ((row + y) * photo.width + x) * 3,
    );
  return { ...photo, data };
}

describe('localShift', () => {
  it('with a limit, gives the exact value where it is at most the limit and a value above it otherwise', () => {
    const first = pictureOf(shot(40, 30)).fine;
    const pairs = [
      [0, 0],
      [3, 0],
      [6, 4],
      [12, 0],
      [24, 12],
      [60, 60],
      [150, 90],
    ].map(([dx, dy]) => pictureOf(shot(40 + dx, 30 + dy)).fine);
    // A different picture of the same size: tiles find their best shifts anywhere.
    pairs.push(pictureOf(syntheticPhoto({ width: 320, height: 240, seed: 5 })).fine);
    const centred: Warp = { a: 1, b: 0, tx: first.width / 2, ty: first.height / 2 };
    const values: number[] = [];
    let cutShort = 0;
    for (const second of pairs) {
      const warp = refineWarp(first, second, centred, 10, 100);
      const exact = localShift(first, second, warp);
      values.push(exact);
      for (const limit of [0, 0.5, 1, 1.5, 2, 3]) {
        const limited = localShift(first, second, warp, limit);
        if (exact <= limit) expect(limited).toBe(exact);
        else expect(limited).toBeGreaterThan(limit);
        if (limited !== exact) cutShort++;
      }
    }
    // The pairs span both sides of the limits, and some results were settled before every tile was measured.
    expect(Math.min(...values)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...values)).toBeGreaterThan(3);
    expect(cutShort).toBeGreaterThan(0);
  });
});
