import { describe, expect, it } from 'vitest';
import type { LabelledSet } from '../data/datasets.js';
import type { HeadParameters } from '../compute/head.js';
import { createRandom } from '../compute/rng.js';
import { BatchInputs } from './training-loop.js';

const SIZE = 15;

/** One 15×15 image, zero except `value` at the given pixels. */
function image(points: [number, number][], value = 1): LabelledSet {
  const features = new Float32Array(SIZE * SIZE);
  for (const [x, y] of points) features[y * SIZE + x] = value;
  return {
    features,
    dim: SIZE * SIZE,
    count: 1,
    labels: new Int32Array([0]),
    imageShape: { width: SIZE, height: SIZE },
  };
}

// Identity standardisation, so rows come back as pixels.
const head = {
  inputMean: new Float32Array(SIZE * SIZE),
  inputScale: new Float32Array(SIZE * SIZE).fill(1),
} as unknown as HeadParameters;

const at = (row: Float32Array, x: number, y: number) => row[y * SIZE + x]!;
/** Centre of mass of a row's pixels in columns ≥ `fromX`. */
const centroid = (row: Float32Array, fromX = 0) => {
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < SIZE; y++)
    for (let x = fromX; x < SIZE; x++) {
      mass += at(row, x, y);
      mx += x * at(row, x, y);
      my += y * at(row, x, y);
    }
  return { mass, x: mx / mass, y: my / mass };
};

describe('BatchInputs augmentation', () => {
  it('returns the standardised rows unchanged when augmentation is off', () => {
    const set = image([[3, 4]]);
    const inputs = new BatchInputs(set, set.features, head, { shift: 0, rotate: 0, scale: 0 }, createRandom(1));
    expect(Array.from(inputs.rows([0]))).toEqual(Array.from(set.features));
  });

  it('shifts by whole pixels within the range, exactly', () => {
    const set = image([[7, 7]]);
    const inputs = new BatchInputs(set, set.features, head, { shift: 2, rotate: 0, scale: 0 }, createRandom(3));
    const seen = new Set<string>();
    for (let trial = 0; trial < 60; trial++) {
      const row = inputs.rows([0]);
      const lit = [...row.keys()].filter((j) => row[j] !== 0);
      expect(lit).toHaveLength(1);
      const dx = (lit[0]! % SIZE) - 7;
      const dy = Math.floor(lit[0]! / SIZE) - 7;
      expect(Math.abs(dx)).toBeLessThanOrEqual(2);
      expect(Math.abs(dy)).toBeLessThanOrEqual(2);
      seen.add(`${dx},${dy}`);
    }
    expect(seen.size).toBeGreaterThan(10); // the offsets really vary
  });

  it('turns about the centre: the centre stays, an off-centre point moves along its circle within the angle', () => {
    // A 3×3 blob at the centre and one 5 pixels right of it.
    const blob = (cx: number, cy: number): [number, number][] =>
      [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx): [number, number] => [cx + dx, cy + dy]));
    const centre = image(blob(7, 7));
    const right = image(blob(12, 7));
    const options = { shift: 0, rotate: 30, scale: 0 };
    const a = new BatchInputs(centre, centre.features, head, options, createRandom(5));
    const b = new BatchInputs(right, right.features, head, options, createRandom(5));
    let turned = 0;
    for (let trial = 0; trial < 30; trial++) {
      const c = centroid(a.rows([0]));
      expect(c.x).toBeCloseTo(7, 5);
      expect(c.y).toBeCloseTo(7, 5);
      const r = centroid(b.rows([0]));
      const radius = Math.hypot(r.x - 7, r.y - 7);
      const degrees = (Math.atan2(r.y - 7, r.x - 7) * 180) / Math.PI;
      expect(radius).toBeGreaterThan(4.5);
      expect(radius).toBeLessThan(5.5);
      expect(Math.abs(degrees)).toBeLessThanOrEqual(30.5);
      if (Math.abs(degrees) > 5) turned++;
    }
    expect(turned).toBeGreaterThan(10);
  });

  it('scales about the centre within 1 ± scale', () => {
    const set = image([
      [12, 7],
      [2, 7],
    ]);
    const inputs = new BatchInputs(set, set.features, head, { shift: 0, rotate: 0, scale: 0.2 }, createRandom(9));
    for (let trial = 0; trial < 30; trial++) {
      const row = inputs.rows([0]);
      // Mass right of the centre: its centroid sits at 7 + 5·factor.
      const factor = (centroid(row, 8).x - 7) / 5;
      expect(factor).toBeGreaterThan(0.79);
      expect(factor).toBeLessThan(1.21);
    }
  });
});
