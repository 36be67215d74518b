import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RawImage } from '../../../model/types.js';
import { orient } from './dihedral.js';

/** Orientation k as sharp computes it: turn clockwise, then mirror left–right. */
async function sharpOrient(image: RawImage, k: number): Promise<RawImage> {
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
  if (k & 3) pipeline = pipeline.rotate(90 * (k & 3));
  const turned = await pipeline.raw().toBuffer({ resolveWithObject: true });
  let result = sharp(turned.data, {
    raw: { width: turned.info.width, height: turned.info.height, channels: image.channels },
  });
  if (k >= 4) result = result.flop();
  const { data, info } = await result.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: image.channels };
}

describe('orient', () => {
  it('matches sharp for all eight orientations of a non-square image', async () => {
    const width = 5;
    const height = 3;
    const image: RawImage = {
      data: Uint8Array.from({ length: width * height * 3 }, (_, i) => i),
      width,
      height,
      channels: 3,
    };
    for (let k = 0; k < 8; k++) expect(orient(image, k)).toEqual(await sharpOrient(image, k));
  });
});
