import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { popcount32 } from '../../../model/codes.js';
import {
  chooseSubstringCount,
  ProbeKeyBuffer,
  probeRadii,
  probesWithin,
  splitIntoSubstrings,
  substringKey,
  SubstringTable,
} from './mih.js';

describe('substrings', () => {
  it('split covers the code exactly with lengths differing by at most one', () => {
    fc.assert(
      fc.property(fc.constantFrom(16, 32, 48, 64, 128), fc.integer({ min: 1, max: 16 }), (bits, m) => {
        fc.pre(bits / m <= 32);
        const subs = splitIntoSubstrings(bits, m);
        expect(subs.reduce((s, x) => s + x.length, 0)).toBe(bits);
        subs.forEach((s, j) => expect(s.start).toBe(j === 0 ? 0 : subs[j - 1].start + subs[j - 1].length));
        const lengths = subs.map((s) => s.length);
        expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('chooses m ≈ K / log2 N with substrings of at most 32 bits', () => {
    expect(chooseSubstringCount(64, 1_000_000)).toBe(3);
    expect(chooseSubstringCount(64, 65_536)).toBe(4);
    expect(chooseSubstringCount(128, 2 ** 40)).toBe(4);
  });

  it('extracts keys across word boundaries', () => {
    const code = new Uint32Array([0xdeadbeef, 0x12345678]);
    const value = (0x12345678n << 32n) | 0xdeadbeefn;
    for (const sub of splitIntoSubstrings(64, 3)) {
      const expected = Number((value >> BigInt(sub.start)) & ((1n << BigInt(sub.length)) - 1n));
      expect(substringKey(code, 0, sub)).toBe(expected);
    }
    expect(substringKey(code, 0, { start: 16, length: 32 })).toBe(0x5678dead);
  });

  it('probe radii follow the pigeonhole principle', () => {
    expect(probeRadii(4, 4)).toEqual([1, 0, 0, 0]);
    expect(probeRadii(4, 3)).toEqual([1, 1, 0]);
    expect(probeRadii(2, 3)).toEqual([0, 0, 0]);
    expect(probeRadii(1, 3)).toEqual([0, 0, -1]);
    // Any split of r+1 mismatching bits over m substrings would exceed some probe radius: no miss possible.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 8 }), (r, m) => {
        const radii = probeRadii(r, m);
        expect(radii.reduce((s, x) => s + x + 1, 0)).toBe(r + 1);
      }),
    );
  });
});

describe('ProbeKeyBuffer', () => {
  it('lists every key at exactly that distance once', () => {
    const buffer = new ProbeKeyBuffer();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 14 }),
        fc.integer({ min: 0, max: 16383 }),
        fc.integer({ min: 0, max: 6 }),
        (length, raw, d) => {
          const key = raw & ((1 << length) - 1);
          const count = buffer.fill(key, length, d);
          const probes = Array.from(buffer.keys.subarray(0, count));
          expect(new Set(probes).size).toBe(count);
          for (const probe of probes) {
            expect(probe).toBeLessThan(2 ** length);
            expect(popcount32(probe ^ key)).toBe(d);
          }
          expect(probesWithin(length, d) - probesWithin(length, d - 1)).toBe(count);
        },
      ),
    );
  });

  it('handles 32-bit keys with the top bit', () => {
    const buffer = new ProbeKeyBuffer();
    for (const d of [1, 2, 3]) {
      const count = buffer.fill(0x80000000, 32, d);
      const probes = Array.from(buffer.keys.subarray(0, count));
      expect(count).toBe([32, 496, 4960][d - 1]);
      expect(probes.every((p) => p >= 0 && popcount32(p ^ 0x80000000) === d)).toBe(true);
    }
  });
});

describe('SubstringTable', () => {
  it('direct and sparse tables list exactly the included slots of each key', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8, 20, 32),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.boolean()), { maxLength: 200 }),
        (length, entries) => {
          const sub = { start: 0, length };
          const keys = new Uint32Array(entries.map(([k]) => (length === 32 ? k : k % 2 ** length) % 97));
          const include = new Uint8Array(entries.map(([, inc]) => (inc ? 1 : 0)));
          const table = SubstringTable.build(sub, keys, include);
          for (let key = 0; key < 97; key++) {
            const b = table.bucket(key);
            const got = b < 0 ? [] : Array.from(table.slots.subarray(table.offsets[b], table.offsets[b + 1]));
            const expected = [...keys.keys()].filter((i) => keys[i] === key && include[i]);
            expect(got).toEqual(expected);
          }
        },
      ),
    );
  });
});
