/** Descriptors of greyscale dataset rows: the right rows, as the app describes a PNG file, cached. */
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../model/build.js';
import { Encoder } from '../../model/encoder.js';
import { decodeImage, encodeImage } from '../../model/image/decode.js';
import type { LabelledSet } from './datasets.js';
import { describeGreyRows } from './grey-descriptors.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';

const SIDE = 28;
let dir: string;
let encoder: Encoder;
const name = `grey-test-${process.pid}-${Date.now()}`;
const version = 'test-backbone';
const cacheFile = (rows: number) => path.join(os.tmpdir(), `lookalike-${name}-${rows}-${version}.f32`);

/** Four 28×28 images: a bright square at a different place in each, on black; labels 5, 6, 7, 8. */
const set: LabelledSet = (() => {
  const features = new Float32Array(4 * SIDE * SIDE);
  for (let k = 0; k < 4; k++)
    for (let y = 0; y < 10; y++)
      for (let x = 0; x < 10; x++) features[k * SIDE * SIDE + (y + 3 + 4 * (k >> 1)) * SIDE + x + 3 + 12 * (k & 1)] = 1;
  return {
    features,
    dim: SIDE * SIDE,
    count: 4,
    labels: Int32Array.of(5, 6, 7, 8),
    imageShape: { width: SIDE, height: SIDE },
  };
})();

beforeAll(async () => {
  dir = tempDir('grey');
  buildModel(dir);
  encoder = await Encoder.open({ artifactsDir: dir, head: null });
});

afterAll(async () => {
  await encoder.close();
  for (const rows of [2, 4]) rmSync(cacheFile(rows), { force: true });
});

describe('describeGreyRows', () => {
  it('describes the chosen rows as their PNG files, with their labels, and caches them', async () => {
    const all = await describeGreyRows(encoder, set, [0, 1, 2, 3], name, version);
    expect(all.count).toBe(4);
    expect(all.dim).toBe(encoder.descriptorDim);
    expect(Array.from(all.labels)).toEqual([5, 6, 7, 8]);
    expect(existsSync(cacheFile(4))).toBe(true);

    // Row 2 as a user's PNG file, described the app's way.
    const px = Uint8Array.from(set.features.subarray(2 * SIDE * SIDE, 3 * SIDE * SIDE), (v) => Math.round(v * 255));
    const png = await encodeImage({ data: px, width: SIDE, height: SIDE, channels: 1 }, 'png');
    const [expected] = await encoder.describe([await decodeImage(png, encoder.decodeOptions)]);
    const dim = all.dim;
    expect(Array.from(all.features.subarray(2 * dim, 3 * dim))).toEqual(Array.from(expected!));

    // Different pictures, different descriptors.
    expect(Array.from(all.features.subarray(0, dim))).not.toEqual(Array.from(all.features.subarray(dim, 2 * dim)));

    // A subset in another order takes those rows; the cache returns the same values.
    const some = await describeGreyRows(encoder, set, [3, 1], name, version);
    expect(Array.from(some.labels)).toEqual([8, 6]);
    expect(Array.from(some.features.subarray(0, dim))).toEqual(Array.from(all.features.subarray(3 * dim, 4 * dim)));
    const again = await describeGreyRows(encoder, set, [0, 1, 2, 3], name, version);
    expect(Array.from(again.features)).toEqual(Array.from(all.features));
  });

  it('refuses a set that is not images', async () => {
    await expect(describeGreyRows(encoder, { ...set, imageShape: undefined }, [0], name, version)).rejects.toThrow(
      /not an image set/,
    );
  });
});
