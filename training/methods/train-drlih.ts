/**
 * Deep Reinforcement Learning for Image Hashing (DRLIH: Peng, Zhang, Ye 2018) in the trainer's loop: the hashing head's
 * layers give each bit's evidence z_img, and a recurrent policy (training/compute/sequential.ts) emits the code one
 * action group at a time, each group's logits corrected by the state of the groups before it. Trained by REINFORCE:
 *
 * - S trajectories per query are sampled (each group's bits drawn from its Bernoulli policy in turn);
 * - the final reward of a trajectory is the tie-aware AP of its whole code ranking the database, as in DPH, where the
 *   database is the training set encoded greedily by a slowly-updated copy of the network (the reference);
 * - the step reward of group t is the change it makes to a triplet criterion, the mean Hamming distance to the query's
 *   irrelevant items minus that to its relevant ones: bit k adds (2aₖ − 1)·(f⁺ₖ − f⁻ₖ)/K, f± the fraction of relevant
 *   (irrelevant) database items whose bit k is 1 — a criterion that is a sum over bits, so each group's share is its
 *   own;
 * - group t's return is the final reward plus the step rewards from t on (without step rewards, the final reward
 *   alone), its baseline the mean return of the query's other trajectories at that step;
 * - ∂loss/∂zₖ = −(Gₜ − bₜ)(aₖ − pₖ)/(B·S) for bit k of group t, plus DPH's bit-balance pull; it reaches the policy's
 *   weights through time (SequentialCompute.backward) and the layers through z_img (the head's backward graph).
 */
import { HeadCompute } from '../compute/compute-graphs.js';
import { cloneHead, type HeadParameters, layersOf, standardise } from '../compute/head.js';
import type { LabelledSet } from '../data/datasets.js';
import { createRandom, type Random } from '../compute/rng.js';
import {
  checkSequential,
  initSequential,
  SequentialCompute,
  type SequentialArchitecture,
  type SequentialParameters,
} from '../compute/sequential.js';
import { tieAwareAveragePrecision } from '../metrics/average-precision.js';
import { distanceHistograms, packCodes, type PackedCodes } from '../metrics/hamming-kernel.js';
import { type LabelRelation, relatedRow } from '../metrics/relevance.js';
import { newHead, runTrainingLoop } from '../loop/training-loop.js';
import type { TrainedHead, TrainHooks, TrainingData, TrainOptions } from '../loop/training-options.js';

/**
 * How often each bit is 1 among the database items of each label: `ones[label·bits + k]`, `count[label]` (and the
 * totals), from which a query's relevant and irrelevant fractions follow.
 */
export interface LabelBitCounts {
  bits: number;
  labels: number;
  ones: Float64Array;
  count: Float64Array;
  totalOnes: Float64Array;
  total: number;
}

export function labelBitCounts(database: PackedCodes, labels: Int32Array, labelCount: number): LabelBitCounts {
  const { bits, wordsPerCode, count, words } = database;
  const ones = new Float64Array(labelCount * bits);
  const perLabel = new Float64Array(labelCount);
  const totalOnes = new Float64Array(bits);
  for (let i = 0; i < count; i++) {
    const label = labels[i]!;
    perLabel[label]!++;
    for (let k = 0; k < bits; k++) {
      if ((words[i * wordsPerCode + (k >>> 5)]! >>> (k & 31)) & 1) {
        ones[label * bits + k]!++;
        totalOnes[k]!++;
      }
    }
  }
  return { bits, labels: labelCount, ones, count: perLabel, totalOnes, total: count };
}

/**
 * f⁺ₖ − f⁻ₖ for a query of `label`: the fraction of its relevant database items whose bit k is 1, minus that of its
 * irrelevant ones (`self`: the query's own database row, left out). A bit the two sets split alike scores 0.
 */
export function bitRelevance(
  stats: LabelBitCounts,
  label: number,
  relation: LabelRelation | undefined,
  self: { code: PackedCodes; row: number } | null,
  out = new Float64Array(stats.bits),
): Float64Array {
  const { bits } = stats;
  const related = relatedRow(relation, label);
  let relevantCount = 0;
  out.fill(0);
  for (let l = 0; l < stats.labels; l++) {
    if (related ? related[l] !== 1 : l !== label) continue;
    relevantCount += stats.count[l]!;
    for (let k = 0; k < bits; k++) out[k]! += stats.ones[l * bits + k]!;
  }
  const selfBit = (k: number) => {
    if (!self) return 0;
    const { words, wordsPerCode } = self.code;
    return (words[self.row * wordsPerCode + (k >>> 5)]! >>> (k & 31)) & 1;
  };
  if (self) relevantCount--;
  const irrelevantCount = stats.total - (self ? 1 : 0) - relevantCount;
  for (let k = 0; k < bits; k++) {
    const relevantOnes = out[k]! - selfBit(k);
    const irrelevantOnes = stats.totalOnes[k]! - out[k]!;
    const fPlus = relevantCount > 0 ? relevantOnes / relevantCount : 0.5;
    const fMinus = irrelevantCount > 0 ? irrelevantOnes / irrelevantCount : 0.5;
    out[k] = fPlus - fMinus;
  }
  return out;
}

export interface DrlihBatch {
  /** The layers' logits z_img [batch, bits] of the batch's queries. */
  layerLogits: Float32Array;
  batch: number;
  bits: number;
  queryLabels: Int32Array;
  /** Each query's row in the database (left out of its own ranking and statistics), or −1. */
  querySelfIndex: Int32Array;
  database: PackedCodes;
  databaseLabels: Int32Array;
  stats: LabelBitCounts;
  relation?: LabelRelation;
}

export interface DrlihStepResult {
  /** ∂loss/∂z_img [batch, bits] for the layers' backward pass. */
  logitGradient: Float32Array;
  /** ∂loss/∂ the policy's weights (A, B, c, V). */
  policyGradients: Float32Array[];
  /** Mean final reward (AP) of the sampled codes. */
  meanReward: number;
}

/** One batch: samples trajectories, scores them, and returns the gradients of the loss. */
export async function drlihStep(
  input: DrlihBatch,
  policy: { architecture: SequentialArchitecture; weights: SequentialParameters; compute: SequentialCompute },
  options: { samples: number; stepRewards: boolean; bitBalanceWeight: number },
  random: Random,
): Promise<DrlihStepResult> {
  const { batch, bits, layerLogits, database } = input;
  const S = options.samples;
  const group = policy.architecture.group;
  const steps = bits / group;
  const rows = batch * S;
  // Every query's logits once per trajectory, and the trajectories' noise.
  const repeated = new Float32Array(rows * bits);
  for (let q = 0; q < batch; q++)
    for (let s = 0; s < S; s++) repeated.set(layerLogits.subarray(q * bits, (q + 1) * bits), (q * S + s) * bits);
  const noise = Float32Array.from({ length: rows * bits }, () => random.next());
  const trajectories = await policy.compute.forward(policy.weights, repeated, rows, { noise });
  const { actions, p } = trajectories;
  const codes = packCodes(actions, rows, bits, 0.5);

  const relevant = new Float64Array(bits + 1);
  const total = new Float64Array(bits + 1);
  const relevance = new Float64Array(bits);
  const returns = new Float64Array(rows * steps);
  let rewardSum = 0;
  for (let q = 0; q < batch; q++) {
    const label = input.queryLabels[q]!;
    const selfRow = input.querySelfIndex[q]!;
    if (options.stepRewards)
      bitRelevance(
        input.stats,
        label,
        input.relation,
        selfRow >= 0 ? { code: database, row: selfRow } : null,
        relevance,
      );
    for (let s = 0; s < S; s++) {
      const n = q * S + s;
      distanceHistograms(
        codes.words,
        n * codes.wordsPerCode,
        database,
        input.databaseLabels,
        label,
        relevant,
        total,
        selfRow,
        relatedRow(input.relation, label),
      );
      const final = tieAwareAveragePrecision(relevant, total);
      rewardSum += final;
      // Returns from the last group back: the final reward plus the step rewards from each group on.
      let toGo = final;
      for (let t = steps - 1; t >= 0; t--) {
        if (options.stepRewards)
          for (let k = t * group; k < (t + 1) * group; k++)
            toGo += ((2 * actions[n * bits + k]! - 1) * relevance[k]!) / bits;
        returns[n * steps + t] = toGo;
      }
    }
  }

  const gz = new Float32Array(rows * bits);
  for (let q = 0; q < batch; q++) {
    for (let t = 0; t < steps; t++) {
      let sum = 0;
      for (let s = 0; s < S; s++) sum += returns[(q * S + s) * steps + t]!;
      for (let s = 0; s < S; s++) {
        const n = q * S + s;
        const advantage = returns[n * steps + t]! - (S > 1 ? (sum - returns[n * steps + t]!) / (S - 1) : 0);
        for (let k = t * group; k < (t + 1) * group; k++)
          gz[n * bits + k] = (-advantage * (actions[n * bits + k]! - p[n * bits + k]!)) / rows;
      }
    }
  }
  if (options.bitBalanceWeight > 0) {
    // DPH's pull of each bit's mean probability towards ½ (loss λ·Σₖ (mean pₖ − ½)²), over every trajectory.
    for (let k = 0; k < bits; k++) {
      let mean = 0;
      for (let n = 0; n < rows; n++) mean += p[n * bits + k]! / rows;
      const scale = (options.bitBalanceWeight * 2 * (mean - 0.5)) / rows;
      for (let n = 0; n < rows; n++) gz[n * bits + k]! += scale * p[n * bits + k]! * (1 - p[n * bits + k]!);
    }
  }
  const policyGradients = await policy.compute.backward(policy.weights, gz, actions, trajectories.states, rows);
  // z_img enters every trajectory's logits additively: its gradient is the sum over the query's trajectories.
  const logitGradient = new Float32Array(batch * bits);
  for (let n = 0; n < rows; n++) {
    const q = Math.floor(n / S);
    for (let k = 0; k < bits; k++) logitGradient[q * bits + k]! += gz[n * bits + k]!;
  }
  return { logitGradient, policyGradients, meanReward: rewardSum / rows };
}

/**
 * A new head under a sequential policy: the layers `newHead` makes (drawing from `random`), and the policy
 * (`options.drlih`) from its own stream, so the layers' initialisation and the samples stay those of a DPH run with the
 * same seed.
 */
export function newSequentialHead(options: TrainOptions, train: LabelledSet, random: Random): HeadParameters {
  const architecture: SequentialArchitecture = { hidden: options.drlih.hidden, group: options.drlih.group };
  checkSequential(architecture, options.bits);
  const net = newHead(options, train, random);
  net.architecture = { ...net.architecture, sequential: architecture };
  net.sequential = initSequential(architecture, options.bits, createRandom(options.seed + 202));
  return net;
}

export async function trainDrlihHead(
  data: TrainingData,
  options: TrainOptions,
  hooks: TrainHooks = {},
): Promise<TrainedHead> {
  const started = performance.now();
  const random = createRandom(options.seed);
  const { train } = data;
  const bits = options.bits;
  const net = newSequentialHead(options, train, random);
  const architecture = net.architecture.sequential!;
  const referenceNet = cloneHead(net);
  const inputs = standardise(net, train.features);
  const labelCount = train.relation?.count ?? train.labels.reduce((max, l) => Math.max(max, l), -1) + 1;
  const [layers, evaluation, sequential] = await Promise.all([
    HeadCompute.open(layersOf(net.architecture), options.threads, options.dropout > 0),
    HeadCompute.open(net.architecture, options.threads),
    SequentialCompute.open(architecture, bits, options.threads),
  ]);
  const encodeDatabase = async () =>
    packCodes(await evaluation.forward(referenceNet, inputs, train.count), train.count, bits);
  try {
    let database = await encodeDatabase();
    let stats = labelBitCounts(database, train.labels, labelCount);
    let policyGradients: Float32Array[] = [];
    // Awaited here: the `finally` below releases the graphs the loop needs.
    return await runTrainingLoop(
      { data, options, hooks, random, started, compute: layers, evaluation, net, referenceNet, inputs },
      {
        async batchGradient(rows, layerLogits) {
          const step = await drlihStep(
            {
              layerLogits,
              batch: rows.length,
              bits,
              queryLabels: Int32Array.from(rows, (r) => train.labels[r]!),
              querySelfIndex: rows,
              database,
              databaseLabels: train.labels,
              stats,
              relation: train.relation,
            },
            { architecture, weights: net.sequential!, compute: sequential },
            {
              samples: options.policy.samplesPerQuery,
              stepRewards: options.drlih.stepRewards,
              bitBalanceWeight: options.policy.bitBalanceWeight,
            },
            random,
          );
          policyGradients = step.policyGradients;
          return { logitGradient: step.logitGradient, score: step.meanReward };
        },
        policyGradients: () => policyGradients,
        async refreshReference() {
          database = await encodeDatabase();
          stats = labelBitCounts(database, train.labels, labelCount);
        },
      },
    );
  } finally {
    await Promise.all([layers.release(), evaluation.release(), sequential.release()]);
  }
}
