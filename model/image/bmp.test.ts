import { describe, expect, it } from 'vitest';
import { decodeBmp, encodeBmp, readBmpHeader } from './bmp.js';
import { syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';

/** A BITMAPINFOHEADER BMP with a given bit depth, compression, palette and pixel payload. */
function handmadeBmp(options: {
  width: number;
  height: number;
  bits: number;
  compression?: number;
  palette?: number[][];
  masks?: number[];
  pixels: number[];
}): Uint8Array {
  const palette = options.palette ?? [];
  const masks = options.masks ?? [];
  const pixelOffset = 14 + 40 + masks.length * 4 + palette.length * 4;
  const file = new Uint8Array(pixelOffset + options.pixels.length);
  const view = new DataView(file.buffer);
  file.set([0x42, 0x4d]);
  view.setUint32(2, file.length, true);
  view.setUint32(10, pixelOffset, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, options.width, true);
  view.setInt32(22, options.height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, options.bits, true);
  view.setUint32(30, options.compression ?? 0, true);
  view.setUint32(46, palette.length, true);
  masks.forEach((m, i) => view.setUint32(54 + i * 4, m, true));
  palette.forEach(([r, g, b], i) => file.set([b, g, r, 0], 54 + masks.length * 4 + i * 4));
  file.set(options.pixels, pixelOffset);
  return file;
}

describe('BMP reader', () => {
  it('round-trips 24-bit bottom-up and 32-bit top-down with alpha', () => {
    const photo = syntheticPhoto({ width: 13, height: 7, seed: 1 }); // odd width exercises row padding
    expect(decodeBmp(encodeBmp(photo))).toEqual(photo);
    const rgba = { ...photo, channels: 4 as const, data: new Uint8Array(13 * 7 * 4).map((_, i) => (i * 37) & 255) };
    const file = encodeBmp(rgba, { topDown: true });
    expect(readBmpHeader(file)).toMatchObject({
      width: 13,
      height: 7,
      topDown: true,
      hasAlpha: true,
      bitsPerPixel: 32,
    });
    expect(decodeBmp(file)).toEqual(rgba);
  });

  it('reads 8-bit palettes, 4-bit palettes and 1-bit images', () => {
    const palette = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ];
    // 3×2, bottom-up: bottom row indices 0,1,2; top row 2,1,0; rows padded to 4 bytes.
    const eight = handmadeBmp({ width: 3, height: 2, bits: 8, palette, pixels: [0, 1, 2, 0, 2, 1, 0, 0] });
    expect(Array.from(decodeBmp(eight).data)).toEqual([
      0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255,
    ]);
    const four = handmadeBmp({ width: 3, height: 1, bits: 4, palette, pixels: [0x21, 0x00, 0, 0] });
    expect(Array.from(decodeBmp(four).data)).toEqual([0, 0, 255, 0, 255, 0, 255, 0, 0]);
    const mono = handmadeBmp({ width: 3, height: 1, bits: 1, palette: [[0, 0, 0], [255, 255, 255]], pixels: [0b10100000, 0, 0, 0] }); // prettier-ignore
    expect(Array.from(decodeBmp(mono).data)).toEqual([255, 255, 255, 0, 0, 0, 255, 255, 255]);
  });

  it('reads RLE8 and 16-bit 565 bit fields', () => {
    const palette = [
      [10, 20, 30],
      [200, 100, 50],
    ];
    // Row 0 (bottom): run of 3 × index 1, end of line; row 1: absolute run [0,1,0] (padded), end of bitmap.
    const rle = handmadeBmp({ width: 3, height: 2, bits: 8, compression: 1, palette, pixels: [3, 1, 0, 0, 0, 3, 0, 1, 0, 0, 0, 1] }); // prettier-ignore
    const decoded = decodeBmp(rle).data;
    expect(Array.from(decoded.subarray(0, 9))).toEqual([10, 20, 30, 200, 100, 50, 10, 20, 30]);
    expect(Array.from(decoded.subarray(9))).toEqual([200, 100, 50, 200, 100, 50, 200, 100, 50]);
    // One pixel, pure red in 565 (0xF800), little-endian, row padded to 4 bytes.
    const red565 = handmadeBmp({ width: 1, height: 1, bits: 16, compression: 3, masks: [0xf800, 0x07e0, 0x001f], pixels: [0x00, 0xf8, 0, 0] }); // prettier-ignore
    expect(Array.from(decodeBmp(red565).data)).toEqual([255, 0, 0]);
  });

  it('rejects truncated data and oversized headers before allocating', () => {
    const file = encodeBmp(syntheticPhoto({ width: 20, height: 20, seed: 2 }));
    expect(() => decodeBmp(file.subarray(0, 200))).toThrow(/truncated/);
    expect(() => decodeBmp(file, 100)).toThrow(/pixel limit/);
    expect(() => decodeBmp(new Uint8Array([0x42, 0x4d, 1, 2]))).toThrow();
  });
});
