/**
 * Duplicate embeddings: the duplicate head's real-valued output (its K logits, before the sign bits of the
 * code), L2-normalised and stored as K int8 values (round(v · 127)). They verify the code's candidate pairs:
 * on the dedup benchmark the logits' cosine separates duplicates better than the code's Hamming distance
 * (model/README.md, "The shipped heads"), and K bytes per photo cost less than the thumbnail's header.
 */

/** Scale of the int8 values: a unit vector's components, times 127. */
export const EMBEDDING_SCALE = 127;

/** The stored form of a head output: L2-normalised, then round(v · 127) per value. A zero vector stays zero. */
export function quantizeEmbedding(logits: ArrayLike<number>): Int8Array {
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += logits[i] * logits[i];
  const norm = Math.sqrt(sum);
  const out = new Int8Array(logits.length);
  if (!(norm > 0)) return out;
  for (let i = 0; i < logits.length; i++) out[i] = Math.round((logits[i] / norm) * EMBEDDING_SCALE);
  return out;
}

/**
 * Cosine of two stored embeddings, with their own norms (rounding leaves them near, not at, 127): the same
 * number whether or not the vectors were quantised, within about 0.001. Null when it is not defined
 * (different lengths, or a zero vector), so the caller can fall back to the code alone.
 */
export function embeddingCosine(a: Int8Array, b: Int8Array): number | null {
  if (a.length !== b.length || a.length === 0) return null;
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? dot / Math.sqrt(aa * bb) : null;
}

/**
 * Whether a candidate pair passes verification at `minCosine`: yes when there is nothing to check (no
 * minimum, or either photo has no embedding: libraries scanned before embeddings were stored are judged by
 * the code alone), else when the cosine reaches the minimum.
 */
export function passesVerification(
  a: Int8Array | null | undefined,
  b: Int8Array | null | undefined,
  minCosine: number | null,
): boolean {
  if (minCosine === null || !a || !b) return true;
  const cosine = embeddingCosine(a, b);
  return cosine === null || cosine >= minCosine - 1e-9;
}

/**
 * The embeddings of one code set, looked up by photo id: rows packed into one Int8Array (K bytes each; a
 * photo without an embedding has no row), ids kept sorted for a binary search. About K + 12 bytes a photo.
 */
export class EmbeddingTable {
  private constructor(
    private readonly ids: Float64Array,
    private readonly rows: Int8Array,
    readonly dim: number,
  ) {}

  /** From parallel arrays (any order); null entries are photos without an embedding. */
  static fromRows(ids: readonly number[], embeddings: readonly (Int8Array | null | undefined)[]): EmbeddingTable {
    const present = ids.flatMap((id, i) => (embeddings[i] ? [i] : []));
    const dim = present.length ? embeddings[present[0]]!.length : 0;
    const usable = present.filter((i) => embeddings[i]!.length === dim);
    usable.sort((x, y) => ids[x] - ids[y]);
    const sortedIds = new Float64Array(usable.length);
    const rows = new Int8Array(usable.length * dim);
    usable.forEach((i, row) => {
      sortedIds[row] = ids[i];
      rows.set(embeddings[i]!, row * dim);
    });
    return new EmbeddingTable(sortedIds, rows, dim);
  }

  /** Photos with an embedding. */
  get size(): number {
    return this.ids.length;
  }

  /** The embedding of `id` (a view, do not change it), or undefined when the photo has none. */
  get(id: number): Int8Array | undefined {
    let lo = 0;
    let hi = this.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid] < id) lo = mid + 1;
      else if (this.ids[mid] > id) hi = mid - 1;
      else return this.rows.subarray(mid * this.dim, (mid + 1) * this.dim);
    }
    return undefined;
  }
}
