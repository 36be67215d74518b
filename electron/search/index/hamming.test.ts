import { describe, expect, it } from 'vitest';
import { hammingDistancesJs } from '../../../model/codes.js';
import { createHammingScanner, hammingDistances } from './hamming.js';
import { randomCodes } from '../../../tests/helpers/reference-search.js';

describe('hammingDistances / createHammingScanner', () => {
  it('agree with the JS kernel for every supported code length', () => {
    for (const bits of [16, 32, 48, 64, 128]) {
      const wpc = Math.ceil(bits / 32);
      const { codes } = randomCodes(bits, 500, bits);
      const query = codes.slice(wpc * 7, wpc * 8);
      const expected = new Uint8Array(500);
      hammingDistancesJs(query, codes, wpc, expected);
      const viaFunction = new Uint16Array(500);
      hammingDistances(query, codes, wpc, viaFunction);
      expect(Array.from(viaFunction)).toEqual(Array.from(expected));
      const scanner = createHammingScanner(codes, wpc);
      expect(scanner.count).toBe(500);
      expect(scanner.distances(query)).toEqual(expected);
      expect(scanner.distances(query)[7]).toBe(0);
    }
  });
});
