/**
 * describeImages over the two kinds of describer: the shipped encoder, and an nsfwjs network converted on
 * the spot (what `training/cli/export-cifar-descriptors.ts --nsfwjs` uses). Converted with the shipped spec,
 * the second must give the shipped backbone's descriptors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../build.js';
import { Encoder } from '../encoder.js';
import { syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';
import type { RawImage } from '../types.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';
import { convertBackbone } from './convert.js';
import { describeImages, openConvertedDescriber, pixelBatch } from './describe-files.js';
import { loadNsfwjsKerasModel } from './keras.js';
import { concatNormalisedBlocks, featureMapOf, poolBlocks } from './reference.js';
import { DEFAULT_BACKBONE_SPEC } from './spec.js';
import { openSession } from '../encoder.js';

let encoder: Encoder;
let converted: Awaited<ReturnType<typeof openConvertedDescriber>>;
let photos: RawImage[];

beforeAll(async () => {
  const dir = tempDir('describe-files');
  buildModel(dir);
  encoder = await Encoder.open({ artifactsDir: dir, head: null, providers: ['cpu'] });
  converted = await openConvertedDescriber('mobilenet_v2', DEFAULT_BACKBONE_SPEC, 1);
  const size = DEFAULT_BACKBONE_SPEC.inputSize;
  photos = Array.from({ length: 5 }, (_, seed) => syntheticPhoto({ width: size, height: size, seed: seed + 40 }));
}, 120_000);

afterAll(async () => {
  await encoder?.close();
  await converted?.close();
});

describe('openConvertedDescriber', () => {
  it('converted with the shipped spec, describes as the shipped encoder does, in batches', async () => {
    expect(converted.descriptorDim).toBe(encoder.descriptorDim);
    expect(converted.decodeOptions).toEqual(encoder.decodeOptions);
    expect(converted.backboneVersion).toBe(
      'mobilenet_v2-block_10_expand_relu-regions2x2+block_13_expand_relu-gap-160-unit',
    );
    const order: number[] = [];
    const load = async (i: number) => (order.push(i), photos[i]!);
    const shipped = await describeImages(encoder, photos.length, load, { batchSize: 2 });
    const mine = await describeImages(converted, photos.length, load, { batchSize: 2 });
    expect(order).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    expect(mine.length).toBe(photos.length * encoder.descriptorDim);
    let worst = 0;
    for (let i = 0; i < mine.length; i++) worst = Math.max(worst, Math.abs(mine[i]! - shipped[i]!));
    expect(worst).toBeLessThan(1e-5);
    // Different photos give different descriptors (the comparison above is not between constants).
    const dim = encoder.descriptorDim;
    let apart = 0;
    for (let k = 0; k < dim; k++) apart += Math.abs(mine[k]! - mine[dim + k]!);
    expect(apart).toBeGreaterThan(0.1);
  });

  it('refuses an image of another size with a clear error', async () => {
    const wrong = syntheticPhoto({ width: 100, height: 80, seed: 1 });
    await expect(converted.describe([wrong])).rejects.toThrow(/100×80×3; this describer takes 160×160×3/);
  });

  it('names a missing layer', async () => {
    await expect(
      openConvertedDescriber('mobilenet_v2', {
        inputSize: 160,
        inputRange: 'unit',
        parts: [{ layer: 'nope', pooling: 'gap' }],
      }),
    ).rejects.toThrow(/nope/);
  });
});

describe('featureMapOf', () => {
  it("cuts each image's map out of a batch: pooled, it gives that image's descriptor", async () => {
    const layer = 'block_13_expand_relu';
    const size = DEFAULT_BACKBONE_SPEC.inputSize;
    const converted = convertBackbone(
      loadNsfwjsKerasModel(),
      { inputSize: size, inputRange: 'unit', parts: [{ layer, pooling: 'gap' }] },
      { featureMaps: [layer] },
    );
    const session = await openSession(converted.bytes, { providers: ['cpu'], threads: 1 });
    const out = await session.run({ pixels: pixelBatch(photos.slice(0, 3), size) });
    await session.release();
    const dim = converted.descriptorDim;
    for (let i = 0; i < 3; i++) {
      const pooled = concatNormalisedBlocks(poolBlocks(featureMapOf(out, layer, i), 'gap'));
      const row = out.descriptor!.data.subarray(i * dim, (i + 1) * dim);
      let worst = 0;
      for (let k = 0; k < dim; k++) worst = Math.max(worst, Math.abs(pooled[k]! - row[k]!));
      expect(worst, `image ${i}`).toBeLessThan(1e-5);
    }
    expect(() => featureMapOf(out, 'block_6_expand_relu', 0)).toThrow(/no feature-map output for block_6_expand_relu/);
  });
});
