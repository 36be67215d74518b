import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadCompute, PairwiseLossCompute, type Gradients } from './compute-graphs.js';
import { initHead, trainableArrays, trainableNames, type HeadArchitecture, type HeadParameters } from './head.js';
import { createRandom } from './rng.js';

const random = createRandom(11);
const randomArray = (n: number, scale = 1) => Float32Array.from({ length: n }, () => random.gaussian() * scale);

/** L = Σ gz ⊙ z, whose gradient is exactly what the backward graph returns for that gz. */
async function probeLoss(compute: HeadCompute, head: HeadParameters, x: Float32Array, n: number, gz: Float32Array) {
  const z = await compute.forward(head, x, n);
  let loss = 0;
  for (let i = 0; i < z.length; i++) loss += z[i]! * gz[i]!;
  return loss;
}

const architectures: [string, HeadArchitecture][] = [
  ['linear', { inputDim: 7, hiddenDim: 0, bits: 4, divideAndEncode: false }],
  ['mlp', { inputDim: 6, hiddenDim: 9, bits: 5, divideAndEncode: false }],
  ['mlp + divide-and-encode', { inputDim: 6, hiddenDim: 10, bits: 5, divideAndEncode: true }],
  [
    'conv + mlp',
    { inputDim: 36, hiddenDim: 7, bits: 4, divideAndEncode: false, conv: { filters: 3, width: 6, height: 6 } },
  ],
  [
    'two convs + mlp',
    {
      inputDim: 64,
      hiddenDim: 5,
      bits: 3,
      divideAndEncode: false,
      conv: { filters: 2, filters2: 3, width: 8, height: 8 },
    },
  ],
  [
    'two convs + linear',
    {
      inputDim: 96,
      hiddenDim: 0,
      bits: 3,
      divideAndEncode: false,
      conv: { filters: 3, filters2: 2, width: 12, height: 8 },
    },
  ],
  [
    'conv + linear',
    { inputDim: 48, hiddenDim: 0, bits: 3, divideAndEncode: false, conv: { filters: 2, width: 8, height: 6 } },
  ],
];

describe.each(architectures)('head backward graph (%s)', (_name, architecture) => {
  let compute: HeadCompute;
  beforeAll(async () => {
    compute = await HeadCompute.open(architecture, 1);
  });
  afterAll(() => compute.release());

  it('matches central finite differences of the forward graph', async () => {
    const n = 5;
    const head = initHead(architecture, random, new Float32Array(0), new Float32Array(0));
    head.hiddenBias.set(randomArray(head.hiddenBias.length, 0.3));
    head.convBias.set(randomArray(head.convBias.length, 0.3));
    head.conv2Bias.set(randomArray(head.conv2Bias.length, 0.3));
    head.outputBias.set(randomArray(head.outputBias.length, 0.3));
    const x = randomArray(n * architecture.inputDim);
    const gz = randomArray(n * architecture.bits);
    const analytic: Gradients = await compute.backward(head, x, n, gz);
    const analyticArrays = trainableNames(architecture).map((name) => analytic[name]!);
    const params = trainableArrays(head);
    const centralDifference = async (a: number, i: number, eps: number) => {
      const saved = params[a]![i]!;
      params[a]![i] = saved + eps;
      const plus = await probeLoss(compute, head, x, n, gz);
      params[a]![i] = saved - eps;
      const minus = await probeLoss(compute, head, x, n, gz);
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
        expect(analyticArrays[a]![i]!, `${trainableNames(architecture)[a]}[${i}]`).toBeCloseTo(coarse, 2);
        checked++;
      }
    }
    // Pools and ReLUs make some probes non-smooth (more with two conv layers); most must be checked.
    expect(skipped).toBeLessThanOrEqual(params.length * 3);
    expect(checked).toBeGreaterThanOrEqual(params.length * 5);
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
