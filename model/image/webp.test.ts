import { describe, expect, it } from 'vitest';
import { syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';
import { DecodeError, decodeImage, encodeImage, makeThumbnail } from './decode.js';
import { decodeSimpleWebp, simpleLossyWebpSize, WASM_MAX_PIXELS } from './webp.js';
import type { RawImage } from '../types.js';

/** sharp's decode of the same bytes: a region of the whole picture keeps decodeImage off the wasm path. */
const sharpDecode = (bytes: Uint8Array, image: { width: number; height: number }) =>
  decodeImage(bytes, { region: { left: 0, top: 0, width: image.width, height: image.height } });

describe('lossy WebP through libwebp in wasm', () => {
  it('gives the thumbnails the same pixels as sharp does', async () => {
    for (const [width, height, seed] of [
      [640, 480, 1],
      [300, 500, 2],
      [256, 256, 3],
      [1000, 37, 4],
      [5, 9, 5],
    ]) {
      const thumbnail = await makeThumbnail(syntheticPhoto({ width, height, seed }));
      const size = simpleLossyWebpSize(thumbnail);
      expect(size).not.toBeNull();
      const fast = await decodeSimpleWebp(thumbnail, 1e9);
      expect(fast).not.toBeNull();
      const slow = await sharpDecode(thumbnail, size!);
      expect([fast!.width, fast!.height, fast!.channels]).toEqual([slow.width, slow.height, 3]);
      expect(Buffer.from(fast!.data).equals(Buffer.from(slow.data))).toBe(true);
      // decodeImage takes the wasm path for them, to the same pixels.
      expect(Buffer.from((await decodeImage(thumbnail)).data).equals(Buffer.from(slow.data))).toBe(true);
    }
  });

  it('leaves every other WebP to sharp, which decodes it as before', async () => {
    const rgba: RawImage = { width: 8, height: 6, channels: 4, data: new Uint8Array(8 * 6 * 4).fill(0) };
    for (let i = 0; i < rgba.data.length; i += 4) rgba.data.set([200, 40, 20, i < 96 ? 255 : 0], i);
    const withAlpha = await encodeImage(rgba, 'webp', { quality: 90 });
    expect(simpleLossyWebpSize(withAlpha)).toBeNull();
    expect(await decodeSimpleWebp(withAlpha, 1e9)).toBeNull();
    const flattened = await decodeImage(withAlpha);
    // The transparent half is flattened on white, as sharp's path does.
    expect(Array.from(flattened.data.subarray(flattened.data.length - 3))).toEqual([255, 255, 255]);

    const photo = syntheticPhoto({ width: 64, height: 48, seed: 7 });
    const profiled = await encodeImage(photo, 'webp', { quality: 80, iccProfile: 'p3' });
    expect(simpleLossyWebpSize(profiled)).toBeNull();
    const p3 = await decodeImage(profiled);
    expect(p3).toMatchObject({ width: 64, height: 48, channels: 3 });

    const lossy = await encodeImage(photo, 'webp', { quality: 80 });
    expect(simpleLossyWebpSize(lossy)).toEqual({ width: 64, height: 48 });
    // Larger than allowed: not taken here, and sharp refuses it.
    expect(await decodeSimpleWebp(lossy, 64 * 48 - 1)).toBeNull();
    await expect(decodeImage(lossy, { maxPixels: 64 * 48 - 1 })).rejects.toBeInstanceOf(DecodeError);
    // A picture larger than WASM_MAX_PIXELS is left to sharp (the module's memory would keep its size).
    const side = Math.ceil(Math.sqrt(WASM_MAX_PIXELS)) + 1;
    const large = await encodeImage(
      { width: side, height: side, channels: 3, data: new Uint8Array(side * side * 3).fill(128) },
      'webp',
      { quality: 50 },
    );
    expect(simpleLossyWebpSize(large)).toEqual({ width: side, height: side });
    expect(await decodeSimpleWebp(large, 1e9)).toBeNull();
    expect(await decodeImage(large)).toMatchObject({ width: side, height: side, channels: 3 });
  });

  it('rejects a truncated or damaged WebP with a DecodeError', async () => {
    const thumbnail = await makeThumbnail(syntheticPhoto({ width: 320, height: 240, seed: 9 }));
    const truncated = thumbnail.subarray(0, Math.floor(thumbnail.length / 2));
    expect(await decodeSimpleWebp(truncated, 1e9)).toBeNull();
    await expect(decodeImage(truncated)).rejects.toBeInstanceOf(DecodeError);
    const header = Uint8Array.from(thumbnail.subarray(0, 30));
    expect(await decodeSimpleWebp(header, 1e9)).toBeNull();
    await expect(decodeImage(header)).rejects.toBeInstanceOf(DecodeError);
  });
});
