import { describe, expect, it } from 'vitest';
import { seededRandom, syntheticPhoto } from '../../../tests/helpers/synthetic-photo.js';
import type { GreyPlane } from '../../../model/image/grey-resample.js';
import { pictureOf } from './alignment.js';
import { refineWarp, type Warp } from './warp.js';
import { RefineSums } from './wasm-refine.js';

/** A plane of uniform noise (rough texture, values with fractions as resampled planes have). */
function noise(width: number, height: number, seed: number): GreyPlane {
  const random = seededRandom(seed);
  return { width, height, data: Float32Array.from({ length: width * height }, () => random() * 255) };
}

/** The planes of a photo at the pixel check's sizes, and of another photo (two pictures). */
const photoPlanes = (seed: number) => {
  const p = pictureOf(syntheticPhoto({ width: 320, height: 240, seed }));
  return [p.mid, p.fine, ...p.detail()];
};

describe('the refinement kernel in WebAssembly', () => {
  it('runs here', () => {
    expect(RefineSums.create()).not.toBeNull();
  });

  it('refines every warp to the same bits as the JS loop', () => {
    const random = seededRandom(7);
    const pairs: [GreyPlane, GreyPlane][] = [];
    const [one, other] = [photoPlanes(3), photoPlanes(4)];
    for (let k = 0; k < one.length; k++) pairs.push([one[k], one[k]], [one[k], other[k]], [other[k], one[(k + 1) % 4]]);
    // Odd sizes: a thin strip, a picture smaller than the other, a single row (the sampling's clamps).
    pairs.push(
      [noise(17, 5, 1), noise(40, 30, 2)],
      [noise(64, 48, 3), noise(9, 13, 4)],
      [noise(30, 1, 5), noise(30, 2, 6)],
    );
    let compared = 0;
    let slid = 0;
    for (const [a, b] of pairs) {
      const centre: Warp = { a: b.width / a.width, b: 0, tx: b.width / 2, ty: b.height / 2 };
      const starts: Warp[] = [
        centre,
        { ...centre, a: centre.a * 0.93, b: 0.04, tx: centre.tx + 1.7, ty: centre.ty - 2.3 },
        { ...centre, tx: centre.tx + 0.6 * b.width }, // mostly off B: few pixels overlap
        { ...centre, tx: -3 * b.width }, // wholly off B: no overlap
      ];
      for (let k = 0; k < 3; k++)
        starts.push({
          a: centre.a * (0.8 + 0.4 * random()),
          b: 0.2 * (random() - 0.5),
          tx: centre.tx + (random() - 0.5) * b.width * 0.3,
          ty: centre.ty + (random() - 0.5) * b.height * 0.3,
        });
      for (const start of starts)
        for (const minCount of [0, 16, 0.5 * a.width * a.height]) {
          const wasm = refineWarp(a, b, start, 10, minCount);
          const js = refineWarp(a, b, start, 10, minCount, false);
          expect(wasm).toEqual(js);
          // To the bit: the same doubles, not only close ones.
          for (const key of ['a', 'b', 'tx', 'ty'] as const) expect(Object.is(wasm[key], js[key])).toBe(true);
          compared++;
          if (wasm.tx === start.tx && wasm.ty === start.ty) slid++;
        }
    }
    expect(compared).toBe(pairs.length * 7 * 3);
    // Some refinements stopped at their start (no overlap enough), most moved.
    expect(slid).toBeGreaterThan(0);
    expect(slid).toBeLessThan(compared / 2);
  });
});
