import { describe, expect, it } from 'vitest';
import { averagePrecision, tieAwareAveragePrecision } from './average-precision.js';
import { createRandom } from '../compute/rng.js';

/** All orderings of the items (brute force; only for tiny lists). */
function permutations(items: number[]): number[][] {
  if (items.length <= 1) return [items.slice()];
  const out: number[][] = [];
  items.forEach((item, i) => {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) out.push([item, ...tail]);
  });
  return out;
}

/** Expected AP over every ordering consistent with the distances (ties in any order), by enumeration. */
function bruteForceTieAwareAP(distances: number[], relevant: boolean[]): number {
  const indices = distances.map((_, i) => i);
  let total = 0;
  let count = 0;
  for (const order of permutations(indices)) {
    let sorted = true;
    for (let k = 1; k < order.length; k++) if (distances[order[k - 1]!]! > distances[order[k]!]!) sorted = false;
    if (!sorted) continue;
    total += averagePrecision(order.map((i) => relevant[i]!));
    count++;
  }
  return total / count;
}

function groupCounts(distances: number[], relevant: boolean[], groups: number) {
  const totals = new Array<number>(groups).fill(0);
  const rel = new Array<number>(groups).fill(0);
  distances.forEach((d, i) => {
    totals[d]!++;
    if (relevant[i]) rel[d]!++;
  });
  return { totals, rel };
}

describe('averagePrecision', () => {
  it('matches hand-computed values', () => {
    expect(averagePrecision([true, false, true])).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(averagePrecision([false, false, true])).toBeCloseTo(1 / 3, 12);
    expect(averagePrecision([true, true])).toBe(1);
    expect(averagePrecision([false, false])).toBe(0);
  });
});

describe('tieAwareAveragePrecision', () => {
  it('equals plain AP when there are no ties', () => {
    const random = createRandom(1);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + random.int(30);
      const relevant = Array.from({ length: n }, () => random.next() < 0.4);
      const ones = relevant.map((r) => (r ? 1 : 0));
      const totals = relevant.map(() => 1);
      expect(tieAwareAveragePrecision(ones, totals)).toBeCloseTo(averagePrecision(relevant), 12);
    }
  });

  it('equals the expected AP over all orderings within tie groups (enumeration)', () => {
    const random = createRandom(7);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + random.int(7);
      const groups = 1 + random.int(4);
      const distances = Array.from({ length: n }, () => random.int(groups));
      const relevant = Array.from({ length: n }, () => random.next() < 0.5);
      const { totals, rel } = groupCounts(distances, relevant, groups);
      const expected = bruteForceTieAwareAP(distances, relevant);
      expect(tieAwareAveragePrecision(rel, totals)).toBeCloseTo(expected, 10);
    }
  });

  it('handles a single all-tied group and empty groups', () => {
    // 2 relevant among 4 tied items: expected AP by enumeration.
    const distances = [0, 0, 0, 0];
    const relevant = [true, false, true, false];
    const expected = bruteForceTieAwareAP(distances, relevant);
    expect(tieAwareAveragePrecision([0, 2, 0], [0, 4, 0])).toBeCloseTo(expected, 12);
    expect(tieAwareAveragePrecision([0, 0], [3, 2])).toBe(0);
  });
});
