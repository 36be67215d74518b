/**
 * Packed codes and distance histograms for rewards and evaluation, on top of the project's popcount
 * kernel (model/codes.ts; swapping kernels touches only this file). Codes are little-endian bit vectors packed into 32-bit words
 * (bit k of a code is bit k%32 of word k/32), the same layout the search index stores.
 */

import { hammingDistance, hammingDistancesJs, popcount32 } from '../../model/codes.js';

/** A set of `count` codes of `bits` bits, `wordsPerCode` Uint32 words each. */
export interface PackedCodes {
  bits: number;
  wordsPerCode: number;
  count: number;
  words: Uint32Array;
}

export function wordsForBits(bits: number): number {
  return Math.ceil(bits / 32);
}

/** Packs codes from row-major scores [count, bits]: bit = score > threshold (logits: 0, probabilities: 0.5). */
export function packCodes(scores: ArrayLike<number>, count: number, bits: number, threshold = 0): PackedCodes {
  const wordsPerCode = wordsForBits(bits);
  const words = new Uint32Array(count * wordsPerCode);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < bits; k++) {
      if (scores[i * bits + k]! > threshold) words[i * wordsPerCode + (k >>> 5)]! |= 1 << (k & 31);
    }
  }
  return { bits, wordsPerCode, count, words };
}

export { hammingDistance, popcount32 };

/** Reused distance buffer (training is single-threaded per worker). */
let distances = new Uint8Array(0);

/**
 * Histograms of Hamming distances from one query code to every database code: `total[d]` items at
 * distance d, `relevant[d]` of them relevant to it (its label, or a label related to it by `relatedToQuery`). `skipIndex` leaves one database item out
 * (the query itself when queries are drawn from the database). Arrays have length bits + 1.
 * Distances come from the search side's popcount kernel (model/codes.ts).
 */
export function distanceHistograms(
  query: Uint32Array,
  queryOffset: number,
  database: PackedCodes,
  databaseLabels: Int32Array,
  queryLabel: number,
  relevant: Float64Array,
  total: Float64Array,
  skipIndex = -1,
  /** The query's row of a LabelRelation (relevance.ts), indexed by a database item's label; absent: same label. */
  relatedToQuery?: Uint8Array,
): void {
  relevant.fill(0);
  total.fill(0);
  const w = database.wordsPerCode;
  if (distances.length < database.count) distances = new Uint8Array(database.count);
  hammingDistancesJs(
    query.subarray(queryOffset, queryOffset + w),
    database.words.subarray(0, database.count * w),
    w,
    distances,
  );
  if (relatedToQuery) {
    for (let i = 0; i < database.count; i++) {
      const d = distances[i]!;
      total[d]!++;
      relevant[d]! += relatedToQuery[databaseLabels[i]!]!;
    }
  } else {
    for (let i = 0; i < database.count; i++) {
      const d = distances[i]!;
      total[d]!++;
      if (databaseLabels[i] === queryLabel) relevant[d]!++;
    }
  }
  if (skipIndex >= 0) {
    const d = distances[skipIndex]!;
    total[d]!--;
    const label = databaseLabels[skipIndex]!;
    if (relatedToQuery ? relatedToQuery[label] === 1 : label === queryLabel) relevant[d]!--;
  }
}
