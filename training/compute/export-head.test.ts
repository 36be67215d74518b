import { describe, expect, it } from 'vitest';
import { openSession } from '../../model/encoder.js';
import { HeadCompute } from './compute-graphs.js';
import { exportHead } from './export-head.js';
import { initHead, standardise, type HeadArchitecture } from './head.js';
import { createRandom } from './rng.js';

const random = createRandom(9);

describe.each<[string, HeadArchitecture]>([
  ['mlp', { inputDim: 10, hiddenDim: 6, bits: 5, divideAndEncode: false }],
  [
    'conv',
    {
      inputDim: 64,
      hiddenDim: 8,
      bits: 4,
      divideAndEncode: false,
      conv: { layers: [{ filters: 3, kernel: 5, pool: true }], width: 8, height: 8 },
    },
  ],
  [
    'three convs (3×3, 3×3 pooled, 5×5 pooled)',
    {
      inputDim: 64,
      hiddenDim: 6,
      bits: 4,
      divideAndEncode: false,
      conv: {
        layers: [
          { filters: 2, kernel: 3, pool: false },
          { filters: 2, kernel: 3, pool: true },
          { filters: 3, kernel: 5, pool: true },
        ],
        width: 8,
        height: 8,
      },
    },
  ],
])('exportHead (%s)', (_name, architecture) => {
  it('gives the same logits as the training graphs, and bits = logits > 0', async () => {
    const inputMean = Float32Array.from({ length: architecture.inputDim }, () => random.gaussian());
    const inputScale = Float32Array.from({ length: architecture.inputDim }, () => 0.5 + random.next());
    const head = initHead(architecture, random, inputMean, inputScale);
    const n = 7;
    const raw = Float32Array.from({ length: n * architecture.inputDim }, () => random.gaussian());
    const compute = await HeadCompute.open(architecture, 1);
    const expected = await compute.forward(head, standardise(head, raw), n);
    await compute.release();
    const { onnx, metadata } = exportHead(head, { method: 'dph', data: 'test', metrics: { map: 0.5 } });
    expect(metadata).toMatchObject({
      bits: architecture.bits,
      inputDim: architecture.inputDim,
      method: 'dph',
      data: 'test',
    });
    const session = await openSession(onnx, { providers: ['cpu'], threads: 1 });
    try {
      const out = await session.run({ descriptor: { data: raw, dims: [n, architecture.inputDim] } });
      for (let i = 0; i < expected.length; i++) {
        expect(out.logits!.data[i]!).toBeCloseTo(expected[i]!, 4);
        expect(out.bits!.data[i]).toBe(out.logits!.data[i]! > 0 ? 1 : 0);
      }
    } finally {
      await session.release();
    }
  });
});
