/**
 * The Hamming kernel the rest of the app (and the trainer) should call.
 *
 * Measured by `npm run bench:search` on 1M codes: the WebAssembly kernel is several times faster
 * than the best JS kernel (SWAR popcount on Uint32Array) and runs near memory bandwidth, so it is
 * the default; the JS kernel remains for code layouts the WebAssembly kernel does not take.
 */
import { hammingDistancesJs, type DistanceArray } from '../../../model/codes.js';
import { hammingDistancesWasm, WasmHammingScanner } from './wasm-hamming.js';

/**
 * Distances from `query` (one code of `wordsPerCode` words) to every code in `db`, written to `out`.
 * Copies `db` into WebAssembly memory on each call; to rank the same database many times, use
 * `createHammingScanner` instead.
 */
export function hammingDistances(query: Uint32Array, db: Uint32Array, wordsPerCode: number, out: DistanceArray): void {
  if (wordsPerCode === 1 || wordsPerCode === 2 || wordsPerCode === 4)
    hammingDistancesWasm(query, db, wordsPerCode, out);
  else hammingDistancesJs(query, db, wordsPerCode, out);
}

/** A database loaded once into WebAssembly memory, scanned per query without copying. */
export interface HammingScanner {
  readonly count: number;
  /** Min distance over the query's codes (one or more concatenated) to each database code, copied into `out`. */
  distances(query: Uint32Array, out?: Uint8Array): Uint8Array;
}

export function createHammingScanner(db: Uint32Array, wordsPerCode: number): HammingScanner {
  const scanner = new WasmHammingScanner(wordsPerCode, Math.ceil(db.length / wordsPerCode));
  scanner.load(db);
  const count = Math.floor(db.length / wordsPerCode);
  return {
    count,
    distances(query, out = new Uint8Array(count)) {
      out.set(scanner.minDistances(query, count));
      return out;
    },
  };
}
