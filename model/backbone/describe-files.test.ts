/**
 * describeImages over the two kinds of describer: the shipped encoder, and an nsfwjs network converted on
 * the spot (what `training/export-cifar-descriptors.ts --nsfwjs` uses). Converted with the shipped spec,
 * the second must give the shipped backbone's descriptors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../build.js';
import { Encoder } from '../encoder.js';
import { syntheticPhoto } from '../image-synthetic.js';
import type { RawImage } from '../types.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';
import { describeImages, openConvertedDescriber } from './describe-files.js';
import { DEFAULT_BACKBONE_SPEC } from './spec.js';

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
