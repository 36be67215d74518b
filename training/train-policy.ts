/**
 * The Deep Policy Hashing loop: a query network trained by REINFORCE against a slowly-updated
 * database network that encodes every training item (the whole rank list, not a mini-batch).
 */
import { HeadCompute } from './compute-graphs.js';
import { packCodes } from './hamming-kernel.js';
import { cloneHead, moveTowards, standardise, trainableArrays } from './head.js';
import { Adam } from './optimizer.js';
import { classBalanceWeights, policyStep } from './policy-gradient.js';
import { createRandom, shuffleInPlace } from './rng.js';
import {
  BatchInputs,
  finishTraining,
  gradientList,
  maskOutputGradient,
  newHead,
  ValidationProbe,
} from './training-loop.js';
import {
  throwIfAborted,
  type TrainedHead,
  type TrainHooks,
  type TrainingData,
  type TrainOptions,
} from './training-options.js';

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
  const compute = await HeadCompute.open(queryNet.architecture, options.threads);
  const probe = new ValidationProbe(data, random);
  const batches = new BatchInputs(train, inputs, queryNet, options.augmentShift, random);
  try {
    const optimiser = new Adam(trainableArrays(queryNet), options.learningRate, options.weightDecay);
    let database = packCodes(await compute.forward(databaseNet, inputs, train.count), train.count, bits);
    const order = Array.from({ length: train.count }, (_, i) => i);
    const batchesPerEpoch = Math.ceil(train.count / options.batchSize);
    let step = 0;
    let lastReward = 0;
    let mapValidation = 0;
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      shuffleInPlace(order, random);
      let rewardSum = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        throwIfAborted(hooks.signal);
        const rows = Int32Array.from(order.slice(b * options.batchSize, (b + 1) * options.batchSize));
        const x = batches.rows(rows);
        const logits = await compute.forward(queryNet, x, rows.length);
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
          },
          options.policy,
          random,
        );
        rewardSum += meanReward;
        const g = await compute.backward(queryNet, x, rows.length, logitGradient);
        maskOutputGradient(queryNet, g.outputWeights!);
        optimiser.step(
          trainableArrays(queryNet),
          gradientList(queryNet, g),
          learningRateSchedule(epoch, options.epochs),
        );
        step++;
        if (step % options.databaseRefreshSteps === 0) {
          moveTowards(databaseNet, queryNet, options.databaseMomentum);
          database = packCodes(await compute.forward(databaseNet, inputs, train.count), train.count, bits);
        }
      }
      lastReward = rewardSum / batchesPerEpoch;
      mapValidation = await probe.measure(compute, queryNet, inputs);
      hooks.onProgress?.({ epoch, step, reward: lastReward, mapValidation, mapSource: probe.source });
    }
    // Awaited here: the `finally` below releases the graphs the last forward pass needs.
    return await finishTraining(
      compute,
      queryNet,
      { inputs, count: train.count, bits, started, steps: step },
      { finalReward: lastReward, mapValidation },
    );
  } finally {
    await compute.release();
  }
}

/** Constant, then a cosine decay over the last half: the policy settles instead of jittering at the end. */
export function learningRateSchedule(epoch: number, epochs: number): number {
  const start = Math.floor(epochs / 2);
  if (epoch <= start) return 1;
  return 0.5 * (1 + Math.cos((Math.PI * (epoch - start)) / (epochs - start + 1)));
}
