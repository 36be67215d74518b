import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wordsPerCode } from '../../../model/codes.js';
import { uniformKnnRadius } from './cost-model.js';
import { HammingIndex, type SearchStrategy } from './hamming-index.js';
import {
  bruteForceKnn,
  bruteForcePairs,
  bruteForceRadius,
  clusteredCodes,
  randomCodes,
  seededRandom,
  type CodeSet,
} from '../../../tests/helpers/reference-search.js';

const STRATEGIES: SearchStrategy[] = ['multi-index', 'linear', 'auto'];

/** Random or clustered sets of every code length, with a fixed or default substring count. */
const scenario = fc.record({
  bits: fc.constantFrom(16, 32, 48, 64, 128),
  n: fc.integer({ min: 0, max: 400 }),
  clustered: fc.boolean(),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  substrings: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
});

function makeSet(s: { bits: number; n: number; clustered: boolean; seed: number }): CodeSet {
  return s.clustered ? clusteredCodes(s.bits, s.n, 1 + (s.n >> 5), 6, s.seed) : randomCodes(s.bits, s.n, s.seed, 7, 3);
}

function substringsFor(bits: number, m: number | undefined): number | undefined {
  return m === undefined ? undefined : Math.max(m, Math.ceil(bits / 32));
}

/** Queries: stored codes (exact hits), perturbed stored codes, and fresh random codes. */
function queriesFor(set: CodeSet, seed: number, count: number): Uint32Array[] {
  const wpc = wordsPerCode(set.bits);
  const random = seededRandom(seed);
  const fresh = randomCodes(set.bits, count, seed + 1).codes;
  return Array.from({ length: count }, (_, i) => {
    if (set.ids.length === 0 || i % 3 === 2) return fresh.slice(i * wpc, (i + 1) * wpc);
    const slot = Math.floor(random() * set.ids.length);
    const q = set.codes.slice(slot * wpc, (slot + 1) * wpc);
    if (i % 3 === 1) q[0] ^= 1 << Math.floor(random() * Math.min(set.bits, 32));
    return q;
  });
}

describe('HammingIndex against brute force', () => {
  it('radius search is identical for every strategy', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const set = makeSet(s);
        const index = HammingIndex.fromCodes(s.bits, set.ids, set.codes, {
          substrings: substringsFor(s.bits, s.substrings),
        });
        for (const [i, query] of queriesFor(set, s.seed, 6).entries()) {
          const radius = [0, 1, 3, 4, 7, 12][i] % (s.bits + 1);
          const expected = bruteForceRadius(set, query, radius);
          for (const strategy of STRATEGIES) expect(index.radiusSearch(query, radius, { strategy })).toEqual(expected);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('k-nearest search is identical for every strategy (ties broken by id)', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 25 }), (s, k) => {
        const set = makeSet(s);
        const index = HammingIndex.fromCodes(s.bits, set.ids, set.codes, {
          substrings: substringsFor(s.bits, s.substrings),
        });
        for (const query of queriesFor(set, s.seed, 4)) {
          const expected = bruteForceKnn(set, query, k);
          for (const strategy of STRATEGIES) expect(index.knnSearch(query, k, { strategy })).toEqual(expected);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a query with several codes gets the minimum distance over them', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 2, max: 8 }), (s, variants) => {
        const set = makeSet(s);
        const index = HammingIndex.fromCodes(s.bits, set.ids, set.codes, {
          substrings: substringsFor(s.bits, s.substrings),
        });
        const parts = queriesFor(set, s.seed, variants);
        const query = new Uint32Array(parts.flatMap((p) => Array.from(p)));
        for (const strategy of STRATEGIES) {
          expect(index.radiusSearch(query, 5, { strategy })).toEqual(bruteForceRadius(set, query, 5));
          expect(index.knnSearch(query, 5, { strategy })).toEqual(bruteForceKnn(set, query, 5));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('the self-join finds exactly the pairs within the radius', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 10 }), (s, radius) => {
        const set = makeSet(s);
        const index = HammingIndex.fromCodes(s.bits, set.ids, set.codes, {
          substrings: substringsFor(s.bits, s.substrings),
        });
        const got: [number, number, number][] = [];
        index.forEachPairWithin(radius, (a, b, d) => got.push([Math.min(a, b), Math.max(a, b), d]));
        got.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        expect(got).toEqual(bruteForcePairs(set, radius));
      }),
      { numRuns: 40 },
    );
  });
});

describe('HammingIndex updates', () => {
  it('inserts, deletes and replacements match a brute-force model, across rebuilds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(32, 64),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(fc.tuple(fc.constantFrom('insert', 'delete', 'rebuild'), fc.integer({ min: 0, max: 300 })), {
          maxLength: 400,
        }),
        (bits, seed, ops) => {
          const wpc = wordsPerCode(bits);
          const initial = clusteredCodes(bits, 200, 10, 4, seed);
          const index = HammingIndex.fromCodes(bits, initial.ids, initial.codes);
          const model = new Map<number, Uint32Array>(
            initial.ids.map((id, i) => [id, initial.codes.slice(i * wpc, (i + 1) * wpc)]),
          );
          const fresh = clusteredCodes(bits, ops.length, 10, 4, seed);
          ops.forEach(([op, id], i) => {
            if (op === 'insert') {
              const code = fresh.codes.slice(i * wpc, (i + 1) * wpc);
              index.insert(id, code);
              model.set(id, code);
            } else if (op === 'delete') expect(index.delete(id)).toBe(model.delete(id));
            else index.rebuild();
          });
          expect(index.size).toBe(model.size);
          const ids = [...model.keys()];
          const set: CodeSet = { bits, ids, codes: new Uint32Array(ids.flatMap((id) => Array.from(model.get(id)!))) };
          for (const id of [0, 5, 150, 299]) expect(index.getCode(id)).toEqual(model.get(id));
          const pairs: [number, number, number][] = [];
          index.forEachPairWithin(3, (a, b, d) => pairs.push([Math.min(a, b), Math.max(a, b), d]));
          expect(pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1])).toEqual(bruteForcePairs(set, 3));
          for (const query of queriesFor(set, seed, 4)) {
            for (const strategy of STRATEGIES) {
              expect(index.radiusSearch(query, 6, { strategy })).toEqual(bruteForceRadius(set, query, 6));
              expect(index.knnSearch(query, 7, { strategy })).toEqual(bruteForceKnn(set, query, 7));
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('rebuilds by itself after many changes and stays exact', () => {
    const set = randomCodes(64, 6000, 3);
    const index = new HammingIndex(64);
    set.ids.forEach((id, i) => index.insert(id, set.codes.subarray(i * 2, i * 2 + 2)));
    expect(index.pendingChanges).toBeLessThan(6000); // folded in by an automatic rebuild
    for (let id = 0; id < 6000; id += 2) index.delete(id);
    expect(index.size).toBe(3000);
    expect(index.pendingChanges).toBeLessThan(3000 + 6000 - 4096);
    const kept: CodeSet = {
      bits: 64,
      ids: set.ids.filter((id) => id % 2 === 1),
      codes: new Uint32Array(
        set.ids.filter((id) => id % 2 === 1).flatMap((id) => Array.from(set.codes.subarray(id * 2, id * 2 + 2))),
      ),
    };
    const query = set.codes.slice(2, 4);
    expect(index.knnSearch(query, 3)).toEqual(bruteForceKnn(kept, query, 3));
  });

  it('rejects bad input', () => {
    expect(() => new HammingIndex(20)).toThrow(RangeError);
    expect(() => HammingIndex.fromCodes(64, [1, 1], new Uint32Array(4))).toThrow(/Duplicate id/);
    expect(() => HammingIndex.fromCodes(64, [1], new Uint32Array(3))).toThrow(RangeError);
    const index = new HammingIndex(64);
    expect(() => index.radiusSearch(new Uint32Array(3), 2)).toThrow(RangeError);
    expect(() => index.radiusSearch(new Uint32Array(2), -1)).toThrow(RangeError);
    expect(() => index.insert(1.5, new Uint32Array(2))).toThrow(RangeError);
    expect(index.knnSearch(new Uint32Array(2), 3)).toEqual([]);
  });
});

describe('HammingIndex strategy', () => {
  it('probes the tables on a larger set and agrees with brute force', () => {
    const set = clusteredCodes(64, 3000, 300, 6, 11);
    const index = HammingIndex.fromCodes(64, set.ids, set.codes);
    for (const query of queriesFor(set, 5, 9)) {
      for (const radius of [0, 2, 4, 8]) {
        expect(index.radiusSearch(query, radius, { strategy: 'multi-index' })).toEqual(
          bruteForceRadius(set, query, radius),
        );
        expect(index.lastStrategy).toBe('multi-index');
      }
      expect(index.knnSearch(query, 10, { strategy: 'multi-index' })).toEqual(bruteForceKnn(set, query, 10));
    }
  });

  it('the self-join through the tables reports each pair once on a larger clustered set', () => {
    for (const substrings of [undefined, 2, 3, 4]) {
      const set = clusteredCodes(64, 3000, 400, 5, 21);
      const index = HammingIndex.fromCodes(64, set.ids, set.codes, { substrings });
      for (const radius of [0, 3, 5, 7]) {
        const pairs: [number, number, number][] = [];
        index.forEachPairWithin(radius, (a, b, d) => pairs.push([Math.min(a, b), Math.max(a, b), d]));
        expect(pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1])).toEqual(bruteForcePairs(set, radius));
      }
    }
  });

  it('auto uses the tables for small radii and scans for large ones (cost model, not timing)', () => {
    const set = randomCodes(64, 5000, 9);
    const index = HammingIndex.fromCodes(64, set.ids, set.codes);
    const query = set.codes.slice(0, 2);
    index.radiusSearch(query, 2);
    expect(index.lastStrategy).toBe('multi-index');
    index.radiusSearch(query, 30);
    expect(index.lastStrategy).toBe('linear');
  });
});

describe('uniformKnnRadius', () => {
  it('grows with k and shrinks with N', () => {
    expect(uniformKnnRadius(64, 1_000_000, 10)).toBe(15); // N * P(d <= 15) ≈ 10 for random 64-bit codes
    expect(uniformKnnRadius(64, 1_000_000, 100)).toBeGreaterThan(15);
    expect(uniformKnnRadius(64, 10_000, 10)).toBeGreaterThan(15);
    expect(uniformKnnRadius(16, 1, 1)).toBe(16); // one code fills a ball of 1 only as the whole space
  });
});
