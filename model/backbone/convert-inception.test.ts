/**
 * Equivalence for the nsfwjs InceptionV3 (scale-free BatchNormalization, Activation, max/average pooling with
 * "same" and "valid" padding, channel concatenation): the converted ONNX against the Keras model run by tfjs
 * (pure-JS CPU backend) at a small input, so that the whole trunk up to `mixed10` stays a fast unit test.
 * 107×107 gives odd map sizes (53, 51, 25, 23, 11, 5, 2) whose "same" average pools have partial windows.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../encoder.js';
import { syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';
import { convertBackbone, type BackboneSpec } from './convert.js';
import { loadNsfwjsKerasModel } from './keras.js';
import { loadKerasTrunk, maxAbs, maxAbsDiff } from '../../tests/helpers/keras-trunk.js';
import { referenceDescriptor } from './reference.js';

const MODEL = 'inception_v3';
const SIZE = 107;
const LAYERS = ['mixed0', 'mixed3', 'mixed8', 'mixed10'] as const;
const SPEC: BackboneSpec = { inputSize: SIZE, inputRange: 'unit', parts: [{ layer: 'mixed10', pooling: 'gap' }] };

type Map4 = { data: Float32Array; dims: number[] };

describe('converted InceptionV3 trunk vs the Keras model in tfjs', () => {
  const images = [3, 4].map((seed) => syntheticPhoto({ width: SIZE, height: SIZE, seed }).data);
  const batch = new Uint8Array(images.length * SIZE * SIZE * 3);
  images.forEach((img, i) => batch.set(img, i * img.length));
  const reference = new Map<string, Map4>();
  let onnx: Record<string, Map4> = {};

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const keras = await loadKerasTrunk(MODEL, 'mixed10', SIZE);
    const cut = tf.model({
      inputs: keras.inputs,
      outputs: LAYERS.map((n) => keras.getLayer(n).output as tf.SymbolicTensor),
    });
    const input = tf.tensor4d(
      Float32Array.from(batch, (v) => v / 255),
      [images.length, SIZE, SIZE, 3],
    );
    const outs = cut.predict(input) as tf.Tensor[];
    LAYERS.forEach((n, i) => reference.set(n, { data: outs[i].dataSync() as Float32Array, dims: outs[i].shape }));
    tf.dispose([input, ...outs]);
    keras.dispose();
    const converted = convertBackbone(loadNsfwjsKerasModel(MODEL), SPEC, { featureMaps: [...LAYERS] });
    const session = await openSession(converted.bytes, { providers: ['cpu'] });
    onnx = await session.run({ pixels: { data: batch, dims: [images.length, SIZE, SIZE, 3] } });
    await session.release();
  }, 120_000);

  for (const layer of LAYERS) {
    it(`${layer} matches within 1e-4 of the feature scale`, () => {
      const ref = reference.get(layer)!;
      const got = onnx[`map:${layer}`];
      expect(got.dims).toEqual(ref.dims);
      const scale = maxAbs(ref.data);
      expect(scale).toBeGreaterThan(0);
      expect(maxAbsDiff(got.data, ref.data) / scale).toBeLessThanOrEqual(1e-4);
    });
  }

  it('the mixed10 descriptor (2048-d) equals the average pool of the tfjs map', () => {
    const got = onnx.descriptor;
    const dim = got.dims[1];
    expect(dim).toBe(2048);
    const m = reference.get('mixed10')!;
    const [, h, w, c] = m.dims;
    for (let i = 0; i < images.length; i++) {
      const expected = referenceDescriptor(SPEC, () => ({
        data: m.data.subarray(i * h * w * c, (i + 1) * h * w * c),
        h,
        w,
        c,
      }));
      expect(maxAbsDiff(got.data.subarray(i * dim, (i + 1) * dim), expected) / maxAbs(expected)).toBeLessThanOrEqual(
        1e-4,
      );
    }
    expect(maxAbsDiff(got.data.subarray(0, dim), got.data.subarray(dim, 2 * dim))).toBeGreaterThan(1e-3);
  });
});
