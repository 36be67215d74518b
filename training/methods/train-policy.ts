/**
 * The Deep Policy Hashing loop: a query network trained by REINFORCE against a slowly-updated
 * database network that encodes every training item (the whole rank list, not a mini-batch).
 */
import { HeadCompute } from '../compute/compute-graphs.js';
import { packCodes } from '../metrics/hamming-kernel.js';
import { cloneHead, standardise } from '../compute/head.js';
import { classBalanceWeights, hashCentres, policyStep } from './policy-gradient.js';
import { createRandom } from '../compute/rng.js';
import { newHead, runTrainingLoop } from '../loop/training-loop.js';
import type { TrainedHead, TrainHooks, TrainingData, TrainOptions } from '../loop/training-options.js';

export async function trainPolicyHead(
  data: TrainingData,
  options: TrainOptions,
  hooks: TrainHooks = {},
): Promise<TrainedHead> {
  const started = performance.now();
  const random = createRandom(options.seed);
  const { train } = data;
  const bits = options.bits;
  const queryNet = newHead(options, train, random);
  const databaseNet = cloneHead(queryNet);
  const inputs = standardise(queryNet, train.features);
  const weights = classBalanceWeights(train.labels, options.classBalancePower);
  // Drawn from their own stream, so the split, initialisation and samples stay those of a run without them.
  const centres =
    options.policy.centreWeight > 0 ? hashCentres(train.labels, bits, createRandom(options.seed + 101)) : null;
  const compute = await HeadCompute.open(queryNet.architecture, options.threads, options.dropout > 0);
  const encodeDatabase = async () =>
    packCodes(await compute.forward(databaseNet, inputs, train.count), train.count, bits);
  try {
    let database = await encodeDatabase();
    // Awaited here: the `finally` below releases the graphs the loop needs.
    return await runTrainingLoop(
      { data, options, hooks, random, started, compute, net: queryNet, referenceNet: databaseNet, inputs },
      {
        async batchGradient(rows, logits) {
          const { logitGradient, meanReward } = policyStep(
            {
              logits,
              batch: rows.length,
              bits,
              queryLabels: Int32Array.from(rows, (r) => train.labels[r]!),
              querySelfIndex: rows,
              queryWeights: Float32Array.from(rows, (r) => weights[r]!),
              database,
              databaseLabels: train.labels,
              relation: train.relation,
              queryCentres: centres
                ? Uint8Array.from(
                    { length: rows.length * bits },
                    (_, j) => centres.get(train.labels[rows[Math.floor(j / bits)]!]!)![j % bits]!,
                  )
                : undefined,
            },
            options.policy,
            random,
          );
          return { logitGradient, score: meanReward };
        },
        async refreshReference() {
          database = await encodeDatabase();
        },
      },
    );
  } finally {
    await compute.release();
  }
}
