import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hammingDistance } from '../../../model/codes.js';
import { findDuplicateGroups } from './groups.js';
import { HammingIndex } from '../index/hamming-index.js';
import { bruteForcePairs, clusteredCodes, seededRandom } from '../../../tests/helpers/reference-search.js';

describe('findDuplicateGroups', () => {
  it('forms star groups (or unions of densely linked stars): disjoint, connected, exact classes intact, maximal', () => {
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
            }
            let max = 0;
            for (const a of g.ids) for (const b of g.ids) max = Math.max(max, hammingDistance(code(a), code(b), wpc));
            expect(g.maxDistance).toBe(g.kind === 'exact' ? 0 : max);
            // Connected: every member has another within r (or is in the same content-hash class).
            for (const a of g.ids)
              expect(
                g.ids.some((b) => b !== a && hammingDistance(code(a), code(b), wpc) <= radius) ||
                  exactClasses.some((c) => c.includes(a)),
              ).toBe(true);
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

  it('a lone photo linked to more than half of a group joins it, though not linked to its representative', () => {
    // Photos 1–7 share a code; verified pairs: all among 1–5, and 1–6, 1–7, so 1 leads them all. Photo 9 (a turned
    // copy: its code is far) is linked by turned pairs to some of 2–5, never to 1.
    const ids = [1, 2, 3, 4, 5, 6, 7, 9];
    const codes = new Uint32Array(ids.length * 2);
    ids.forEach((id, i) => (codes[2 * i] = id === 9 ? 0xffffffff : 7));
    const index = HammingIndex.fromCodes(64, ids, codes);
    const verify = (a: number, b: number) => (a <= 5 && b <= 5) || (Math.min(a, b) === 1 && Math.max(a, b) <= 7);
    const group = (extraPairs: [number, number][]) =>
      findDuplicateGroups(index, { radius: 3, verify, extraPairs }).map((g) => g.ids);
    // Linked to 4 of the 7: it joins.
    expect(
      group([
        [9, 2],
        [9, 3],
        [9, 4],
        [9, 5],
      ]),
    ).toEqual([[1, 2, 3, 4, 5, 6, 7, 9]]);
    // Linked to 2 of the 7: a crop of what some copies share is not the group's picture; it stays alone.
    expect(
      group([
        [9, 3],
        [9, 4],
      ]),
    ).toEqual([[1, 2, 3, 4, 5, 6, 7]]);
  });

  it('a leader that matches two families with no edge between them keeps the nearer one; the other is grouped on its own', () => {
    // Ids 1–5: family L around code 0 (one bit each). Ids 11–15: family R around bits 10–15 (one more bit each).
    // Id 20, the hub (a crop of the part both pictures share): bits 10 and 11, 3 bits from L, 5 from R.
    const bit = (...bits: number[]) => bits.reduce((w, b) => w | (1 << b), 0) >>> 0;
    const ids = [1, 2, 3, 4, 5, 11, 12, 13, 14, 15, 20];
    const low = [
      ...[0, 1, 2, 3, 4].map((b) => bit(b)),
      ...[20, 21, 22, 23, 24].map((b) => bit(10, 11, 12, 13, 14, 15, b)),
      bit(10, 11),
    ];
    const codes = new Uint32Array(ids.length * 2);
    low.forEach((w, i) => (codes[2 * i] = w));
    const index = HammingIndex.fromCodes(64, ids, codes);
    // Every pair is within r = 8; the pixels tell L from R (no L–R pair passes), and the hub passes with both.
    const family = (id: number) => (id === 20 ? 'hub' : id < 10 ? 'L' : 'R');
    const verify = (a: number, b: number) => family(a) === family(b) || family(a) === 'hub' || family(b) === 'hub';
    const groups = findDuplicateGroups(index, { radius: 8, verify });
    // The hub has the most neighbours and leads; it keeps L (mean distance 3 against 5) and R forms its own group.
    expect(groups.map((g) => [g.representativeId, g.ids])).toEqual([
      [11, [11, 12, 13, 14, 15]],
      [20, [20, 1, 2, 3, 4, 5]],
    ]);
    // With one family (R's photos removed), all six are one group.
    const onlyL = HammingIndex.fromCodes(
      64,
      [1, 2, 3, 4, 5, 20],
      codes.filter((_, i) => i < 10 || i >= 20),
    );
    expect(findDuplicateGroups(onlyL, { radius: 8, verify }).map((g) => g.ids)).toEqual([[1, 2, 3, 4, 5, 20]]);
    // Members that match only the leader stay with it: a star of four mutually unverified photos is one group.
    const lone = findDuplicateGroups(index, { radius: 8, verify: (a, b) => a === 20 || b === 20 });
    expect(lone.map((g) => g.ids)).toEqual([[20, 1, 2, 3, 4, 5, 11, 12, 13, 14, 15]]);
  });

  it('merges two stars of one family that a hub split between them, and only those', () => {
    // Family F (ids 1–6, all verified with each other), family L (ids 11–14, likewise), and a hub (id 20)
    // verified with F's first three and all of L; every pair is within r. The hub leads (7 neighbours), keeps
    // F's three (nearer) and lets L go; id 4 then leads F's other three. 9 of the 12 pairs between the two
    // stars are verified, so they merge; the hub's 4 links to L's 4 photos (of 28 pairs) merge nothing.
    const bit = (...bits: number[]) => bits.reduce((w, b) => w | (1 << b), 0) >>> 0;
    const ids = [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 20];
    const low = [
      ...[1, 2, 3, 4, 5, 6].map((i) => bit(1, 2, 10 + i)),
      ...[1, 2, 3, 4].map((i) => bit(20, 21, 22, 23, 24 + i)),
      0,
    ];
    const codes = new Uint32Array(ids.length * 2);
    low.forEach((w, i) => (codes[2 * i] = w));
    const index = HammingIndex.fromCodes(64, ids, codes);
    const family = (id: number) => (id === 20 ? 'hub' : id < 10 ? 'F' : 'L');
    const verify = (a: number, b: number) => {
      if (family(a) === family(b)) return true;
      const other = a === 20 ? b : b === 20 ? a : -1;
      return other >= 0 && (family(other) === 'L' || other <= 3);
    };
    expect(findDuplicateGroups(index, { radius: 12, verify }).map((g) => g.ids)).toEqual([
      [11, 12, 13, 14],
      [20, 1, 2, 3, 4, 5, 6],
    ]);
    // With F's two halves verified only through the hub, the stars stay apart.
    const halves = (a: number, b: number) => verify(a, b) && !(a <= 6 && b <= 6 && a <= 3 !== b <= 3);
    expect(findDuplicateGroups(index, { radius: 12, verify: halves }).map((g) => g.ids)).toEqual([
      [4, 5, 6],
      [11, 12, 13, 14],
      [20, 1, 2, 3],
    ]);
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

describe('findDuplicateGroups with pairs kept apart', () => {
  it('never puts two photos that are apart in one group, however others link them (a copy without a capture time between two shots)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 4, max: 200 }), (seed, n) => {
        const set = clusteredCodes(64, n, 1 + (n >> 3), 6, seed);
        const index = HammingIndex.fromCodes(64, set.ids, set.codes);
        // Each photo a shot of one of three moments, or with no time (a copy that lost its EXIF).
        const random = seededRandom(seed);
        const shot = new Map(Array.from(set.ids, (id) => [id, random() < 0.4 ? -1 : Math.floor(random() * 3)]));
        const apart = (a: number, b: number) => shot.get(a)! >= 0 && shot.get(b)! >= 0 && shot.get(a) !== shot.get(b);
        const groups = findDuplicateGroups(index, { radius: 6, verify: (a, b) => !apart(a, b), apart });
        for (const g of groups) {
          expect(g.ids.length).toBeGreaterThanOrEqual(2);
          for (const a of g.ids) for (const b of g.ids) expect(apart(a, b)).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
    // A hub with no time, linked to two shots and to a copy of each: two groups, one a shot.
    const codes = new Uint32Array(2 * 5);
    const ids = Float64Array.of(1, 2, 3, 4, 5);
    codes.set([0, 0], 0); // 1: the hub
    codes.set([0b1, 0], 2); // 2: shot A
    codes.set([0b11, 0], 4); // 3: shot A's copy
    codes.set([0b10000, 0], 6); // 4: shot B
    codes.set([0b110000, 0], 8); // 5: shot B's copy
    const time = new Map([
      [2, 1],
      [3, 1],
      [4, 2],
      [5, 2],
    ]);
    const apart = (a: number, b: number) => time.has(a) && time.has(b) && time.get(a) !== time.get(b);
    const index = HammingIndex.fromCodes(64, ids, codes);
    const together = findDuplicateGroups(index, { radius: 4 });
    expect(together.map((g) => g.ids.length)).toEqual([5]);
    const split = findDuplicateGroups(index, { radius: 4, verify: (a, b) => !apart(a, b), apart });
    expect(split.map((g) => [...g.ids].sort())).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });
});

describe('findDuplicateGroups with pairs found two pictures', () => {
  // A hub (1) that matches everyone; picture A (2) with two copies (3, 6), picture B (4) with two copies (5, 7).
  // One copy of each (3 and 5: say crops of the part the two share) also match each other, so A and B are one
  // family of the hub's neighbours; every other pair of A's and B's was compared upright and found two pictures.
  const ids = Float64Array.of(1, 2, 3, 4, 5, 6, 7);
  const codes = new Uint32Array(2 * ids.length);
  [0, 0b1, 0b11, 0b10000, 0b110000, 0b101, 0b1010000].forEach((w, i) => (codes[2 * i] = w));
  const index = HammingIndex.fromCodes(64, ids, codes);
  const picture = (id: number) => (id === 1 ? 0 : [2, 3, 6].includes(id) ? 1 : 2);
  const crops = (a: number, b: number) => Math.min(a, b) === 3 && Math.max(a, b) === 5;
  const twoPictures = (a: number, b: number) => picture(a) * picture(b) === 2 && !crops(a, b);
  const verify = (a: number, b: number) => !twoPictures(a, b);
  const sorted = (groups: { ids: number[] }[]) => groups.map((g) => [...g.ids].sort((a, b) => a - b));
  const split = [
    [1, 2, 3, 6],
    [4, 5, 7],
  ];

  it('keeps two pictures that a hub matches apart when both are linked to it upright', () => {
    expect(sorted(findDuplicateGroups(index, { radius: 4, verify }))).toEqual([[1, 2, 3, 4, 5, 6, 7]]);
    expect(sorted(findDuplicateGroups(index, { radius: 4, verify, twoPictures }))).toEqual(split);
  });

  it('does not judge photos linked by a turn by their upright verdict (a mirrored copy differs upright)', () => {
    // B and its copies are linked to the hub only by turned pairs (B mirrored matches it): one picture after all.
    const selfJoinPairs: [number, number][] = [];
    for (const a of ids) for (const b of ids) if (a < b && !(a === 1 && picture(b) === 2)) selfJoinPairs.push([a, b]);
    const turned = [4, 5, 7].map((b) => [1, b, 'turned'] as const);
    const options = { radius: 4, verify, twoPictures, selfJoinPairs };
    expect(sorted(findDuplicateGroups(index, { ...options, extraPairs: turned }))).toEqual([[1, 2, 3, 4, 5, 6, 7]]);
    // The same pairs found upright (a greyscale variant's) are judged by the upright verdict.
    const upright = turned.map(([a, b]) => [a, b, 'upright'] as const);
    expect(sorted(findDuplicateGroups(index, { ...options, extraPairs: upright }))).toEqual(split);
  });
});
