/** Pieces every gradient-trained method shares: data preparation, batching, validation, progress. */
import type { HeadCompute } from '../compute/compute-graphs.js';
import type { LabelledSet } from '../data/datasets.js';
import { packCodes } from '../metrics/hamming-kernel.js';
import {
  checkConvStack,
  initHead,
  moveTowards,
  outputMask,
  standardisation,
  standardise,
  trainableArrays,
  trainableNames,
  type HeadArchitecture,
  type HeadParameters,
} from '../compute/head.js';
import { deadBitFraction } from '../methods/policy-gradient.js';
import { meanAveragePrecision } from '../metrics/ranking-metrics.js';
import { Adam } from '../compute/optimizer.js';
import { shuffleInPlace, type Random } from '../compute/rng.js';
import {
  throwIfAborted,
  type TrainedHead,
  type TrainHooks,
  type TrainOptions,
  type TrainingData,
} from './training-options.js';

export function architectureFor(options: TrainOptions, train: LabelledSet): HeadArchitecture {
  const architecture: HeadArchitecture = {
    inputDim: train.dim,
    hiddenDim: options.hiddenDim,
    bits: options.bits,
    divideAndEncode: options.divideAndEncode,
  };
  if (options.convLayers.length > 0) {
    if (!train.imageShape) throw new Error('a convolutional head needs image data (raw pixels)');
    architecture.conv = { layers: options.convLayers, ...train.imageShape };
    checkConvStack(architecture.conv);
  }
  return architecture;
}

export function newHead(options: TrainOptions, train: LabelledSet, random: Random): HeadParameters {
  const architecture = architectureFor(options, train);
  const { inputMean, inputScale } = standardisation(
    train.features,
    train.count,
    train.dim,
    architecture.conv !== undefined,
  );
  return initHead(architecture, random, inputMean, inputScale);
}

/** Rows `indices` of a row-major matrix, packed together. */
export function gatherRows(matrix: Float32Array, dim: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * dim);
  for (let i = 0; i < indices.length; i++)
    out.set(matrix.subarray(indices[i]! * dim, (indices[i]! + 1) * dim), i * dim);
  return out;
}

/** Zeroes gradient entries outside the divide-and-encode mask, so masked weights stay exactly zero. */
export function maskOutputGradient(head: HeadParameters, gradient: Float32Array): void {
  const mask = outputMask(head.architecture);
  if (!mask) return;
  for (let i = 0; i < gradient.length; i++) gradient[i]! *= mask[i]!;
}

/** MAP for progress reports: held-out if the caller gave a validation split, else training queries vs the training set. */
/** Tie-aware MAP@all of `queries` against `database`, each encoded by `head` (relevant = same label). */
export async function heldOutMap(
  compute: HeadCompute,
  head: HeadParameters,
  queries: LabelledSet,
  database: LabelledSet,
): Promise<number> {
  const bits = head.architecture.bits;
  const encode = async (set: LabelledSet) =>
    packCodes(await compute.forward(head, standardise(head, set.features), set.count), set.count, bits);
  return meanAveragePrecision(
    await encode(queries),
    queries.labels,
    await encode(database),
    database.labels,
    undefined,
    database.relation,
  );
}

export class ValidationProbe {
  private readonly trainQueryRows: Int32Array;

  constructor(
    private readonly data: TrainingData,
    random: Random,
    trainQueryCount = 500,
  ) {
    const rows = Int32Array.from({ length: data.train.count }, (_, i) => i);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    this.trainQueryRows = rows.slice(0, Math.min(trainQueryCount, rows.length)).sort();
  }

  get source(): 'validation' | 'train' {
    return this.data.validation ? 'validation' : 'train';
  }

  async measure(
    compute: HeadCompute,
    head: HeadParameters,
    standardisedTrain: Float32Array,
    trainLogits?: Float32Array,
  ): Promise<number> {
    const bits = head.architecture.bits;
    const validation = this.data.validation;
    if (validation) return heldOutMap(compute, head, validation.queries, validation.database);
    const train = this.data.train;
    const logits = trainLogits ?? (await compute.forward(head, standardisedTrain, train.count));
    const database = packCodes(logits, train.count, bits);
    const queries = packCodes(gatherRows(logits, bits, this.trainQueryRows), this.trainQueryRows.length, bits);
    const labels = Int32Array.from(this.trainQueryRows, (row) => train.labels[row]!);
    return meanAveragePrecision(queries, labels, database, train.labels, this.trainQueryRows, train.relation);
  }
}

/** Random geometric augmentation of image rows: a shift in pixels, a turn in degrees, a scale fraction. */
export interface Augmentation {
  shift: number;
  rotate: number;
  scale: number;
}

/**
 * Mini-batch inputs: rows of the standardised training matrix, or, with augmentation on an image set,
 * each row moved by a random similarity transform — translated by up to `shift` pixels, turned by up to
 * ±`rotate` degrees and scaled by 1 ± `scale` about the centre, sampled bilinearly with zero fill — and
 * then standardised. A pure shift samples exactly (whole pixels).
 */
export class BatchInputs {
  constructor(
    private readonly train: LabelledSet,
    private readonly standardised: Float32Array,
    private readonly head: HeadParameters,
    private readonly augmentation: Augmentation,
    private readonly random: Random,
  ) {}

  rows(indices: ArrayLike<number>): Float32Array {
    const shape = this.train.imageShape;
    const { shift, rotate, scale } = this.augmentation;
    if ((shift <= 0 && rotate <= 0 && scale <= 0) || !shape)
      return gatherRows(this.standardised, this.train.dim, indices);
    const { width, height } = shape;
    const dim = this.train.dim;
    const out = new Float32Array(indices.length * dim);
    const cx = (width - 1) / 2;
    const cy = (height - 1) / 2;
    for (let i = 0; i < indices.length; i++) {
      const source = this.train.features.subarray(indices[i]! * dim, (indices[i]! + 1) * dim);
      const pixel = (sx: number, sy: number) =>
        sy >= 0 && sy < height && sx >= 0 && sx < width ? source[sy * width + sx]! : 0;
      const dx = shift > 0 ? this.random.int(2 * shift + 1) - shift : 0;
      const dy = shift > 0 ? this.random.int(2 * shift + 1) - shift : 0;
      const angle = rotate > 0 ? ((2 * this.random.next() - 1) * rotate * Math.PI) / 180 : 0;
      const factor = scale > 0 ? 1 + (2 * this.random.next() - 1) * scale : 1;
      // Output (x, y) reads the source at the inverse transform: un-shift, un-turn, un-scale about the centre.
      const cos = Math.cos(angle) / factor;
      const sin = Math.sin(angle) / factor;
      const exact = angle === 0 && factor === 1;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          let value: number;
          if (exact) value = pixel(x - dx, y - dy);
          else {
            const u = x - dx - cx;
            const v = y - dy - cy;
            const sx = cos * u + sin * v + cx;
            const sy = -sin * u + cos * v + cy;
            const x0 = Math.floor(sx);
            const y0 = Math.floor(sy);
            const fx = sx - x0;
            const fy = sy - y0;
            value =
              (1 - fy) * ((1 - fx) * pixel(x0, y0) + fx * pixel(x0 + 1, y0)) +
              fy * ((1 - fx) * pixel(x0, y0 + 1) + fx * pixel(x0 + 1, y0 + 1));
          }
          const j = y * width + x;
          out[i * dim + j] = (value - this.head.inputMean[j]!) * this.head.inputScale[j]!;
        }
      }
    }
    return out;
  }
}

/** An inverted-dropout mask of `size` units: 0 with probability p, else 1/(1 − p); none when p = 0. */
export function dropoutMask(size: number, p: number, random: Random): Float32Array | undefined {
  if (p <= 0) return undefined;
  if (p >= 1) throw new RangeError(`dropout must be below 1, got ${p}`);
  const kept = 1 / (1 - p);
  return Float32Array.from({ length: size }, () => (random.next() < p ? 0 : kept));
}

/** The head a loop ends with and its metrics, the dead-bit fraction measured on the whole training set. */
export async function finishTraining(
  compute: HeadCompute,
  head: HeadParameters,
  run: { inputs: Float32Array; count: number; bits: number; started: number; steps: number },
  scores: { finalReward: number; mapValidation: number },
): Promise<TrainedHead> {
  const trainLogits = await compute.forward(head, run.inputs, run.count);
  return {
    head,
    metrics: {
      trainSeconds: (performance.now() - run.started) / 1000,
      steps: run.steps,
      ...scores,
      deadBitFraction: deadBitFraction(trainLogits, run.count, run.bits),
    },
  };
}

/** Constant, then a cosine decay over the last half: the policy settles instead of jittering at the end. */
export function learningRateSchedule(epoch: number, epochs: number): number {
  const start = Math.floor(epochs / 2);
  if (epoch <= start) return 1;
  return 0.5 * (1 + Math.cos((Math.PI * (epoch - start)) / (epochs - start + 1)));
}

/** What one gradient-trained method brings to the shared loop (`runTrainingLoop`). */
export interface LoopMethod {
  /** The batch's gradient with respect to its logits, and the batch's score (mean reward, or minus the loss). */
  batchGradient(rows: Int32Array, logits: Float32Array): Promise<{ logitGradient: Float32Array; score: number }>;
  /** After the weights moved, with the batch's logits from before the step. */
  afterStep?(rows: Int32Array, logits: Float32Array): void;
  /** Re-encodes the training set with the reference (database) network, which has just moved towards `net`. */
  refreshReference(): Promise<void>;
  /**
   * The last batch's gradients of trained arrays the layers' backward pass does not reach (a sequential policy's,
   * trainableArrays' order after the layers'), computed in `batchGradient`.
   */
  policyGradients?(): Float32Array[];
}

export interface LoopSetup {
  data: TrainingData;
  options: TrainOptions;
  hooks: TrainHooks;
  random: Random;
  /** `performance.now()` when the run started (training time includes the setup). */
  started: number;
  compute: HeadCompute;
  /**
   * What validation and the finishing pass encode with, where it differs from `compute`: the whole head, a sequential
   * policy included, while `compute` gives the layers' logits the method trains from.
   */
  evaluation?: HeadCompute;
  /** The trained network, and the slowly-updated copy the method compares against. */
  net: HeadParameters;
  referenceNet: HeadParameters;
  /** The standardised training inputs. */
  inputs: Float32Array;
}

/**
 * The loop every gradient-trained method shares: epochs of shuffled mini-batches, Adam with the learning-rate
 * schedule, the reference network moved towards the trained one every `databaseRefreshSteps`, validation and
 * progress after each epoch, cancellation between batches, and the finishing pass.
 */
export async function runTrainingLoop(setup: LoopSetup, method: LoopMethod): Promise<TrainedHead> {
  const { data, options, hooks, random, compute, net, referenceNet, inputs } = setup;
  const evaluation = setup.evaluation ?? compute;
  const outputWeights = trainableNames(net.architecture).indexOf('outputWeights');
  const { train } = data;
  const probe = new ValidationProbe(data, random);
  const batches = new BatchInputs(
    train,
    inputs,
    net,
    { shift: options.augmentShift, rotate: options.augmentRotate, scale: options.augmentScale },
    random,
  );
  const optimiser = new Adam(trainableArrays(net), options.learningRate, options.weightDecay);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const batchesPerEpoch = Math.ceil(train.count / options.batchSize);
  let step = 0;
  let lastReward = 0;
  let mapValidation = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    shuffleInPlace(order, random);
    let scoreSum = 0;
    for (let b = 0; b < batchesPerEpoch; b++) {
      throwIfAborted(hooks.signal);
      const rows = Int32Array.from(order.slice(b * options.batchSize, (b + 1) * options.batchSize));
      const x = batches.rows(rows);
      const mask = dropoutMask(rows.length * net.architecture.hiddenDim, options.dropout, random);
      const logits = await compute.forward(net, x, rows.length, mask);
      const { logitGradient, score } = await method.batchGradient(rows, logits);
      scoreSum += score;
      const g = await compute.backward(net, x, rows.length, logitGradient, mask);
      g.push(...(method.policyGradients?.() ?? []));
      maskOutputGradient(net, g[outputWeights]!);
      optimiser.step(trainableArrays(net), g, learningRateSchedule(epoch, options.epochs));
      method.afterStep?.(rows, logits);
      step++;
      if (step % options.databaseRefreshSteps === 0) {
        moveTowards(referenceNet, net, options.databaseMomentum);
        await method.refreshReference();
      }
    }
    lastReward = scoreSum / batchesPerEpoch;
    mapValidation = await probe.measure(evaluation, net, inputs);
    hooks.onProgress?.({ epoch, step, reward: lastReward, mapValidation, mapSource: probe.source });
  }
  return finishTraining(
    evaluation,
    net,
    { inputs, count: train.count, bits: options.bits, started: setup.started, steps: step },
    { finalReward: lastReward, mapValidation },
  );
}
