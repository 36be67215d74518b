/**
 * Deep Policy Hashing's listwise policy step (Wang, Lai, Yang, Yin 2019), in plain arithmetic:
 * the query net's bit probabilities p = σ(z) are a Bernoulli policy; several codes are sampled per
 * query; each sample's reward is the tie-aware AP of ranking the whole database (encoded by the
 * database net) by Hamming distance; REINFORCE with a baseline gives ∂E[r]/∂z ≈ (r − b)(bits − p).
 * The big matrix products live in compute-graphs.ts; this is O(batch · samples · database) popcounts.
 */
import { type LabelRelation, relatedRow } from '../metrics/relevance.js';
import { tieAwareAveragePrecision } from '../metrics/average-precision.js';
import {
  distanceHistograms,
  hammingDistance,
  packCodes,
  popcount32,
  wordsForBits,
  type PackedCodes,
} from '../metrics/hamming-kernel.js';
import type { Random } from '../compute/rng.js';

export interface PolicyOptions {
  samplesPerQuery: number;
  /**
   * Each sample's REINFORCE baseline: 'leave-one-out' (the mean reward of the query's other samples) or
   * 'greedy' (the reward of the thresholded code, the one the query gets at inference: self-critical training,
   * Rennie et al. 2017). Both leave the estimate unbiased; 'greedy' rewards exactly the samples that beat the
   * deployed code and costs one more ranking per query.
   */
  baseline: 'leave-one-out' | 'greedy';
  /** λ for Σ_k (mean_batch p_k − ½)²: keeps each bit splitting the data. */
  bitBalanceWeight: number;
  /** λ for Σ p(1 − p): pushes probabilities away from ½ so the thresholded code matches the policy. */
  quantisationWeight: number;
  /**
   * β of an entropy bonus β·(1/K)·Σ_k H(p_k), the mean bit entropy of each query's policy (A3C-style
   * exploration): keeps the policy from saturating before the ranking is learnt, which would leave every
   * sample equal and r − b = 0. Per bit the pull is β/K, weaker for longer codes. 0 = off.
   */
  entropyWeight: number;
  /**
   * λ of a pull of each query's bit probabilities towards its class's hash centre (Central Similarity
   * Quantization, Yuan et al. 2020; `hashCentres`): λ·BCE(p, c) / batch, so ∂/∂z = λ(p − c) / batch. It packs
   * each class's codes around one point far from the other classes' points. 0 = off.
   */
  centreWeight: number;
  /** Zhao et al.'s error-aware quantisation: only quantise bits whose rounded value agrees with the query's best sample. */
  errorAwareQuantisation: boolean;
  /** Zhao et al.'s gradient amplifier: gain = clamp(threshold / (4p(1 − p)), 1, maxGain) on saturated units. */
  gradientAmplifier: { threshold: number; maxGain: number } | null;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * REINFORCE with a baseline that keeps the estimate unbiased: by default leave-one-out (each sample's
 * baseline is the mean reward of the query's other samples), or a fixed `baseline` that does not depend on
 * the samples (the greedy code's reward). Returns the estimate of ∂E[r]/∂z for one query.
 * `samples` holds S codes of K bits as 0/1, `rewards` their S rewards.
 */
export function reinforceGradient(
  probabilities: ArrayLike<number>,
  samples: Uint8Array,
  rewards: ArrayLike<number>,
  bits: number,
  out = new Float64Array(bits),
  fixedBaseline?: number,
): Float64Array {
  const count = rewards.length;
  out.fill(0);
  let rewardSum = 0;
  for (let s = 0; s < count; s++) rewardSum += rewards[s]!;
  for (let s = 0; s < count; s++) {
    const baseline = fixedBaseline ?? (count > 1 ? (rewardSum - rewards[s]!) / (count - 1) : 0);
    const advantage = rewards[s]! - baseline;
    if (advantage === 0) continue;
    for (let k = 0; k < bits; k++) out[k]! += (advantage * (samples[s * bits + k]! - probabilities[k]!)) / count;
  }
  return out;
}

export interface PolicyBatch {
  logits: Float32Array;
  batch: number;
  bits: number;
  queryLabels: Int32Array;
  /** Index of each query in the database (skipped from its own ranking), or −1. */
  querySelfIndex: Int32Array;
  /** Per-query loss weights (class-imbalance weighting); all 1 without it. */
  queryWeights: Float32Array;
  database: PackedCodes;
  databaseLabels: Int32Array;
  /** Each query's hash centre as 0/1 bits [batch, bits], for `centreWeight` (absent: no pull). */
  queryCentres?: Uint8Array;
  /** Which labels are relevant to which (training/metrics/relevance.ts: albums sharing a photo); absent: equal labels. */
  relation?: LabelRelation;
}

export interface PolicyStepResult {
  /** dLoss/dz [batch, bits] (loss = −weighted mean reward + regularisers). */
  logitGradient: Float32Array;
  meanReward: number;
}

/** Samples codes, scores them and returns the gradient of the loss with respect to the query logits. */
export function policyStep(input: PolicyBatch, options: PolicyOptions, random: Random): PolicyStepResult {
  const { logits, batch, bits, database } = input;
  const S = options.samplesPerQuery;
  const words = wordsForBits(bits);
  const probabilities = Float64Array.from(logits, sigmoid);
  const gradient = new Float32Array(batch * bits);
  const samples = new Uint8Array(S * bits);
  const packed = new Uint32Array((S + 1) * words);
  const greedy = options.baseline === 'greedy';
  const rewards = new Float64Array(S);
  const relevant = new Float64Array(bits + 1);
  const total = new Float64Array(bits + 1);
  const perQuery = new Float64Array(bits);
  let rewardSum = 0;

  /** Tie-aware AP of ranking the database by distance to the code in slot `slot` of `packed`, for query i. */
  const reward = (slot: number, i: number): number => {
    distanceHistograms(
      packed,
      slot * words,
      database,
      input.databaseLabels,
      input.queryLabels[i]!,
      relevant,
      total,
      input.querySelfIndex[i]!,
      relatedRow(input.relation, input.queryLabels[i]!),
    );
    return tieAwareAveragePrecision(relevant, total);
  };

  for (let i = 0; i < batch; i++) {
    const p = probabilities.subarray(i * bits, (i + 1) * bits);
    packed.fill(0);
    for (let s = 0; s < S; s++) {
      for (let k = 0; k < bits; k++) {
        const bit = random.next() < p[k]! ? 1 : 0;
        samples[s * bits + k] = bit;
        if (bit) packed[s * words + (k >>> 5)]! |= 1 << (k & 31);
      }
      rewards[s] = reward(s, i);
      rewardSum += rewards[s]!;
    }
    let greedyReward: number | undefined;
    if (greedy) {
      // The code the query gets at inference (logit > 0, as packCodes thresholds it), in the slot after the samples.
      packed.set(packCodes(logits.subarray(i * bits, (i + 1) * bits), 1, bits).words, S * words);
      greedyReward = reward(S, i);
    }
    reinforceGradient(p, samples, rewards, bits, perQuery, greedyReward);
    let best = 0;
    for (let s = 1; s < S; s++) if (rewards[s]! > rewards[best]!) best = s;
    const weight = input.queryWeights[i]! / batch;
    for (let k = 0; k < bits; k++) {
      const pk = p[k]!;
      const slope = pk * (1 - pk);
      let g = -weight * perQuery[k]!; // descend on −reward
      if (options.gradientAmplifier) {
        const { threshold, maxGain } = options.gradientAmplifier;
        g *= Math.min(maxGain, Math.max(1, threshold / Math.max(4 * slope, 1e-12)));
      }
      if (options.quantisationWeight > 0) {
        const agrees = samples[best * bits + k] === (pk > 0.5 ? 1 : 0);
        if (!options.errorAwareQuantisation || agrees) g += (options.quantisationWeight / batch) * slope * (1 - 2 * pk);
      }
      // Loss −(β/K)·Σ H(p): dH/dz = −z·p(1 − p).
      if (options.entropyWeight > 0) g += (options.entropyWeight / (bits * batch)) * logits[i * bits + k]! * slope;
      if (options.centreWeight > 0 && input.queryCentres) {
        g += (options.centreWeight / batch) * (pk - input.queryCentres[i * bits + k]!);
      }
      gradient[i * bits + k] = g;
    }
  }

  if (options.bitBalanceWeight > 0) {
    for (let k = 0; k < bits; k++) {
      let mean = 0;
      for (let i = 0; i < batch; i++) mean += probabilities[i * bits + k]! / batch;
      const scale = (options.bitBalanceWeight * 2 * (mean - 0.5)) / batch;
      for (let i = 0; i < batch; i++) {
        const pk = probabilities[i * bits + k]!;
        gradient[i * bits + k]! += scale * pk * (1 - pk);
      }
    }
  }
  return { logitGradient: gradient, meanReward: rewardSum / (batch * S) };
}

/**
 * One K-bit hash centre (0/1) per distinct label, far apart: rows of a Sylvester–Hadamard matrix and their
 * complements when K is a power of two and 2K ≥ the number of labels (pairwise distance K/2, or K for a row and
 * its complement), else the best of `draws` random sets (largest minimum pairwise Hamming distance, then largest
 * mean). Labels get centres in ascending order.
 */
export function hashCentres(labels: Int32Array, bits: number, random: Random, draws = 2000): Map<number, Uint8Array> {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const n = classes.length;
  let rows: Uint8Array;
  if ((bits & (bits - 1)) === 0 && 2 * bits >= n) {
    // H[i][j] = (−1)^popcount(i & j): bit 1 where the entry is −1; rows from `bits` on are complements.
    rows = Uint8Array.from({ length: n * bits }, (_, i) => {
      const r = Math.floor(i / bits);
      return (popcount32((r % bits) & (i % bits)) & 1) ^ (r >= bits ? 1 : 0);
    });
  } else {
    let bestMin = -1;
    let bestMean = -1;
    rows = new Uint8Array(0);
    for (let d = 0; d < draws; d++) {
      const candidate = Uint8Array.from({ length: n * bits }, () => (random.next() < 0.5 ? 1 : 0));
      const { words, wordsPerCode } = packCodes(candidate, n, bits, 0.5);
      let min = bits;
      let sum = 0;
      for (let a = 0; a < n; a++)
        for (let b = a + 1; b < n; b++) {
          const dist = hammingDistance(words, words, wordsPerCode, a * wordsPerCode, b * wordsPerCode);
          min = Math.min(min, dist);
          sum += dist;
        }
      const mean = n > 1 ? sum / ((n * (n - 1)) / 2) : 0;
      if (min > bestMin || (min === bestMin && mean > bestMean)) [rows, bestMin, bestMean] = [candidate, min, mean];
    }
  }
  return new Map(classes.map((label, i) => [label, rows.subarray(i * bits, (i + 1) * bits)]));
}

/** Fraction of bits that are (nearly) constant over a set: |mean(2p − 1)| > 0.95 (the "dead bits"). */
export function deadBitFraction(logits: Float32Array, count: number, bits: number, limit = 0.95): number {
  let dead = 0;
  for (let k = 0; k < bits; k++) {
    let mean = 0;
    for (let i = 0; i < count; i++) mean += 2 * sigmoid(logits[i * bits + k]!) - 1;
    if (Math.abs(mean / count) > limit) dead++;
  }
  return dead / bits;
}

/** Per-sample weights ∝ (N / (C·n_class))^power, normalised to mean 1 (power 0 = unweighted). */
export function classBalanceWeights(labels: Int32Array, power: number): Float32Array {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const classes = counts.size;
  const raw = Float64Array.from(labels, (l) => (labels.length / (classes * counts.get(l)!)) ** power);
  const mean = raw.reduce((a, b) => a + b, 0) / Math.max(raw.length, 1);
  return Float32Array.from(raw, (w) => w / mean);
}
