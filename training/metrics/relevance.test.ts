import { describe, expect, it } from 'vitest';
import { createRandom } from '../compute/rng.js';
import { averagePrecision } from './average-precision.js';
import { packCodes } from './hamming-kernel.js';
import { meanAveragePrecision } from './ranking-metrics.js';
import { isRelated, labelSets } from './relevance.js';
import { pairMatrices } from '../methods/train-pairwise.js';
import { type PolicyOptions, policyStep } from '../methods/policy-gradient.js';
import { holdOutAlbums } from '../data/album-split.js';

/** Database item i at Hamming distance i + 1 from the all-zero query (no ties): codes of `bits` bits. */
function staircase(count: number, bits: number) {
  const scores = new Float32Array(count * bits).fill(-1);
  for (let i = 0; i < count; i++) for (let k = 0; k <= i; k++) scores[i * bits + k] = 1;
  return packCodes(scores, count, bits);
}

describe('relevance between sets of albums', () => {
  it('gives one label per distinct set of albums, related when two sets share an album', () => {
    const { labels, relation, sets } = labelSets([[3], [1, 3], [3, 1, 1], [2], [1]]);
    expect(Array.from(labels)).toEqual([0, 1, 1, 2, 3]);
    expect(sets).toEqual([[3], [1, 3], [2], [1]]);
    expect(isRelated(relation, 0, 1)).toBe(true); // {3} and {1, 3}
    expect(isRelated(relation, 1, 3)).toBe(true); // {1, 3} and {1}
    expect(isRelated(relation, 0, 3)).toBe(false); // {3} and {1}
    expect(isRelated(relation, 2, 2)).toBe(true);
    expect(isRelated(undefined, 2, 2) && !isRelated(undefined, 2, 3)).toBe(true);
    expect(() => labelSets([[1], []])).toThrow(/no label/);
  });

  it('ranks a photo of two albums against the members of both (MAP@all by definition, no ties)', () => {
    // Database in rank order: album 0, album 2, album 1, album 2, album 0 and 1.
    const { labels, relation } = labelSets([[0], [2], [1], [2], [0, 1], [0, 1], [2]]);
    const database = staircase(5, 8);
    const dbLabels = labels.subarray(0, 5);
    const query = packCodes(new Float32Array(8).fill(-1), 1, 8);
    for (const [q, expected] of [
      [5, averagePrecision([true, false, true, false, true])], // albums {0, 1}
      [6, averagePrecision([false, true, false, true, false])], // album {2}
    ] as const) {
      const map = meanAveragePrecision(query, Int32Array.of(labels[q]!), database, dbLabels, undefined, relation);
      expect(map).toBeCloseTo(expected, 12);
    }
  });

  it('measures single-album photos as plain labels do, in MAP, the pairwise targets and the policy reward', () => {
    const random = createRandom(9);
    const count = 60;
    const bits = 16;
    const albums = Int32Array.from({ length: count }, () => random.int(4));
    const { labels, relation } = labelSets(Array.from(albums, (a) => [a]));
    const scores = Float32Array.from({ length: count * bits }, () => random.gaussian());
    const codes = packCodes(scores, count, bits);
    const self = Int32Array.from({ length: count }, (_, i) => i);
    expect(meanAveragePrecision(codes, labels, codes, labels, self, relation)).toBeCloseTo(
      meanAveragePrecision(codes, albums, codes, albums, self),
      12,
    );
    const rows = Int32Array.of(0, 5, 17);
    const weights = new Float32Array(count).fill(1);
    expect(pairMatrices(rows, labels, weights, true, relation)).toEqual(pairMatrices(rows, albums, weights, true));
    const batch = {
      logits: Float32Array.from({ length: rows.length * bits }, () => random.gaussian()),
      batch: rows.length,
      bits,
      querySelfIndex: rows,
      queryWeights: new Float32Array(rows.length).fill(1),
      database: codes,
    };
    const options: PolicyOptions = {
      samplesPerQuery: 4,
      baseline: 'leave-one-out',
      bitBalanceWeight: 0.1,
      quantisationWeight: 0.01,
      entropyWeight: 0,
      centreWeight: 0,
      errorAwareQuantisation: false,
      gradientAmplifier: null,
    };
    const withSets = policyStep(
      { ...batch, queryLabels: Int32Array.from(rows, (r) => labels[r]!), databaseLabels: labels, relation },
      options,
      createRandom(1),
    );
    const plain = policyStep(
      { ...batch, queryLabels: Int32Array.from(rows, (r) => albums[r]!), databaseLabels: albums },
      options,
      createRandom(1),
    );
    expect(withSets.meanReward).toBeCloseTo(plain.meanReward, 12);
    expect(Array.from(withSets.logitGradient)).toEqual(Array.from(plain.logitGradient));
  });
});

describe('holding out part of each album', () => {
  const random = createRandom(4);
  // 400 photos in 8 albums of very different sizes (3 to ~150); a fifth of them in a second album.
  const sizes = [3, 5, 12, 20, 40, 70, 100, 150];
  const memberships: number[][] = [];
  sizes.forEach((size, album) => {
    for (let i = 0; i < size; i++) memberships.push([album]);
  });
  for (const m of memberships) if (random.next() < 0.2) m.push(random.int(sizes.length));

  it('holds out about the share of every album, at least one, never an album whole', () => {
    const split = holdOutAlbums(memberships, 0.2, 7);
    expect([...split.train, ...split.heldOut].sort((a, b) => a - b)).toEqual(memberships.map((_, i) => i));
    expect(new Set(split.heldOut).size + new Set(split.train).size).toBe(memberships.length);
    const held = new Set(split.heldOut);
    sizes.forEach((_, album) => {
      const list = memberships.flatMap((m, i) => (m.includes(album) ? [i] : []));
      const out = list.filter((i) => held.has(i)).length;
      expect(out, `album ${album}`).toBeGreaterThanOrEqual(1);
      expect(out, `album ${album}`).toBeLessThan(list.length);
      expect(out / list.length, `album ${album}`).toBeLessThanOrEqual(list.length < 10 ? 0.67 : 0.3);
      if (list.length >= 20) expect(out / list.length, `album ${album}`).toBeGreaterThanOrEqual(0.12);
    });
  });

  it('is the same for the same seed, another for another, and refuses a share outside (0, 1)', () => {
    expect(holdOutAlbums(memberships, 0.2, 7)).toEqual(holdOutAlbums(memberships, 0.2, 7));
    expect(holdOutAlbums(memberships, 0.2, 8).heldOut).not.toEqual(holdOutAlbums(memberships, 0.2, 7).heldOut);
    expect(() => holdOutAlbums(memberships, 1, 7)).toThrow(/between 0 and 1/);
    // An album of one photo is trained on and not measured.
    const small = holdOutAlbums([[0], [1], [1]], 0.5, 1);
    expect(small.train).toContain(0);
    expect(small.heldOut).toHaveLength(1);
    expect([1, 2]).toContain(small.heldOut[0]);
  });
});
