import { describe, expect, it } from 'vitest';
import { averagePrecision } from './average-precision.js';
import { packCodes, popcount32 } from './hamming-kernel.js';
import { meanAveragePrecision } from './ranking-metrics.js';
import { createRandom } from '../compute/rng.js';

describe('popcount32', () => {
  it('counts bits', () => {
    expect(popcount32(0)).toBe(0);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0x80000001)).toBe(2);
  });
});

describe('meanAveragePrecision', () => {
  it('matches a brute-force Hamming ranking with distinct distances, for 1- and 2-word codes', () => {
    const random = createRandom(3);
    for (const bits of [8, 40]) {
      // Database item i sits at distance exactly i from the all-zero query: no ties, so plain AP applies.
      const dbCount = Math.min(bits, 8);
      const scores = new Float32Array(dbCount * bits).fill(-1);
      for (let i = 0; i < dbCount; i++) for (let k = 0; k < i; k++) scores[i * bits + (bits - 1 - k)] = 1;
      const labels = Int32Array.from({ length: dbCount }, () => random.int(2));
      const database = packCodes(scores, dbCount, bits);
      const query = packCodes(new Float32Array(bits).fill(-1), 1, bits);
      const expected = averagePrecision(Array.from(labels, (l) => l === 1));
      expect(meanAveragePrecision(query, Int32Array.of(1), database, labels)).toBeCloseTo(expected, 12);
    }
  });

  it('is 1 for perfectly separated classes and near chance for random codes', () => {
    const random = createRandom(5);
    const n = 400;
    const bits = 16;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 4);
    const perfect = new Float32Array(n * bits);
    const noise = new Float32Array(n * bits);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < bits; k++) {
        perfect[i * bits + k] = (labels[i]! >> (k % 2)) & 1 ? 1 : -1;
        noise[i * bits + k] = random.gaussian();
      }
    const perfectCodes = packCodes(perfect, n, bits);
    expect(meanAveragePrecision(perfectCodes, labels, perfectCodes, labels)).toBeCloseTo(1, 12);
    const noisy = meanAveragePrecision(packCodes(noise, n, bits), labels, packCodes(noise, n, bits), labels);
    expect(noisy).toBeGreaterThan(0.2);
    expect(noisy).toBeLessThan(0.4);
  });

  it('leaves the query itself out of its ranking when asked', () => {
    const bits = 8;
    // Three identical codes: every item is tied at distance 0.
    const codes = packCodes(new Float32Array(3 * bits).fill(-1), 3, bits);
    const labels = Int32Array.of(0, 1, 0);
    const query = { ...codes, count: 1 };
    // With itself: 2 relevant among 3 tied, expected AP over the 3 orderings (1 + 5/6 + 7/12) / 3.
    expect(meanAveragePrecision(query, Int32Array.of(0), codes, labels)).toBeCloseTo((1 + 5 / 6 + 7 / 12) / 3, 12);
    // Without itself: item 2 is the only relevant one, tied with item 1: (1 + 1/2) / 2.
    expect(meanAveragePrecision(query, Int32Array.of(0), codes, labels, Int32Array.of(0))).toBeCloseTo(0.75, 12);
  });
});
