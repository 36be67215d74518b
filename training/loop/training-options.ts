/** What a training run takes and reports, shared by the trainers, the worker and the benchmark. */
import type { LabelledSet } from '../data/datasets.js';
import type { ConvLayer, HeadParameters } from '../compute/head.js';
import type { PolicyOptions } from '../methods/policy-gradient.js';

export const METHODS = ['dph', 'drlih', 'dpsh', 'exponentiated', 'lsh', 'itq'] as const;
export type Method = (typeof METHODS)[number];

/** DRLIH's sequential policy (training/methods/train-drlih.ts). */
export interface DrlihOptions {
  /** Width of the policy's recurrent state. */
  hidden: number;
  /** Bits decided together at each step (1: one bit a step, no action groups); divides the code length. */
  group: number;
  /**
   * Credit each group with the triplet step rewards from it on, besides the final reward (default false: the final
   * reward alone, which ranked better on all three datasets at 10 of 12 lengths: training/README.md).
   */
  stepRewards: boolean;
}

export interface TrainOptions {
  method: Method;
  bits: number;
  /** Hidden ReLU layer width (0 = linear head). Ignored by LSH/ITQ, which are linear by definition. */
  hiddenDim: number;
  /** Raw-image sets only: the convolution stack before the dense layers (empty = none). */
  convLayers: ConvLayer[];
  /** Divide-and-encode output layer (Lin, Li, Tang). */
  divideAndEncode: boolean;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  seed: number;
  /** Class-imbalance weighting exponent: weights ∝ (N / (C·n_class))^power; 0 = off. */
  classBalancePower: number;
  /** Steps between database-network (or reference-output) refreshes. */
  databaseRefreshSteps: number;
  /** Refresh rate: 1 = copy the query network, < 1 = exponential moving average. */
  databaseMomentum: number;
  /** The policy's samples per query and bit balance serve DRLIH too (its trajectories per query). */
  policy: PolicyOptions;
  /** DRLIH's sequential policy (`method: 'drlih'`). */
  drlih: DrlihOptions;
  /** Quantisation weight η of the pairwise losses. */
  pairwiseQuantisationWeight: number;
  /** Image sets only: each training query is shifted by up to this many pixels (0 = off). */
  augmentShift: number;
  /** Fraction of the hidden layer's units dropped in each training batch (inverted dropout; 0 = off; needs hiddenDim > 0). */
  dropout: number;
  /** Image sets only: each training query is also turned by up to ± this many degrees (0 = off). */
  augmentRotate: number;
  /** Image sets only: each training query is also scaled by a factor in [1 − s, 1 + s] (0 = off). */
  augmentScale: number;
  /** onnxruntime intra-op threads (default: its own choice). */
  threads?: number;
}

export const DEFAULT_OPTIONS: TrainOptions = {
  method: 'dph',
  bits: 32,
  hiddenDim: 0,
  convLayers: [],
  divideAndEncode: false,
  epochs: 30,
  batchSize: 64,
  learningRate: 1e-3,
  weightDecay: 1e-4,
  seed: 1,
  classBalancePower: 0,
  databaseRefreshSteps: 20,
  databaseMomentum: 1,
  policy: {
    samplesPerQuery: 8,
    baseline: 'leave-one-out',
    bitBalanceWeight: 0.1,
    quantisationWeight: 0,
    entropyWeight: 0,
    centreWeight: 0,
    errorAwareQuantisation: false,
    gradientAmplifier: null,
  },
  drlih: { hidden: 32, group: 4, stepRewards: false },
  pairwiseQuantisationWeight: 0.01,
  augmentShift: 0,
  dropout: 0,
  augmentRotate: 0,
  augmentScale: 0,
};

export interface TrainingData {
  train: LabelledSet;
  /** Held-out queries and database for `mapValidation`; without it, MAP of training queries against the training set. */
  validation?: { queries: LabelledSet; database: LabelledSet };
}

export interface TrainProgress {
  epoch: number;
  step: number;
  /** Mean sampled reward (DPH) or minus the loss (pairwise) over the epoch. */
  reward: number;
  mapValidation: number;
  /** Whether mapValidation is held out ('validation') or measured on training items ('train'). */
  mapSource: 'validation' | 'train';
}

export interface TrainHooks {
  signal?: AbortSignal;
  onProgress?: (progress: TrainProgress) => void;
}

export interface TrainedHead {
  head: HeadParameters;
  metrics: {
    trainSeconds: number;
    steps: number;
    finalReward: number;
    mapValidation: number;
    /** Fraction of bits with |mean(2p − 1)| > 0.95 over the training set. */
    deadBitFraction: number;
  };
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException('training cancelled', 'AbortError');
}
