/**
 * Retrieval metrics on unit-norm descriptors (cosine = dot product, computed by onnxruntime): class MAP@all
 * and near-duplicate retrieval. Used by the backbone benchmark; reusable by the dedup benchmark.
 */
import { averagePrecision } from './average-precision.js';
import { openSession } from '../../model/encoder.js';
import { GraphBuilder } from '../../model/onnx/graph.js';

/** Cosine similarities (descriptors are unit-norm) of every query row against every database row, by onnxruntime. */
export async function cosineSimilarities(
  queries: Float32Array,
  database: Float32Array,
  dim: number,
): Promise<Float32Array> {
  const g = new GraphBuilder('cosine');
  g.input('q', 'float32', ['nq', dim]);
  g.input('d', 'float32', ['nd', dim]);
  g.node('Gemm', ['q', 'd'], ['s'], { transB: 1 });
  g.output('s', 'float32', ['nq', 'nd']);
  const session = await openSession(g.toBytes());
  const { s } = await session.run({
    q: { data: queries, dims: [queries.length / dim, dim] },
    d: { data: database, dims: [database.length / dim, dim] },
  });
  await session.release();
  return s.data;
}

function rankOrder(scores: Float32Array): Int32Array {
  const order = Int32Array.from(scores.keys());
  order.sort((a, b) => scores[b] - scores[a]);
  return order;
}

/** MAP@all of ranking the database by cosine for each query (relevant = same label). */
export async function classMeanAveragePrecision(
  q: Float32Array,
  db: Float32Array,
  dim: number,
  qLabels: number[],
  dbLabels: number[],
): Promise<number> {
  const s = await cosineSimilarities(q, db, dim);
  let sum = 0;
  for (let i = 0; i < qLabels.length; i++) {
    const order = rankOrder(s.subarray(i * dbLabels.length, (i + 1) * dbLabels.length));
    sum += averagePrecision(Array.from(order, (j) => dbLabels[j] === qLabels[i]));
  }
  return sum / qLabels.length;
}

/**
 * Rank (1 = first) of each edited copy's original among the originals and the distractors, and the AP of
 * all (copy, gallery) pairs ranked together (positives: copy–original), over the copies `counted` selects.
 */
export async function duplicateRetrieval(
  edits: Float32Array,
  gallery: Float32Array,
  dim: number,
  originalOf: number[],
  counted: boolean[],
): Promise<{ ranks: number[]; pairAp: number }> {
  const n = gallery.length / dim;
  const s = await cosineSimilarities(edits, gallery, dim);
  const ranks = originalOf.map((original, i) => {
    const row = s.subarray(i * n, (i + 1) * n);
    let rank = 1;
    for (let j = 0; j < n; j++) if (j !== original && row[j] > row[original]) rank++;
    return rank;
  });
  const pairs: { score: number; positive: boolean }[] = [];
  originalOf.forEach((original, i) => {
    if (!counted[i]) return;
    for (let j = 0; j < n; j++) pairs.push({ score: s[i * n + j], positive: j === original });
  });
  pairs.sort((a, b) => b.score - a.score);
  return { ranks, pairAp: averagePrecision(pairs.map((x) => x.positive)) };
}
