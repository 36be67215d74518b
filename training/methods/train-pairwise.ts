/**
 * The pairwise baselines on the same head: DPSH's likelihood loss and the exponentiated hashing loss
 * with its bilinear smooth approximation. Like DPSH's U matrix, each batch is compared with stored
 * outputs of the whole training set, refreshed every `databaseRefreshSteps` and row-by-row for the batch.
 */
import { isRelated, type LabelRelation } from '../metrics/relevance.js';
import { HeadCompute, PairwiseLossCompute } from '../compute/compute-graphs.js';
import { cloneHead, standardise } from '../compute/head.js';
import { classBalanceWeights } from './policy-gradient.js';
import { createRandom } from '../compute/rng.js';
import { newHead, runTrainingLoop } from '../loop/training-loop.js';
import type { TrainedHead, TrainHooks, TrainingData, TrainOptions } from '../loop/training-options.js';

/** What the loss compares against: raw outputs u = z for DPSH, h = tanh(z) for the exponentiated loss. */
function referenceOutputs(kind: 'dpsh' | 'exponentiated', logits: Float32Array): Float32Array {
  return kind === 'dpsh' ? logits : logits.map(Math.tanh);
}

export async function trainPairwiseHead(
  kind: 'dpsh' | 'exponentiated',
  data: TrainingData,
  options: TrainOptions,
  hooks: TrainHooks = {},
): Promise<TrainedHead> {
  const started = performance.now();
  const random = createRandom(options.seed);
  const { train } = data;
  const bits = options.bits;
  const net = newHead(options, train, random);
  const referenceNet = cloneHead(net);
  const inputs = standardise(net, train.features);
  const classWeights = classBalanceWeights(train.labels, options.classBalancePower);
  const compute = await HeadCompute.open(net.architecture, options.threads, options.dropout > 0);
  const loss = await PairwiseLossCompute.open(kind, bits, options.pairwiseQuantisationWeight, options.threads);
  const encodeReference = async () => referenceOutputs(kind, await compute.forward(referenceNet, inputs, train.count));
  try {
    let reference = await encodeReference();
    // Awaited here: the `finally` below releases the graphs the loop needs.
    return await runTrainingLoop(
      { data, options, hooks, random, started, compute, net, referenceNet, inputs },
      {
        async batchGradient(rows, logits) {
          const { similar, weights } = pairMatrices(
            rows,
            train.labels,
            classWeights,
            kind === 'exponentiated',
            train.relation,
          );
          const result = await loss.run(logits, rows.length, reference, train.count, similar, weights);
          return { logitGradient: result.logitGradient, score: -result.loss };
        },
        // DPSH updates the stored outputs of the batch it just saw.
        afterStep(rows, logits) {
          const fresh = referenceOutputs(kind, logits);
          rows.forEach((row, i) => reference.set(fresh.subarray(i * bits, (i + 1) * bits), row * bits));
        },
        async refreshReference() {
          reference = await encodeReference();
        },
      },
    );
  } finally {
    await Promise.all([compute.release(), loss.release()]);
  }
}

/**
 * Similarity s_ij (same label, or related labels) and pair weights for a batch against the whole training set: the
 * product of the two items' class weights, 0 for an item paired with itself, and optionally
 * positives up-weighted so positive and negative pairs carry equal total weight.
 */
export function pairMatrices(
  rows: Int32Array,
  labels: Int32Array,
  classWeights: Float32Array,
  balancePositives: boolean,
  /** Which labels are relevant to which (training/metrics/relevance.ts); absent: the same label. */
  relation?: LabelRelation,
) {
  const count = labels.length;
  const similar = new Float32Array(rows.length * count);
  const weights = new Float32Array(rows.length * count);
  let positive = 0;
  let negative = 0;
  rows.forEach((row, i) => {
    const label = labels[row]!;
    const wi = classWeights[row]!;
    for (let j = 0; j < count; j++) {
      if (j === row) continue;
      const same = isRelated(relation, label, labels[j]!);
      similar[i * count + j] = same ? 1 : 0;
      const w = wi * classWeights[j]!;
      weights[i * count + j] = w;
      if (same) positive += w;
      else negative += w;
    }
  });
  if (balancePositives && positive > 0) {
    const boost = negative / positive;
    for (let k = 0; k < similar.length; k++) if (similar[k] === 1) weights[k]! *= boost;
  }
  return { similar, weights };
}
