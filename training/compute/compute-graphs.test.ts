import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadCompute, PairwiseLossCompute, type Gradients } from './compute-graphs.js';
import { initHead, trainableArrays, trainableNames, type HeadArchitecture, type HeadParameters } from './head.js';
import { createRandom } from './rng.js';
import { dropoutMask } from '../loop/training-loop.js';

const random = createRandom(11);
/** The first heads' conv layer: 5×5, pooled. */
const pooled5 = (filters: number) => ({ filters, kernel: 5, pool: true });
const randomArray = (n: number, scale = 1) => Float32Array.from({ length: n }, () => random.gaussian() * scale);

/** L = Σ gz ⊙ z, whose gradient is exactly what the backward graph returns for that gz. */
async function probeLoss(
  compute: HeadCompute,
  head: HeadParameters,
  x: Float32Array,
  n: number,
  gz: Float32Array,
  mask?: Float32Array,
) {
  const z = await compute.forward(head, x, n, mask);
  let loss = 0;
  for (let i = 0; i < z.length; i++) loss += z[i]! * gz[i]!;
  return loss;
}

/** A fresh head with non-zero biases (so ReLUs are not all at their kink). */
function testHead(architecture: HeadArchitecture): HeadParameters {
  const head = initHead(architecture, random, new Float32Array(0), new Float32Array(0));
  head.hiddenBias.set(randomArray(head.hiddenBias.length, 0.3));
  for (const layer of head.conv) layer.bias.set(randomArray(layer.bias.length, 0.3));
  head.outputBias.set(randomArray(head.outputBias.length, 0.3));
  return head;
}

/**
 * The backward graph's gradients of L = Σ gz ⊙ z against central finite differences of the forward graph, on
 * 8 random entries of every trainable array (with `mask`: the same dropout mask in both passes).
 */
async function expectFiniteDifferences(
  compute: HeadCompute,
  architecture: HeadArchitecture,
  n: number,
  mask?: Float32Array,
) {
  const head = testHead(architecture);
  const x = randomArray(n * architecture.inputDim);
  const gz = randomArray(n * architecture.bits);
  const analytic: Gradients = await compute.backward(head, x, n, gz, mask);
  const names = trainableNames(architecture);
  const params = trainableArrays(head);
  const centralDifference = async (a: number, i: number, eps: number) => {
    const saved = params[a]![i]!;
    params[a]![i] = saved + eps;
    const plus = await probeLoss(compute, head, x, n, gz, mask);
    params[a]![i] = saved - eps;
    const minus = await probeLoss(compute, head, x, n, gz, mask);
    params[a]![i] = saved;
    return (plus - minus) / (2 * eps);
  };
  let checked = 0;
  let skipped = 0;
  for (let a = 0; a < params.length; a++) {
    for (let probe = 0; probe < 8; probe++) {
      const i = random.int(params[a]!.length);
      const coarse = await centralDifference(a, i, 1e-2);
      const fine = await centralDifference(a, i, 4e-3);
      // A ReLU or max-pool switch inside the step makes the two estimates disagree: not a smooth point.
      if (Math.abs(coarse - fine) > 5e-3) {
        skipped++;
        continue;
      }
      expect(analytic[a]![i]!, `${names[a]}[${i}]`).toBeCloseTo(coarse, 2);
      checked++;
    }
  }
  // Pools and ReLUs make some probes non-smooth (more with two conv layers); most must be checked.
  expect(skipped).toBeLessThanOrEqual(params.length * 3);
  expect(checked).toBeGreaterThanOrEqual(params.length * 5);
}

const architectures: [string, HeadArchitecture][] = [
  ['linear', { inputDim: 7, hiddenDim: 0, bits: 4, divideAndEncode: false }],
  ['mlp', { inputDim: 6, hiddenDim: 9, bits: 5, divideAndEncode: false }],
  ['mlp + divide-and-encode', { inputDim: 6, hiddenDim: 10, bits: 5, divideAndEncode: true }],
  [
    'conv + mlp',
    {
      inputDim: 36,
      hiddenDim: 7,
      bits: 4,
      divideAndEncode: false,
      conv: { layers: [pooled5(3)], width: 6, height: 6 },
    },
  ],
  [
    'two convs + mlp',
    {
      inputDim: 64,
      hiddenDim: 5,
      bits: 3,
      divideAndEncode: false,
      conv: { layers: [pooled5(2), pooled5(3)], width: 8, height: 8 },
    },
  ],
  [
    'two convs + linear',
    {
      inputDim: 96,
      hiddenDim: 0,
      bits: 3,
      divideAndEncode: false,
      conv: { layers: [pooled5(3), pooled5(2)], width: 12, height: 8 },
    },
  ],
  [
    'conv + linear',
    {
      inputDim: 48,
      hiddenDim: 0,
      bits: 3,
      divideAndEncode: false,
      conv: { layers: [pooled5(2)], width: 8, height: 6 },
    },
  ],
  [
    'four 3×3/5×5 convs, two pooled + mlp',
    {
      inputDim: 64,
      hiddenDim: 5,
      bits: 3,
      divideAndEncode: false,
      conv: {
        layers: [
          { filters: 2, kernel: 3, pool: false },
          { filters: 3, kernel: 3, pool: true },
          { filters: 2, kernel: 5, pool: false },
          { filters: 3, kernel: 3, pool: true },
        ],
        width: 8,
        height: 8,
      },
    },
  ],
];

describe.each(architectures)('head backward graph (%s)', (_name, architecture) => {
  let compute: HeadCompute;
  beforeAll(async () => {
    compute = await HeadCompute.open(architecture, 1);
  });
  afterAll(() => compute.release());

  it('matches central finite differences of the forward graph', async () => {
    await expectFiniteDifferences(compute, architecture, 5);
  });
});

describe.each(['dpsh', 'exponentiated'] as const)('pairwise loss graph (%s)', (kind) => {
  it('returns the gradient of its own loss (finite differences)', async () => {
    const bits = 6;
    const [batch, count] = [4, 9];
    const compute = await PairwiseLossCompute.open(kind, bits, 0.3, 1);
    try {
      const z = randomArray(batch * bits);
      const reference = kind === 'dpsh' ? randomArray(count * bits) : randomArray(count * bits).map(Math.tanh);
      const similar = Float32Array.from({ length: batch * count }, () => (random.next() < 0.4 ? 1 : 0));
      const weights = Float32Array.from({ length: batch * count }, () => 0.5 + random.next());
      const { logitGradient } = await compute.run(z, batch, reference, count, similar, weights);
      const eps = 1e-2;
      for (let probe = 0; probe < 12; probe++) {
        const i = random.int(z.length);
        const saved = z[i]!;
        // DPSH's sign(z) term has a kink at 0; stay away from it.
        if (Math.abs(saved) < 2 * eps) continue;
        z[i] = saved + eps;
        const plus = (await compute.run(z, batch, reference, count, similar, weights)).loss;
        z[i] = saved - eps;
        const minus = (await compute.run(z, batch, reference, count, similar, weights)).loss;
        z[i] = saved;
        expect(logitGradient[i]!).toBeCloseTo((plus - minus) / (2 * eps), 3);
      }
    } finally {
      await compute.release();
    }
  });
});

describe.each(
  architectures.filter(([, a]) => a.hiddenDim > 0 && !a.divideAndEncode).map(([name, a]) => [name, a] as const),
)('head graphs with a dropout mask on the hidden layer (%s)', (_name, architecture) => {
  let masked: HeadCompute;
  let plain: HeadCompute;
  const n = 5;
  const p = 0.4;
  const mask = dropoutMask(n * architecture.hiddenDim, p, createRandom(5))!;
  beforeAll(async () => {
    masked = await HeadCompute.open(architecture, 1, true);
    plain = await HeadCompute.open(architecture, 1);
  });
  afterAll(() => Promise.all([masked.release(), plain.release()]));

  it('evaluates like the plain graph without a mask, and differently with one', async () => {
    const head = testHead(architecture);
    const x = randomArray(n * architecture.inputDim);
    const reference = await plain.forward(head, x, n);
    expect(Array.from(await masked.forward(head, x, n))).toEqual(Array.from(reference));
    const dropped = await masked.forward(head, x, n, mask);
    expect(Array.from(dropped)).not.toEqual(Array.from(reference));
  });

  it('a dropped unit has no effect on the logits and gets no gradient', async () => {
    const head = testHead(architecture);
    const x = randomArray(n * architecture.inputDim);
    const gz = randomArray(n * architecture.bits);
    // A unit dropped in every row of the batch.
    const unit = 1;
    const everywhere = mask.slice();
    for (let r = 0; r < n; r++) everywhere[r * architecture.hiddenDim + unit] = 0;
    const before = await masked.forward(head, x, n, everywhere);
    const rows = head.hiddenWeights.length / architecture.hiddenDim;
    for (let i = 0; i < rows; i++) head.hiddenWeights[i * architecture.hiddenDim + unit]! += 1;
    head.hiddenBias[unit]! += 1;
    expect(Array.from(await masked.forward(head, x, n, everywhere))).toEqual(Array.from(before));
    const g = await masked.backward(head, x, n, gz, everywhere);
    const names = trainableNames(architecture);
    const hiddenBias = g[names.indexOf('hiddenBias')]!;
    const hiddenWeights = g[names.indexOf('hiddenWeights')]!;
    expect(hiddenBias[unit]).toBe(0);
    for (let i = 0; i < rows; i++) expect(hiddenWeights[i * architecture.hiddenDim + unit]).toBe(0);
  });

  it('matches central finite differences of the masked forward graph', async () => {
    await expectFiniteDifferences(masked, architecture, n, mask);
  });
});

describe('dropoutMask', () => {
  it('drops about p of the units and scales the rest by 1/(1 − p)', () => {
    const mask = dropoutMask(20_000, 0.3, createRandom(3))!;
    const dropped = mask.filter((v) => v === 0).length / mask.length;
    expect(dropped).toBeGreaterThan(0.28);
    expect(dropped).toBeLessThan(0.32);
    expect(new Set(mask)).toEqual(new Set([0, Math.fround(1 / 0.7)]));
  });

  it('is absent without dropout and refuses p ≥ 1', () => {
    expect(dropoutMask(10, 0, createRandom(1))).toBeUndefined();
    expect(() => dropoutMask(10, 1, createRandom(1))).toThrow(RangeError);
  });
});
