/**
 * Equivalence: the converted ONNX backbone against the original Keras model run by tfjs (pure-JS CPU
 * backend), on procedurally generated photo-like images (tests/helpers/synthetic-photo.ts), for every layer the project may expose.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type TensorSession } from '../encoder.js';
import { syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';
import { convertBackbone, type BackboneSpec } from './convert.js';
import { loadNsfwjsKerasModel } from './keras.js';
import { loadKerasTrunk, maxAbs, maxAbsDiff } from '../../tests/helpers/keras-trunk.js';
import { DEFAULT_BACKBONE_SPEC, VERIFIED_LAYERS } from './spec.js';
import { referenceDescriptor } from './reference.js';

const SIZE = DEFAULT_BACKBONE_SPEC.inputSize;

function toInputRange(pixels: Uint8Array, spec: BackboneSpec): Float32Array {
  const f = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) f[i] = spec.inputRange === 'unit' ? pixels[i] / 255 : pixels[i] / 127.5 - 1;
  return f;
}

describe('converted MobileNetV2 backbone vs the Keras model in tfjs', () => {
  const images = [1, 2].map((seed) => syntheticPhoto({ width: SIZE, height: SIZE, seed }).data);
  const batch = new Uint8Array(images.length * SIZE * SIZE * 3);
  images.forEach((img, i) => batch.set(img, i * img.length));
  // Both input ranges: the ablation compares them, so both conversions must be exact.
  const specs: BackboneSpec[] = [
    DEFAULT_BACKBONE_SPEC,
    { ...DEFAULT_BACKBONE_SPEC, inputRange: 'signed' as const },
  ].filter((s, i, all) => all.findIndex((o) => o.inputRange === s.inputRange) === i);
  const reference = new Map<string, Map<string, { data: Float32Array; dims: number[] }>>();
  const onnx = new Map<string, Record<string, { data: Float32Array; dims: number[] }>>();
  let session: TensorSession | null = null;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const keras = await loadKerasTrunk('mobilenet_v2', 'out_relu', SIZE);
    const cut = tf.model({
      inputs: keras.inputs,
      outputs: VERIFIED_LAYERS.map((n) => keras.getLayer(n).output as tf.SymbolicTensor),
    });
    const model = loadNsfwjsKerasModel();
    for (const spec of specs) {
      const input = tf.tensor4d(toInputRange(batch, spec), [images.length, SIZE, SIZE, 3]);
      const outs = cut.predict(input) as tf.Tensor[];
      const maps = new Map<string, { data: Float32Array; dims: number[] }>();
      VERIFIED_LAYERS.forEach((n, i) => maps.set(n, { data: outs[i].dataSync() as Float32Array, dims: outs[i].shape }));
      tf.dispose([input, ...outs]);
      reference.set(spec.inputRange, maps);
      const converted = convertBackbone(model, spec, { featureMaps: [...VERIFIED_LAYERS] });
      session = await openSession(converted.bytes, { providers: ['cpu'] });
      onnx.set(spec.inputRange, await session.run({ pixels: { data: batch, dims: [images.length, SIZE, SIZE, 3] } }));
      await session.release();
      session = null;
    }
    keras.dispose();
  }, 120_000);

  afterAll(async () => {
    await session?.release();
  });

  for (const range of ['unit', 'signed']) {
    for (const layer of VERIFIED_LAYERS) {
      it(`${layer} (${range} input) matches within 1e-4 of the feature scale`, () => {
        const ref = reference.get(range)?.get(layer);
        if (!ref) return expect(specs.map((s) => s.inputRange)).not.toContain(range);
        const got = onnx.get(range)![`map:${layer}`];
        expect(got.dims).toEqual(ref.dims);
        const scale = maxAbs(ref.data);
        expect(scale).toBeGreaterThan(0);
        expect(maxAbsDiff(got.data, ref.data) / scale).toBeLessThanOrEqual(1e-4);
      });
    }
  }

  it('the default descriptor equals the pooling of the tfjs feature maps', () => {
    const spec = DEFAULT_BACKBONE_SPEC;
    const maps = reference.get(spec.inputRange)!;
    const got = onnx.get(spec.inputRange)!.descriptor;
    const dim = got.dims[1];
    for (let i = 0; i < images.length; i++) {
      const expected = referenceDescriptor(spec, (layer) => {
        const m = maps.get(layer)!;
        const [, h, w, c] = m.dims;
        return { data: m.data.subarray(i * h * w * c, (i + 1) * h * w * c), h, w, c };
      });
      expect(expected.length).toBe(dim);
      expect(maxAbsDiff(got.data.subarray(i * dim, (i + 1) * dim), expected) / maxAbs(expected)).toBeLessThanOrEqual(
        1e-4,
      );
    }
  });

  it('different images give different descriptors (the test can tell outputs apart)', () => {
    const d = onnx.get(DEFAULT_BACKBONE_SPEC.inputRange)!.descriptor;
    const dim = d.dims[1];
    expect(maxAbsDiff(d.data.subarray(0, dim), d.data.subarray(dim, 2 * dim))).toBeGreaterThan(1e-3);
  });
});
