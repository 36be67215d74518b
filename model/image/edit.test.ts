import { describe, expect, it } from 'vitest';
import { channelMeans, syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';
import { editImage } from './decode.js';
import type { RawImage } from '../types.js';

const photo = syntheticPhoto({ width: 120, height: 80, seed: 7 });

function pixel(image: RawImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * image.channels;
  return Array.from(image.data.subarray(i, i + image.channels));
}

describe('editImage', () => {
  it('crops exactly the requested window', async () => {
    const out = await editImage(photo, [{ op: 'crop', left: 10, top: 5, width: 50, height: 40 }]);
    expect([out.width, out.height, out.channels]).toEqual([50, 40, 3]);
    expect(pixel(out, 0, 0)).toEqual(pixel(photo, 10, 5));
    expect(pixel(out, 49, 39)).toEqual(pixel(photo, 59, 44));
  });

  it('adds borders of the given colour around unchanged pixels', async () => {
    const out = await editImage(photo, [{ op: 'extend', top: 4, bottom: 6, left: 3, right: 2, colour: [255, 0, 0] }]);
    expect([out.width, out.height]).toEqual([125, 90]);
    expect(pixel(out, 0, 0)).toEqual([255, 0, 0]);
    expect(pixel(out, 124, 89)).toEqual([255, 0, 0]);
    expect(pixel(out, 3, 4)).toEqual(pixel(photo, 0, 0));
  });

  it('greyscale keeps three equal channels; brightness and contrast move the means the right way', async () => {
    const grey = await editImage(photo, [{ op: 'greyscale' }]);
    expect(grey.channels).toBe(3);
    for (let i = 0; i < grey.data.length; i += 3) {
      expect(grey.data[i]).toBe(grey.data[i + 1]);
      expect(grey.data[i + 1]).toBe(grey.data[i + 2]);
    }
    const mean = (image: RawImage) => channelMeans(image).reduce((a, b) => a + b, 0) / 3;
    expect(mean(await editImage(photo, [{ op: 'modulate', brightness: 1.4 }]))).toBeGreaterThan(mean(photo) + 10);
    expect(mean(await editImage(photo, [{ op: 'modulate', brightness: 0.6 }]))).toBeLessThan(mean(photo) - 10);
    const flat = await editImage(photo, [{ op: 'linear', gain: 0, offset: 77 }]);
    expect(new Set(flat.data)).toEqual(new Set([77]));
  });

  it('resizes, rotates on a grown canvas, mirrors, blurs and overlays in order', async () => {
    const small = await editImage(photo, [{ op: 'resize', width: 60, height: 40 }]);
    expect([small.width, small.height]).toEqual([60, 40]);
    const turned = await editImage(photo, [{ op: 'rotate', degrees: 10, colour: [0, 0, 0] }]);
    expect(turned.width).toBeGreaterThan(photo.width);
    expect(pixel(turned, 0, 0)).toEqual([0, 0, 0]);
    const mirrored = await editImage(photo, [{ op: 'flop' }]);
    expect(pixel(mirrored, 0, 0)).toEqual(pixel(photo, 119, 0));
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"><rect x="0" y="0" width="20" height="20" fill="#00ff00"/></svg>`;
    const stamped = await editImage(photo, [
      { op: 'overlay', svg },
      { op: 'blur', sigma: 0.5 },
    ]);
    expect(pixel(stamped, 5, 5)).toEqual([0, 255, 0]);
    expect(pixel(stamped, 100, 70)).not.toEqual([0, 255, 0]);
  });
});
