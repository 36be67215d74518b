/** One entry point for every method: trains in this thread and returns the head plus its metrics. */
import { HeadCompute } from '../compute/compute-graphs.js';
import { trainItq, trainLsh } from '../methods/projection-baselines.js';
import { deadBitFraction } from '../methods/policy-gradient.js';
import { standardise } from '../compute/head.js';
import { trainPairwiseHead } from '../methods/train-pairwise.js';
import { trainPolicyHead } from '../methods/train-policy.js';
import { trainDrlihHead } from '../methods/train-drlih.js';
import {
  throwIfAborted,
  type TrainedHead,
  type TrainHooks,
  type TrainingData,
  type TrainOptions,
} from './training-options.js';
import { ValidationProbe } from './training-loop.js';
import { createRandom } from '../compute/rng.js';

export async function trainHeadInProcess(
  data: TrainingData,
  options: TrainOptions,
  hooks: TrainHooks = {},
): Promise<TrainedHead> {
  throwIfAborted(hooks.signal);
  switch (options.method) {
    case 'dph':
      return trainPolicyHead(data, options, hooks);
    case 'drlih':
      return trainDrlihHead(data, options, hooks);
    case 'dpsh':
    case 'exponentiated':
      return trainPairwiseHead(options.method, data, options, hooks);
    case 'lsh':
    case 'itq': {
      const started = performance.now();
      const head =
        options.method === 'lsh'
          ? trainLsh(data.train, options.bits, options.seed)
          : await trainItq(data.train, options.bits, options.seed, { threads: options.threads, signal: hooks.signal });
      const trainSeconds = (performance.now() - started) / 1000;
      // Measured after the clock stops: evaluation is not training time.
      const compute = await HeadCompute.open(head.architecture, options.threads);
      try {
        const inputs = standardise(head, data.train.features);
        const logits = await compute.forward(head, inputs, data.train.count);
        const probe = new ValidationProbe(data, createRandom(options.seed));
        const mapValidation = await probe.measure(compute, head, inputs, logits);
        hooks.onProgress?.({ epoch: 1, step: 1, reward: 0, mapValidation, mapSource: probe.source });
        return {
          head,
          metrics: {
            trainSeconds,
            steps: 1,
            finalReward: 0,
            mapValidation,
            deadBitFraction: deadBitFraction(logits, data.train.count, options.bits),
          },
        };
      } finally {
        await compute.release();
      }
    }
  }
}
