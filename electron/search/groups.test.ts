import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hammingDistance } from './codes.js';
import { findDuplicateGroups } from './groups.js';
import { HammingIndex } from './index.js';
import { bruteForcePairs, clusteredCodes, seededRandom } from './reference.js';

describe('findDuplicateGroups', () => {
  it('forms star groups: disjoint, within r of the representative, exact classes intact, maximal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 2, max: 300 }),
        fc.integer({ min: 0, max: 8 }),
        fc.constantFrom(32, 64),
        (seed, n, radius, bits) => {
          const set = clusteredCodes(bits, n, 1 + (n >> 3), 8, seed);
          const index = HammingIndex.fromCodes(bits, set.ids, set.codes);
          const wpc = bits / 32;
          const code = (id: number) => set.codes.subarray(id * wpc, (id + 1) * wpc);
          // Content-hash classes: some ids that share a code are declared byte-identical.
          const random = seededRandom(seed);
          const byCode = new Map<string, number[]>();
          set.ids.forEach((id) => {
            const key = Array.from(code(id)).join(',');
            byCode.set(key, [...(byCode.get(key) ?? []), id]);
          });
          const exactClasses = [...byCode.values()].filter((ids) => ids.length > 1 && random() < 0.5);

          const groups = findDuplicateGroups(index, { radius, exactClasses });
          const seen = new Set<number>();
          for (const g of groups) {
            expect(g.ids.length).toBeGreaterThanOrEqual(2);
            expect(g.ids[0]).toBe(g.representativeId);
            for (const id of g.ids) {
              expect(seen.has(id)).toBe(false);
              seen.add(id);
              expect(hammingDistance(code(id), code(g.representativeId), wpc)).toBeLessThanOrEqual(radius);
            }
            let max = 0;
            for (const a of g.ids) for (const b of g.ids) max = Math.max(max, hammingDistance(code(a), code(b), wpc));
            expect(g.maxDistance).toBe(g.kind === 'exact' ? 0 : max);
            expect(max).toBeLessThanOrEqual(2 * radius);
            const isOneClass = exactClasses.some(
              (c) => c.length === g.ids.length && c.every((id) => g.ids.includes(id)),
            );
            expect(g.kind).toBe(isOneClass ? 'exact' : 'near');
          }
          for (const cls of exactClasses) {
            const owner = groups.find((g) => g.ids.includes(cls[0]));
            expect(cls.every((id) => owner?.ids.includes(id))).toBe(true);
          }
          // Maximal: no two photos left out of every group are within the radius of each other.
          for (const [a, b] of bruteForcePairs(set, radius)) expect(seen.has(a) || seen.has(b)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('does not chain: a line of photos 3 bits apart is split, not one group', () => {
    const ids = [0, 1, 2, 3, 4, 5];
    const codes = new Uint32Array(ids.length * 2);
    ids.forEach((i) => (codes[i * 2] = (2 ** (3 * i) - 1) >>> 0)); // code i has its lowest 3i bits set
    const index = HammingIndex.fromCodes(64, ids, codes);
    const groups = findDuplicateGroups(index, { radius: 4 });
    expect(groups.length).toBeGreaterThanOrEqual(2);
    for (const g of groups) expect(g.maxDistance).toBeLessThanOrEqual(8);
    // Leaders 1 (takes 0, 2) and 3 (takes 4); photo 5 is 6 bits from representative 3, so it stays alone.
    expect(groups.map((g) => g.ids)).toEqual([
      [1, 0, 2],
      [3, 4],
    ]);
  });

  it('with radius null returns only content-hash groups, including photos without codes', () => {
    const index = HammingIndex.fromCodes(64, [1, 2, 3], new Uint32Array([5, 0, 5, 0, 7, 0]));
    const groups = findDuplicateGroups(index, { radius: null, exactClasses: [[1, 2], [9, 10, 10], [3]] });
    expect(groups).toEqual([
      { kind: 'exact', ids: [1, 2], representativeId: 1, maxDistance: 0 },
      { kind: 'exact', ids: [9, 10], representativeId: 9, maxDistance: 0 },
    ]);
  });

  it('merges an exact class with its near duplicates into one near group', () => {
    const index = HammingIndex.fromCodes(64, [1, 2, 3, 4], new Uint32Array([0, 0, 0, 0, 1, 0, 0xffff, 0]));
    const groups = findDuplicateGroups(index, { radius: 2, exactClasses: [[2, 1]] });
    expect(groups).toEqual([{ kind: 'near', ids: [1, 2, 3], representativeId: 1, maxDistance: 1 }]);
  });

  it('with verify, groups only verified pairs; a lone photo joins a representative only through a verified pair', () => {
    // Photos 1–4 share a code; the verifier accepts only 1–2, 1–3 and 2–4. Photos 5 and 6 are byte-identical.
    const index = HammingIndex.fromCodes(64, [1, 2, 3, 4, 5, 6], new Uint32Array([7, 0, 7, 0, 7, 0, 7, 0, 0, 9, 0, 9]));
    const accepted = new Set(['1,2', '1,3', '2,4']);
    const asked: string[] = [];
    const verify = (a: number, b: number) => {
      const key = `${Math.min(a, b)},${Math.max(a, b)}`;
      asked.push(key);
      return accepted.has(key);
    };
    expect(findDuplicateGroups(index, { radius: 3, exactClasses: [[5, 6]] }).map((g) => g.ids)).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    // Leader 1 takes 2 and 3; 4 is left alone with its only neighbour taken, and 4–1 is within r but not verified.
    const groups = findDuplicateGroups(index, { radius: 3, exactClasses: [[5, 6]], verify });
    expect(groups.map((g) => [g.kind, g.ids])).toEqual([
      ['near', [1, 2, 3]],
      ['exact', [5, 6]],
    ]);
    expect(asked).toContain('1,4');
    expect(asked).not.toContain('5,6'); // exact copies need no verification
  });

  it('groups the self-join pairs a caller passes exactly as its own self-join, and runs none then', () => {
    for (const seed of [3, 17, 99]) {
      const set = clusteredCodes(64, 200, 25, 8, seed);
      const index = HammingIndex.fromCodes(64, set.ids, set.codes);
      const pairs = bruteForcePairs(set, 6).map(([a, b]): [number, number] => [a, b]);
      const own = findDuplicateGroups(index, { radius: 6 });
      expect(findDuplicateGroups(index, { radius: 6, selfJoinPairs: pairs })).toEqual(own);
      expect(own.length).toBeGreaterThan(0);
      // Without the pairs of one group's representative, that photo is not paired through it.
      const rep = own[0].representativeId;
      const without = findDuplicateGroups(index, {
        radius: 6,
        selfJoinPairs: pairs.filter(([a, b]) => a !== rep && b !== rep),
      });
      expect(without.some((g) => g.ids.includes(rep))).toBe(false);
    }
  });

  it('rejects an id in two classes and honours an aborted signal', () => {
    const index = HammingIndex.fromCodes(64, [1, 2], new Uint32Array(4));
    expect(() =>
      findDuplicateGroups(index, {
        radius: 0,
        exactClasses: [
          [1, 2],
          [2, 3],
        ],
      }),
    ).toThrow(RangeError);
    const controller = new AbortController();
    controller.abort();
    expect(() => findDuplicateGroups(index, { radius: 1, signal: controller.signal })).toThrow();
  });
});
