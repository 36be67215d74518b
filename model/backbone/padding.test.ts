/**
 * Padding exactness on a small Keras model built in tfjs: TensorFlow's SAME padding with stride 2 on odd
 * and even sizes (extra row/column at the bottom/right), even kernels, asymmetric ZeroPadding2D, and a
 * BatchNormalization that is folded into a convolution with a bias.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../encoder.js';
import { convertBackbone, samePadding } from './convert.js';
import type { KerasModel } from './keras.js';

describe('samePadding', () => {
  it('matches TensorFlow: output ceil(n/s), the extra padding after', () => {
    expect(samePadding(224, 3, 2, 1)).toEqual([0, 1]);
    expect(samePadding(9, 3, 2, 1)).toEqual([1, 1]);
    expect(samePadding(8, 4, 1, 1)).toEqual([1, 2]);
    expect(samePadding(7, 3, 1, 2)).toEqual([2, 2]);
    expect(samePadding(5, 1, 2, 1)).toEqual([0, 0]);
  });
});

/** Converts a tfjs LayersModel into the structure the converter reads from nsfwjs. */
function kerasModelFromTfjs(model: tf.LayersModel): KerasModel {
  const topology = model.toJSON(undefined, false) as unknown as {
    config: {
      layers: { name: string; class_name: string; config: Record<string, unknown>; inbound_nodes: unknown[][][] }[];
    };
  };
  const weights = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const short = w.originalName.split('/').pop()!;
      weights.set(`${layer.name}/${short}`, { data: w.read().dataSync() as Float32Array, shape: w.shape as number[] });
    }
  }
  return {
    name: 'tiny',
    inputShape: [-1, 10, 10, 3],
    weights,
    layers: topology.config.layers.map((l) => ({
      name: l.name,
      className: l.class_name,
      config: l.config,
      inbound: (l.inbound_nodes[0] ?? []).map((edge) => String(edge[0])),
    })),
  };
}

/** Seeded kernel initialiser, so the test checks the same weights every run. */
const seeded = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });

describe('converter padding and folding vs tfjs', () => {
  const size = 10;
  const layers = ['c1', 'bn1', 'r1', 'd1', 'zp', 'c2', 'c3', 'sum', 'c4'];
  let model: tf.LayersModel;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
    const c1 = tf.layers
      .conv2d({
        name: 'c1',
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        useBias: true,
        biasInitializer: tf.initializers.randomNormal({ seed: 6 }),
        ...seeded(1),
      })
      .apply(input) as tf.SymbolicTensor; // 10 → 5, pads 0/1 (TF puts the extra one after)
    const bn1 = tf.layers.batchNormalization({ name: 'bn1', epsilon: 1e-3 }).apply(c1) as tf.SymbolicTensor;
    const r1 = tf.layers.reLU({ name: 'r1', maxValue: 6 }).apply(bn1) as tf.SymbolicTensor;
    const d1 = tf.layers
      .depthwiseConv2d({
        name: 'd1',
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      })
      .apply(r1) as tf.SymbolicTensor; // 5 → 3
    const zp = tf.layers
      .zeroPadding2d({
        name: 'zp',
        padding: [
          [1, 2],
          [0, 1],
        ],
      })
      .apply(d1) as tf.SymbolicTensor; // 6×4
    const c2 = tf.layers
      .conv2d({ name: 'c2', filters: 4, kernelSize: 2, strides: 2, padding: 'valid', useBias: false, ...seeded(3) })
      .apply(zp) as tf.SymbolicTensor; // 3×2
    const c3 = tf.layers
      .conv2d({ name: 'c3', filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, ...seeded(4) })
      .apply(zp) as tf.SymbolicTensor; // 6×4 → 3×2, pads 0/1 on both axes
    const sum = tf.layers.add({ name: 'sum' }).apply([c2, c3]) as tf.SymbolicTensor;
    const c4 = tf.layers
      .conv2d({ name: 'c4', filters: 3, kernelSize: 4, strides: 1, padding: 'same', useBias: false, ...seeded(5) })
      .apply(sum) as tf.SymbolicTensor; // even kernel, stride 1: pads 1/2
    const outputs: Record<string, tf.SymbolicTensor> = { c1, bn1, r1, d1, zp, c2, c3, sum, c4 };
    model = tf.model({ inputs: input, outputs: layers.map((n) => outputs[n]) });
    // Non-trivial BatchNormalization statistics, so folding is actually exercised.
    const bn = model.getLayer('bn1');
    bn.setWeights([
      tf.tensor1d([1.5, 0.5, -1, 2]),
      tf.tensor1d([0.1, -0.2, 0.3, 0]),
      tf.tensor1d([0.2, -0.1, 0.05, 0.3]),
      tf.tensor1d([0.5, 2, 1, 0.1]),
    ]);
  });

  for (const range of ['unit', 'signed'] as const) {
    it(`every layer matches (${range} input)`, async () => {
      const pixels = Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 37 + ((i * i) % 11) * 13) % 256);
      const floats = Float32Array.from(pixels, (p) => (range === 'unit' ? p / 255 : p / 127.5 - 1));
      const refs = model.predict(tf.tensor4d(floats, [1, size, size, 3])) as tf.Tensor[];
      // Folding happens only when a conv's output is not itself exposed, so convert twice: all maps, and just the last.
      const all = convertBackbone(
        kerasModelFromTfjs(model),
        { inputSize: size, inputRange: range, parts: [{ layer: 'c4', pooling: 'gap' }] },
        { featureMaps: layers },
      );
      const folded = convertBackbone(
        kerasModelFromTfjs(model),
        {
          inputSize: size,
          inputRange: range,
          parts: [
            { layer: 'bn1', pooling: 'gap' },
            { layer: 'c4', pooling: 'gap' },
          ],
        },
        { featureMaps: ['bn1', 'c4'] },
      );
      for (const [converted, names] of [
        [all, layers],
        [folded, ['bn1', 'c4']],
      ] as const) {
        const session = await openSession(converted.bytes, { providers: ['cpu'] });
        const out = await session.run({ pixels: { data: pixels, dims: [1, size, size, 3] } });
        await session.release();
        for (const name of names) {
          const ref = refs[layers.indexOf(name)];
          const got = out[`map:${name}`];
          expect(got.dims, name).toEqual(ref.shape);
          const refData = ref.dataSync();
          let scale = 0;
          let diff = 0;
          for (let i = 0; i < refData.length; i++) {
            scale = Math.max(scale, Math.abs(refData[i]));
            diff = Math.max(diff, Math.abs(refData[i] - got.data[i]));
          }
          expect(diff / scale, name).toBeLessThanOrEqual(1e-5);
        }
      }
      tf.dispose(refs);
    });
  }
});
