/** Retrieval quality of hash codes: MAP over the whole database ranked by Hamming distance (MAP@all). */
import { tieAwareAveragePrecision } from './average-precision.js';
import { distanceHistograms, type PackedCodes } from './hamming-kernel.js';
import { type LabelRelation, relatedRow } from './relevance.js';

/**
 * Tie-aware MAP@all: for every query, the expected AP of ranking the whole database by Hamming
 * distance, ties in random order (relevant = same label, or related labels under `relation`). Queries without
 * any relevant item count 0.
 */
export function meanAveragePrecision(
  queries: PackedCodes,
  queryLabels: Int32Array,
  database: PackedCodes,
  databaseLabels: Int32Array,
  /** Per query, a database index to leave out of its ranking (the query itself), or −1. */
  querySelfIndex?: Int32Array,
  /** Which labels are relevant to which (relevance.ts); absent: the same label. */
  relation?: LabelRelation,
): number {
  const aps = averagePrecisions(queries, queryLabels, database, databaseLabels, querySelfIndex, relation);
  let sum = 0;
  for (const ap of aps) sum += ap;
  return queries.count === 0 ? 0 : sum / queries.count;
}

/** Each query's tie-aware AP@all (`meanAveragePrecision` is their mean), for per-album or per-class figures. */
export function averagePrecisions(
  queries: PackedCodes,
  queryLabels: Int32Array,
  database: PackedCodes,
  databaseLabels: Int32Array,
  querySelfIndex?: Int32Array,
  relation?: LabelRelation,
): Float64Array {
  if (queries.bits !== database.bits) throw new Error(`code length mismatch: ${queries.bits} vs ${database.bits}`);
  const relevant = new Float64Array(database.bits + 1);
  const total = new Float64Array(database.bits + 1);
  const aps = new Float64Array(queries.count);
  for (let q = 0; q < queries.count; q++) {
    distanceHistograms(
      queries.words,
      q * queries.wordsPerCode,
      database,
      databaseLabels,
      queryLabels[q]!,
      relevant,
      total,
      querySelfIndex?.[q] ?? -1,
      relatedRow(relation, queryLabels[q]!),
    );
    aps[q] = tieAwareAveragePrecision(relevant, total);
  }
  return aps;
}
