/**
 * The Hamming index's shapes that its search strategies (linear-scan.ts, mih-search.ts, self-join.ts) share
 * with it: a neighbour, and the index's storage as they read it.
 */
import type { Substring, SubstringTable } from './mih.js';

export interface Neighbor {
  id: number;
  distance: number;
}

/** What the self-join reads: the live state of the index (valid until the next insert, delete or rebuild). */
export interface IndexInternals {
  bits: number;
  wordsPerCode: number;
  codes: Uint32Array;
  alive: Uint8Array;
  slotIds: Float64Array;
  slotCount: number;
  substrings: readonly Substring[];
  tables: readonly SubstringTable[];
  /** The live slot of an id, or -1. */
  slotOf: (id: number) => number;
}
