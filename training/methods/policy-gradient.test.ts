import { describe, expect, it } from 'vitest';
import { averagePrecision } from '../metrics/average-precision.js';
import { packCodes } from '../metrics/hamming-kernel.js';
import {
  classBalanceWeights,
  deadBitFraction,
  hashCentres,
  type PolicyBatch,
  type PolicyOptions,
  policyStep,
  reinforceGradient,
  sigmoid,
} from './policy-gradient.js';
import { createRandom } from '../compute/rng.js';

describe('reinforceGradient', () => {
  it('is an unbiased estimate of the exact gradient of the expected reward (enumerated over all codes)', () => {
    const bits = 3;
    const random = createRandom(2);
    const reward = (code: number) => [0.1, 0.9, 0.3, 0.5, 0.2, 0.7, 0.4, 1.0][code]!;
    const p = [0.3, 0.6, 0.8];
    // Exact: ∂/∂z_k Σ_c r(c) Π p^c(1−p)^(1−c) = Σ_c r(c) P(c) (c_k − p_k).
    const exact = new Float64Array(bits);
    for (let code = 0; code < 1 << bits; code++) {
      let prob = 1;
      for (let k = 0; k < bits; k++) prob *= (code >> k) & 1 ? p[k]! : 1 - p[k]!;
      for (let k = 0; k < bits; k++) exact[k]! += reward(code) * prob * (((code >> k) & 1) - p[k]!);
    }
    // The leave-one-out baseline, and a fixed one (the greedy code's reward: thresholded p is 0b110 = 6).
    for (const fixed of [undefined, reward(6)]) {
      const S = 4;
      const trials = 40_000;
      const mean = new Float64Array(bits);
      const samples = new Uint8Array(S * bits);
      const rewards = new Float64Array(S);
      const out = new Float64Array(bits);
      for (let t = 0; t < trials; t++) {
        for (let s = 0; s < S; s++) {
          let code = 0;
          for (let k = 0; k < bits; k++) {
            const bit = random.next() < p[k]! ? 1 : 0;
            samples[s * bits + k] = bit;
            code |= bit << k;
          }
          rewards[s] = reward(code);
        }
        reinforceGradient(p, samples, rewards, bits, out, fixed);
        for (let k = 0; k < bits; k++) mean[k]! += out[k]! / trials;
      }
      for (let k = 0; k < bits; k++) expect(mean[k]!).toBeCloseTo(exact[k]!, 2);
    }
  });

  it('with a fixed baseline, pushes towards the samples that beat it and away from those that do not', () => {
    // Two samples: [1, 0] earned 0.9 and [0, 1] earned 0.5, against a greedy reward of 0.5.
    const out = reinforceGradient([0.5, 0.5], Uint8Array.of(1, 0, 0, 1), [0.9, 0.5], 2, undefined, 0.5);
    expect(out[0]).toBeCloseTo((0.4 * 0.5) / 2, 12);
    expect(out[1]).toBeCloseTo((0.4 * -0.5) / 2, 12);
  });

  it('gives zero when every sample earns the same reward', () => {
    const out = reinforceGradient([0.5, 0.5], Uint8Array.of(1, 0, 0, 1), [0.4, 0.4], 2);
    expect(Array.from(out)).toEqual([0, 0]);
  });
});

/** REINFORCE alone: no regulariser, leave-one-out baseline. */
const PLAIN_POLICY: PolicyOptions = {
  samplesPerQuery: 8,
  baseline: 'leave-one-out',
  bitBalanceWeight: 0,
  quantisationWeight: 0,
  entropyWeight: 0,
  centreWeight: 0,
  errorAwareQuantisation: false,
  gradientAmplifier: null,
};

/** A batch of two queries (labels 0 and 1, not in the database) against a database of 0/1 `rows`. */
function twoQueries(logits: Float32Array, bits: number, rows: number[][], databaseLabels: Int32Array): PolicyBatch {
  return {
    logits,
    batch: 2,
    bits,
    queryLabels: Int32Array.of(0, 1),
    querySelfIndex: Int32Array.of(-1, -1),
    queryWeights: Float32Array.of(1, 1),
    database: packCodes(rows.flat(), rows.length, bits, 0.5),
    databaseLabels,
  };
}

describe('policyStep', () => {
  it("with the greedy baseline, subtracts the thresholded code's AP over the database from each sample's reward", () => {
    // Database codes at distances 0…4 from 0000 (the thresholded code of p = ½ everywhere), labels 1 1 0 0 1.
    const bits = 4;
    const rows = [
      [0, 0, 0, 0],
      [1, 0, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ];
    const database = packCodes(rows.flat(), rows.length, bits, 0.5);
    const input = {
      logits: new Float32Array(bits), // p = ½: every sample bit is b − p = ±½
      batch: 1,
      bits,
      queryLabels: Int32Array.of(1),
      querySelfIndex: Int32Array.of(-1),
      queryWeights: Float32Array.of(1),
      database,
      databaseLabels: Int32Array.of(1, 1, 0, 0, 1),
    };
    const options: PolicyOptions = { ...PLAIN_POLICY, samplesPerQuery: 1 }; // leave-one-out with one sample has baseline 0
    const plain = policyStep(input, options, createRandom(5)).logitGradient;
    const greedy = policyStep(input, { ...options, baseline: 'greedy' }, createRandom(5)).logitGradient;
    // (r − r_greedy)(b − p) − r(b − p) = −r_greedy(b − p), and the loss gradient is its negative.
    const greedyAp = averagePrecision([true, true, false, false, true]);
    expect(greedyAp).toBeCloseTo((1 + 1 + 3 / 5) / 3, 12);
    for (let k = 0; k < bits; k++) expect(Math.abs(greedy[k]! - plain[k]!)).toBeCloseTo(greedyAp / 2, 6);
  });

  it('with an entropy weight β, adds the gradient of −β·mean-bit-entropy / batch (checked by finite differences)', () => {
    const bits = 5;
    const batch = 2;
    const logits = Float32Array.of(-3, -0.7, 0, 0.4, 2.5, 1.2, -1.5, 0.05, 4, -0.2);
    const rows = [
      [0, 1, 0, 1, 1],
      [1, 0, 0, 1, 0],
      [1, 1, 1, 0, 0],
    ];
    const input = twoQueries(logits, bits, rows, Int32Array.of(0, 1, 0));
    const options: PolicyOptions = { ...PLAIN_POLICY, samplesPerQuery: 4 };
    const beta = 1.5;
    // Same random stream, so the sampled (REINFORCE) part is identical and cancels.
    const without = policyStep(input, options, createRandom(9)).logitGradient;
    const withEntropy = policyStep(input, { ...options, entropyWeight: beta }, createRandom(9)).logitGradient;
    const entropy = (z: number): number => {
      const p = sigmoid(z);
      return -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
    };
    const h = 1e-5;
    for (let j = 0; j < logits.length; j++) {
      const z = logits[j]!;
      const numeric = (-beta / (bits * batch)) * ((entropy(z + h) - entropy(z - h)) / (2 * h));
      expect(withEntropy[j]! - without[j]!).toBeCloseTo(numeric, 6);
    }
    // It pulls every logit towards 0 (more exploration), and leaves z = 0 alone.
    expect(withEntropy[2]! - without[2]!).toBe(0);
    expect(withEntropy[4]! - without[4]!).toBeGreaterThan(0);
    expect(withEntropy[0]! - without[0]!).toBeLessThan(0);
  });
});

describe('hash centres', () => {
  it('adds λ(p − c)/batch, the gradient of λ·BCE(p, c)/batch (checked by finite differences)', () => {
    const bits = 4;
    const batch = 2;
    const logits = Float32Array.of(-2, 0.3, 0, 1.7, 0.9, -0.4, 3, -1);
    const centres = Uint8Array.of(1, 0, 1, 1, 0, 0, 1, 0);
    const rows = [
      [0, 1, 0, 1],
      [1, 0, 0, 1],
    ];
    const input = { ...twoQueries(logits, bits, rows, Int32Array.of(0, 1)), queryCentres: centres };
    const options: PolicyOptions = { ...PLAIN_POLICY, samplesPerQuery: 4 };
    const lambda = 0.7;
    const without = policyStep(input, options, createRandom(3)).logitGradient;
    const pulled = policyStep(input, { ...options, centreWeight: lambda }, createRandom(3)).logitGradient;
    const bce = (z: number, c: number) => -(c * Math.log(sigmoid(z)) + (1 - c) * Math.log(1 - sigmoid(z)));
    const h = 1e-5;
    for (let j = 0; j < logits.length; j++) {
      const numeric =
        (lambda / batch) * ((bce(logits[j]! + h, centres[j]!) - bce(logits[j]! - h, centres[j]!)) / (2 * h));
      expect(pulled[j]! - without[j]!).toBeCloseTo(numeric, 6);
    }
    // Without centres in the batch, the weight does nothing.
    const none = policyStep(
      { ...input, queryCentres: undefined },
      { ...options, centreWeight: lambda },
      createRandom(3),
    );
    expect(Array.from(none.logitGradient)).toEqual(Array.from(without));
  });

  it('gives each label a centre: Hadamard rows (distance K/2) for 2^n bits, far-apart random codes otherwise', () => {
    const distance = (a: Uint8Array, b: Uint8Array) => a.reduce((d, x, k) => d + (x ^ b[k]!), 0);
    const labels = Int32Array.from({ length: 50 }, (_, i) => [7, 3, 11, 5, 2, 13, 17, 19, 23, 29][i % 10]!);
    const h32 = hashCentres(labels, 32, createRandom(1));
    expect([...h32.keys()]).toEqual([2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
    const rows32 = [...h32.values()];
    for (let a = 0; a < rows32.length; a++)
      for (let b = a + 1; b < rows32.length; b++) expect(distance(rows32[a]!, rows32[b]!)).toBe(16);
    // 4 bits for 6 labels: rows of H4 and two complements (distance 4 to their row, 2 to the others).
    const h4 = [...hashCentres(Int32Array.of(0, 1, 2, 3, 4, 5), 4, createRandom(1)).values()];
    expect(distance(h4[0]!, h4[4]!)).toBe(4);
    expect(distance(h4[1]!, h4[5]!)).toBe(4);
    expect(distance(h4[0]!, h4[5]!)).toBe(2);
    // 12 bits: random draws, all distinct and at least 4 apart (a single draw of ten is often closer).
    const rows12 = [...hashCentres(labels, 12, createRandom(1)).values()];
    let min = 12;
    for (let a = 0; a < rows12.length; a++)
      for (let b = a + 1; b < rows12.length; b++) min = Math.min(min, distance(rows12[a]!, rows12[b]!));
    expect(min).toBeGreaterThanOrEqual(4);
    const single = [...hashCentres(labels, 12, createRandom(1), 1).values()];
    let singleMin = 12;
    for (let a = 0; a < single.length; a++)
      for (let b = a + 1; b < single.length; b++) singleMin = Math.min(singleMin, distance(single[a]!, single[b]!));
    expect(singleMin).toBeLessThan(min);
  });
});

describe('deadBitFraction', () => {
  it('counts bits that are nearly constant over the set', () => {
    // bit 0 always strongly on (dead), bit 1 alternates (alive)
    const logits = Float32Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 10 : i % 4 === 1 ? 5 : -5));
    expect(deadBitFraction(logits, 10, 2)).toBe(0.5);
  });
});

describe('classBalanceWeights', () => {
  it('gives each class the same total weight with power 1, and mean weight 1', () => {
    const labels = Int32Array.of(0, 0, 0, 1);
    const w = classBalanceWeights(labels, 1);
    expect(w[0]! * 3).toBeCloseTo(w[3]!, 6);
    expect(Array.from(w).reduce((a, b) => a + b, 0) / 4).toBeCloseTo(1, 6);
    expect(Array.from(classBalanceWeights(labels, 0))).toEqual([1, 1, 1, 1]);
  });
});
