import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hammingDistancesJs } from '../../../model/codes.js';
import { hammingDistancesWasm, WasmHammingScanner } from './wasm-hamming.js';

const words = (n: number) => fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: n, maxLength: n });

describe('WebAssembly Hamming kernel', () => {
  it('matches the JS kernel for 1, 2 and 4 words per code', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4), fc.integer({ min: 1, max: 40 }), words(160), (wpc, n, pool) => {
        const db = new Uint32Array(pool.slice(0, n * wpc));
        const query = new Uint32Array(pool.slice(pool.length - wpc));
        const expected = new Uint8Array(n);
        const actual = new Uint8Array(n);
        hammingDistancesJs(query, db, wpc, expected);
        hammingDistancesWasm(query, db, wpc, actual);
        expect(actual).toEqual(expected);
      }),
    );
  });

  it('takes the minimum over several query codes and survives memory growth', () => {
    const scanner = new WasmHammingScanner(2, 4);
    const n = 50_000; // forces several memory.grow calls past the initial page
    scanner.reserve(n);
    const codes = scanner.codes;
    for (let i = 0; i < n * 2; i++) codes[i] = Math.imul(i + 1, 2654435761) >>> 0;
    const queries = new Uint32Array([codes[2], codes[3], ~codes[10] >>> 0, codes[11]]);
    const got = scanner.minDistances(queries, n).slice();
    const a = new Uint8Array(n);
    const b = new Uint8Array(n);
    hammingDistancesJs(queries.subarray(0, 2), codes.subarray(0, n * 2), 2, a);
    hammingDistancesJs(queries.subarray(2, 4), codes.subarray(0, n * 2), 2, b);
    for (let i = 0; i < n; i++) expect(got[i]).toBe(Math.min(a[i], b[i]));
    expect(got[1]).toBe(0);
  });

  it('rejects word counts it has no kernel for', () => {
    expect(() => new WasmHammingScanner(3)).toThrow(RangeError);
  });
});

describe('WebAssembly histogram and select', () => {
  it('count distances and list the indices within a cutoff', () => {
    fc.assert(
      fc.property(
        words(2 * 300),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 64 }),
        (pool, n, cutoff) => {
          const scanner = new WasmHammingScanner(2, 16);
          scanner.load(new Uint32Array(pool.slice(0, 2 * n)));
          const distances = scanner.minDistances(new Uint32Array(pool.slice(pool.length - 2)), n).slice();
          const histogram = scanner.histogramOfLast();
          for (let d = 0; d < 256; d++) expect(histogram[d]).toBe(distances.filter((x) => x === d).length);
          const expected = [...distances.keys()].filter((i) => distances[i] <= cutoff);
          expect(Array.from(scanner.indicesWithin(cutoff))).toEqual(expected);
        },
      ),
      { numRuns: 50 },
    );
  });
});
