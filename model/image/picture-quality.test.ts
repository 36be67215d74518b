import { describe, expect, it } from 'vitest';
import { decodeImage, editImage, encodeImage } from './decode.js';
import { syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';
import { holdsMoreDetail, insideEvenFrame, isGrey, jpegQualityOf } from './picture-quality.js';

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

describe('detail of a larger copy', () => {
  const photo = syntheticPhoto({ width: 480, height: 360, seed: 11 });

  it('finds that an enlarged copy holds no finer detail than the picture it was enlarged from', async () => {
    for (const factor of [1.5, 2, 4]) {
      const enlarged = await editImage(photo, [{ op: 'resize', width: Math.round(480 * factor) }]);
      expect(await holdsMoreDetail(enlarged, photo), `enlarged ${factor}×`).toBe(false);
    }
  });

  it('finds that a photo holds finer detail than its shrunk copy', async () => {
    const half = await editImage(photo, [{ op: 'resize', width: 240 }]);
    expect(await holdsMoreDetail(photo, half)).toBe(true);
  });
});

describe('the even part of a uniform border', () => {
  const photo = syntheticPhoto({ width: 200, height: 150, seed: 5 });

  it('takes an added frame away, but not a plain area along one side', async () => {
    const framed = await editImage(photo, [
      { op: 'extend', top: 20, bottom: 20, left: 20, right: 20, colour: [255, 255, 255] },
    ]);
    const inside = insideEvenFrame(framed);
    expect(inside.width).toBeGreaterThan(0.78);
    expect(inside.width).toBeLessThan(0.86);
    expect(inside.height).toBeLessThan(0.84);
    const sideOnly = await editImage(photo, [
      { op: 'extend', top: 0, bottom: 0, left: 0, right: 80, colour: [255, 255, 255] },
    ]);
    expect(insideEvenFrame(sideOnly)).toEqual({ width: 1, height: 1 });
    // A dark edge of 3 px (1.5 % of a side; a scan's or a fundus photo's edge line) is no frame.
    const edged = await editImage(photo, [{ op: 'extend', top: 3, bottom: 3, left: 3, right: 3, colour: [0, 0, 0] }]);
    expect(insideEvenFrame(edged)).toEqual({ width: 1, height: 1 });
  });

  it('takes a noisy dark surround for picture (a micrograph), and a flat frame added around it for frame', async () => {
    // cell.png of the shared photos: its near-black surround is uniform within the content box's tolerance, so it
    // was taken for an added frame that its brightened or cropped copies lack, and the original lost to them.
    const surround = 30;
    const [w, h] = [photo.width + 2 * surround, photo.height + 2 * surround];
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.fill((i * 7919) % 17, 3 * i, 3 * i + 3);
    const slide = { data, width: w, height: h, channels: 3 as const };
    for (let y = 0; y < photo.height; y++) {
      const row = photo.data.subarray(y * photo.width * 3, (y + 1) * photo.width * 3);
      data.set(row, ((y + surround) * w + surround) * 3);
    }
    const resaved = await decodeImage(await encodeImage(slide, 'jpeg', { quality: 90 }));
    expect(insideEvenFrame(resaved)).toEqual({ width: 1, height: 1 });
    const framed = await editImage(slide, [
      { op: 'extend', top: 24, bottom: 24, left: 24, right: 24, colour: [255, 255, 255] },
    ]);
    const inside = insideEvenFrame(await decodeImage(await encodeImage(framed, 'jpeg', { quality: 90 })));
    // The white frame is 24 of 308 columns on each side (0.84 inside); the noisy surround within it is picture.
    expect(inside.width).toBeGreaterThan(0.82);
    expect(inside.width).toBeLessThan(0.87);
    expect(inside.height).toBeGreaterThan(0.78);
    expect(inside.height).toBeLessThan(0.84);
  });
});
