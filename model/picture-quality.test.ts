import { describe, expect, it } from 'vitest';
import { editImage, encodeImage } from './image.js';
import { syntheticPhoto } from './image-synthetic.js';
import { isGrey, jpegQualityOf } from './picture-quality.js';

describe('picture quality facts', () => {
  const photo = syntheticPhoto({ width: 160, height: 120, seed: 7 });

  it('estimates the quality a JPEG was saved at from its quantisation table', async () => {
    for (const quality of [30, 40, 50, 70, 80, 90, 95]) {
      const estimate = jpegQualityOf(await encodeImage(photo, 'jpeg', { quality }));
      expect(Math.abs(estimate! - quality), `quality ${quality} read as ${estimate}`).toBeLessThanOrEqual(1);
    }
  });

  it('gives no JPEG quality for other formats or broken bytes', async () => {
    expect(jpegQualityOf(await encodeImage(photo, 'png'))).toBeNull();
    expect(jpegQualityOf(new Uint8Array([0xff, 0xd8, 0x00, 0x00]))).toBeNull();
    expect(jpegQualityOf(new Uint8Array(0))).toBeNull();
  });

  it('tells a greyscale copy from the colour photo', async () => {
    expect(isGrey(photo)).toBe(false);
    const grey = await editImage(photo, [{ op: 'greyscale' }]);
    expect(isGrey({ ...grey, data: grey.channels === 3 ? grey.data : expandGrey(grey.data), channels: 3 })).toBe(true);
  });
});

function expandGrey(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length * 3);
  for (let i = 0; i < data.length; i++) out.fill(data[i], 3 * i, 3 * i + 3);
  return out;
}
