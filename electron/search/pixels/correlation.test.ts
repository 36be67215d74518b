import { describe, expect, it } from 'vitest';
import type { GreyPlane } from '../../../model/image/grey-resample.js';
import { bestOffset, OFFSET_SEARCH, type Placement, sumTables } from './correlation.js';
import { seededRandom } from '../../../tests/helpers/reference-search.js';

/** A smooth random plane, like the search's area-averaged 24 px planes: random values blurred three times. */
function smoothPlane(width: number, height: number, random: () => number): GreyPlane {
  let data = Float32Array.from({ length: width * height }, () => random() * 255);
  for (let pass = 0; pass < 3; pass++) {
    const next = new Float32Array(data.length);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        let sum = 0;
        let n = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const [u, v] = [x + dx, y + dy];
            if (u < 0 || v < 0 || u >= width || v >= height) continue;
            sum += data[v * width + u];
            n++;
          }
        next[y * width + x] = sum / n;
      }
    data = next;
  }
  return { width, height, data };
}

function window(plane: GreyPlane, left: number, top: number, width: number, height: number): GreyPlane {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = plane.data[(top + y) * plane.width + left + x];
  return { width, height, data };
}

/** The search with every offset scored (stride 1). */
function exhaustive(a: GreyPlane, b: GreyPlane, cells: number): Placement | null {
  const saved = { ...OFFSET_SEARCH };
  Object.assign(OFFSET_SEARCH, { stride: 1, keep: 1, fullBelow: 0 });
  try {
    return bestOffset(a, sumTables(a), b, cells);
  } finally {
    Object.assign(OFFSET_SEARCH, saved);
  }
}

describe('bestOffset', () => {
  it('finds where a window of a plane lies, as the search over every offset does', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 40; trial++) {
      const a = smoothPlane(24, 18, random);
      const [w, h] = [12 + Math.floor(random() * 10), 9 + Math.floor(random() * 8)];
      const [left, top] = [Math.floor(random() * (24 - w + 1)), Math.floor(random() * (18 - h + 1))];
      const b = window(a, left, top, w, h);
      const cells = 0.3 * w * h;
      const found = bestOffset(a, sumTables(a), b, cells)!;
      expect([found.dx, found.dy]).toEqual([left, top]);
      expect(found.correlation).toBeCloseTo(1, 5);
      expect(found).toEqual(exhaustive(a, b, cells));
    }
  });

  it('between two different planes finds the best placement of all offsets, or one nearly as good', () => {
    const random = seededRandom(11);
    let same = 0;
    for (let trial = 0; trial < 40; trial++) {
      const a = smoothPlane(24, 18, random);
      const b = smoothPlane(20, 16, random);
      const cells = 0.3 * 20 * 16;
      const strided = bestOffset(a, sumTables(a), b, cells)!;
      const full = exhaustive(a, b, cells)!;
      expect(strided.score).toBeLessThanOrEqual(full.score);
      expect(strided.score).toBeGreaterThan(full.score - 0.15);
      if (strided.dx === full.dx && strided.dy === full.dy) same++;
    }
    expect(same).toBeGreaterThanOrEqual(30);
  });

  it('finds nothing when no offset overlaps enough', () => {
    const random = seededRandom(3);
    const a = smoothPlane(8, 6, random);
    expect(bestOffset(a, sumTables(a), smoothPlane(8, 6, random), 1000)).toBeNull();
  });
});
