/**
 * Brute-force reference answers (every pair compared): the definition the index is tested against,
 * and a generator of random and clustered code sets for tests and benchmarks.
 */
import { seededRandom } from './synthetic-photo.js';
import { hammingDistance, wordsPerCode } from '../../model/codes.js';
import type { Neighbor } from '../../electron/search/index/hamming-index.js';

export interface CodeSet {
  bits: number;
  ids: number[];
  /** `ids.length * wordsPerCode(bits)` words. */
  codes: Uint32Array;
}

function minDistance(query: Uint32Array, codes: Uint32Array, slot: number, wpc: number): number {
  let best = Infinity;
  for (let q = 0; q < query.length / wpc; q++)
    best = Math.min(best, hammingDistance(query, codes, wpc, q * wpc, slot * wpc));
  return best;
}

export function bruteForceRadius(set: CodeSet, query: Uint32Array, radius: number): Neighbor[] {
  const wpc = wordsPerCode(set.bits);
  return set.ids
    .map((id, slot) => ({ id, distance: minDistance(query, set.codes, slot, wpc) }))
    .filter((n) => n.distance <= radius)
    .sort((a, b) => a.distance - b.distance || a.id - b.id);
}

export function bruteForceKnn(set: CodeSet, query: Uint32Array, k: number): Neighbor[] {
  return bruteForceRadius(set, query, set.bits).slice(0, k);
}

/** Unordered pairs within `radius` as `[smallerId, largerId, distance]`, sorted. */
export function bruteForcePairs(set: CodeSet, radius: number): [number, number, number][] {
  const wpc = wordsPerCode(set.bits);
  const pairs: [number, number, number][] = [];
  for (let a = 0; a < set.ids.length; a++) {
    for (let b = a + 1; b < set.ids.length; b++) {
      const d = hammingDistance(set.codes, set.codes, wpc, a * wpc, b * wpc);
      if (d <= radius) pairs.push([Math.min(set.ids[a], set.ids[b]), Math.max(set.ids[a], set.ids[b]), d]);
    }
  }
  return pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

export { seededRandom };

function topWordMask(bits: number): number {
  return bits % 32 === 0 ? 0xffffffff : 2 ** (bits % 32) - 1;
}

/** Uniformly random codes with ids 0..n-1 (or the given first id, stepping by `idStep`). */
export function randomCodes(bits: number, n: number, seed: number, firstId = 0, idStep = 1): CodeSet {
  const wpc = wordsPerCode(bits);
  const random = seededRandom(seed);
  const codes = new Uint32Array(n * wpc);
  for (let i = 0; i < codes.length; i++) {
    codes[i] = (random() * 2 ** 32) >>> 0;
    if (i % wpc === wpc - 1) codes[i] = (codes[i] & topWordMask(bits)) >>> 0;
  }
  return { bits, ids: Array.from({ length: n }, (_, i) => firstId + i * idStep), codes };
}

/**
 * Codes in clusters: `clusters` random centres, each member a copy with up to `maxFlips` random bits
 * flipped (0 flips = exact duplicates), so radius searches have many neighbours and tables have hot buckets.
 */
export function clusteredCodes(bits: number, n: number, clusters: number, maxFlips: number, seed: number): CodeSet {
  const wpc = wordsPerCode(bits);
  const random = seededRandom(seed);
  const centres = randomCodes(bits, clusters, seed ^ 0x5eed).codes;
  const codes = new Uint32Array(n * wpc);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(random() * clusters);
    codes.set(centres.subarray(c * wpc, (c + 1) * wpc), i * wpc);
    const flips = Math.floor(random() * (maxFlips + 1));
    for (let f = 0; f < flips; f++) {
      const bit = Math.floor(random() * bits);
      codes[i * wpc + (bit >>> 5)] ^= 1 << (bit & 31);
    }
  }
  return { bits, ids: Array.from({ length: n }, (_, i) => i), codes };
}
