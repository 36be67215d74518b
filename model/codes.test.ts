import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codeFromBigInt,
  codeFromHex,
  codeToBigInt,
  codeToHex,
  fromSqliteInteger,
  hammingDistance,
  hammingDistancesJs,
  packActivationRows,
  packActivations,
  packBits,
  popcount32,
  SUPPORTED_CODE_BITS,
  toSqliteInteger,
  unpackBits,
  wordsPerCode,
} from './codes.js';

const bitsArb = fc.constantFrom(...SUPPORTED_CODE_BITS);
const bitVector = (bits: number) => fc.array(fc.integer({ min: 0, max: 1 }), { minLength: bits, maxLength: bits });

describe('packing', () => {
  it('puts bit i in bit i%32 of word i/32 (little-endian)', () => {
    const bits = new Array(64).fill(0);
    bits[0] = 1;
    bits[33] = 1;
    bits[63] = 1;
    expect(Array.from(packBits(bits))).toEqual([1, (2 | 0x80000000) >>> 0]);
    expect(codeToHex(packBits(bits), 64)).toBe('8000000200000001');
  });

  it('round-trips bits, BigInt and hex for every supported length', () => {
    fc.assert(
      fc.property(
        bitsArb.chain((bits) => bitVector(bits)),
        (values) => {
          const bits = values.length;
          const code = packBits(values);
          expect(code.length).toBe(wordsPerCode(bits));
          expect(Array.from(unpackBits(code, bits))).toEqual(values);
          expect(codeFromBigInt(codeToBigInt(code, bits), bits)).toEqual(code);
          expect(codeFromHex(codeToHex(code, bits), bits)).toEqual(code);
          expect(codeToHex(code, bits)).toHaveLength(bits / 4);
        },
      ),
    );
  });

  it('binarises activations at zero', () => {
    const acts = Array.from({ length: 16 }, (_, i) => (i % 3 === 0 ? 0.5 : i % 3 === 1 ? -0.5 : 0));
    expect(Array.from(unpackBits(packActivations(acts), 16))).toEqual(acts.map((a) => (a > 0 ? 1 : 0)));
    const rows = packActivationRows(new Float32Array([...acts, ...acts.map((a) => -a)]), 16, 2);
    expect(rows[0]).toBe(packActivations(acts)[0]);
    expect(rows[1]).toBe(packActivations(acts.map((a) => -a))[0]);
  });

  it('rejects unsupported lengths and oversize values', () => {
    expect(() => packBits(new Array(20).fill(0))).toThrow(RangeError);
    expect(() => codeFromBigInt(1n << 64n, 64)).toThrow(RangeError);
    expect(() => codeFromHex('xyz', 64)).toThrow(RangeError);
  });
});

describe('SQLite integers', () => {
  it('maps codes with bit 63 set to negative signed 64-bit values', () => {
    const allOnes = new Uint32Array([0xffffffff, 0xffffffff]);
    expect(toSqliteInteger(allOnes, 64)).toBe(-1n);
    expect(toSqliteInteger(new Uint32Array([0, 0x80000000]), 64)).toBe(-(1n << 63n));
    expect(toSqliteInteger(new Uint32Array([5, 0]), 64)).toBe(5n);
    expect(fromSqliteInteger(-1n, 64)).toEqual(allOnes);
    expect(fromSqliteInteger(5, 64)).toEqual(new Uint32Array([5, 0]));
  });

  it('round-trips every code of 16..64 bits and stays within the signed range', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 32, 48, 64).chain((bits) => bitVector(bits)),
        (values) => {
          const bits = values.length;
          const code = packBits(values);
          const stored = toSqliteInteger(code, bits);
          expect(stored >= -(1n << 63n) && stored < 1n << 63n).toBe(true);
          expect(fromSqliteInteger(stored, bits)).toEqual(code);
        },
      ),
    );
  });

  it('refuses 128-bit codes and unsafe JS numbers', () => {
    expect(() => toSqliteInteger(new Uint32Array(4), 128)).toThrow(/BLOB/);
    expect(() => fromSqliteInteger(2 ** 60, 64)).toThrow(/safeIntegers/);
  });
});

describe('distances', () => {
  it('popcount32 counts bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (x) => {
        expect(popcount32(x)).toBe(x.toString(2).replace(/0/g, '').length);
      }),
    );
  });

  it('the JS kernel equals the per-bit definition', () => {
    fc.assert(
      fc.property(
        bitsArb,
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 4 * 9, maxLength: 4 * 9 }),
        (bits, words) => {
          const wpc = wordsPerCode(bits);
          const mask = (w: number, i: number) => (bits % 32 && i % wpc === wpc - 1 ? w & ((1 << (bits % 32)) - 1) : w);
          const db = new Uint32Array(words.slice(0, wpc * 9).map((w, i) => mask(w, i) >>> 0));
          const query = db.slice(0, wpc);
          const out = new Uint16Array(9);
          hammingDistancesJs(query, db, wpc, out);
          for (let i = 0; i < 9; i++) {
            const a = unpackBits(query, bits);
            const b = unpackBits(db.subarray(i * wpc, (i + 1) * wpc), bits);
            expect(out[i]).toBe(a.reduce((s, v, j) => s + (v !== b[j] ? 1 : 0), 0));
            expect(hammingDistance(query, db, wpc, 0, i * wpc)).toBe(out[i]);
          }
        },
      ),
    );
  });
});
