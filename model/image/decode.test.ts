import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeBmp } from './bmp.js';
import {
  channelMeans,
  inverseOrientation,
  meanAbsoluteDifference,
  orientPixels,
  syntheticPhoto,
  type Orientation,
} from '../../tests/helpers/synthetic-photo.js';
import {
  DecodeError,
  decodeForCatalog,
  decodeImage,
  editImage,
  encodeImage,
  makeThumbnail,
  MODEL_INPUT_DECODE,
  probeImage,
  resizeImage,
  type DecodeErrorCode,
} from './decode.js';
import type { RawImage } from '../types.js';
import { MIN_TRIMMED_CUT } from '../variants.js';
import { pngBomb } from '../../tests/helpers/png-bomb.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';

const fixtures = new URL('../../tests/fixtures/', import.meta.url).pathname;
// Non-square so that a missing or doubled 90° rotation shows up in the dimensions too.
const photo = syntheticPhoto({ width: 96, height: 64, seed: 42 });
let dir: string;

beforeAll(() => {
  dir = tempDir('image');
});

function solid(width: number, height: number, rgba: number[]): RawImage {
  const channels = rgba.length as 3 | 4;
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = rgba[i % channels];
  return { data, width, height, channels };
}

/** Rec. 601 luma of gamma-encoded RGB: close to, not exactly, libvips's colorimetric b-w conversion. */
function luminance(image: RawImage): RawImage {
  const data = new Uint8Array(image.width * image.height);
  for (let i = 0; i < data.length; i++) {
    const [r, g, b] = [image.data[i * 3], image.data[i * 3 + 1], image.data[i * 3 + 2]];
    data[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  return { data, width: image.width, height: image.height, channels: 1 };
}

async function expectDecodeError(promise: Promise<unknown>, code: DecodeErrorCode): Promise<DecodeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DecodeError);
  expect((error as DecodeError).code).toBe(code);
  return error as DecodeError;
}

describe('EXIF orientation', () => {
  it.each([3, 6, 8, 2, 4, 5, 7] as Orientation[])('orientation %i decodes to the upright pixels', async (o) => {
    const upright = await decodeImage(await encodeImage(photo, 'jpeg', { quality: 95 }));
    const storedSideways = await encodeImage(orientPixels(photo, inverseOrientation(o)), 'jpeg', {
      quality: 95,
      orientation: o,
    });
    const decoded = await decodeImage(storedSideways);
    expect([decoded.width, decoded.height]).toEqual([96, 64]);
    expect(meanAbsoluteDifference(decoded, upright)).toBeLessThan(2.5);
    // The resize path (JPEG shrink-on-load) must orient before fitting the box.
    const [small, smallUpright] = await Promise.all([
      decodeImage(storedSideways, { size: 32, fit: 'inside' }),
      decodeImage(await encodeImage(photo, 'jpeg', { quality: 95 }), { size: 32, fit: 'inside' }),
    ]);
    expect([small.width, small.height]).toEqual([32, 21]);
    expect(meanAbsoluteDifference(small, smallUpright)).toBeLessThan(3);
    const info = await probeImage(storedSideways);
    expect(info).toMatchObject({ width: 96, height: 64, format: 'jpeg', orientation: o });
  });
});

describe('formats', () => {
  it.each([
    ['png', 0.01],
    ['tiff', 0.01],
    ['webp', 6],
    ['avif', 8],
    ['jpeg', 7],
  ] as const)('%s decodes to the right size and colours', async (format, tolerance) => {
    const file = join(dir, `photo.${format}`);
    await writeFile(file, await encodeImage(photo, format));
    const decoded = await decodeImage(file);
    expect(decoded).toMatchObject({ width: 96, height: 64, channels: 3 });
    expect(meanAbsoluteDifference(decoded, photo)).toBeLessThan(tolerance);
    expect(await probeImage(file)).toMatchObject({ width: 96, height: 64, format, hasAlpha: false });
  });

  it('uses the first frame of an animated GIF and WebP', async () => {
    const red = solid(40, 30, [230, 20, 20]);
    const blue = solid(40, 30, [20, 20, 230]);
    for (const format of ['gif', 'webp'] as const) {
      const animated = await encodeImage(red, format, { extraFrames: [blue, solid(40, 30, [20, 230, 20])] });
      expect(await probeImage(animated)).toMatchObject({ width: 40, height: 30, pages: 3 });
      const decoded = await decodeImage(animated);
      expect([decoded.width, decoded.height]).toEqual([40, 30]);
      const [r, g, b] = channelMeans(decoded);
      expect(r).toBeGreaterThan(200);
      expect(g + b).toBeLessThan(80);
    }
  });

  it('expands greyscale PNG and JPEG to RGB, or keeps one channel when asked', async () => {
    const grey = luminance(photo);
    for (const format of ['png', 'jpeg'] as const) {
      const file = await encodeImage(photo, format, { colourspace: 'b-w' });
      const rgb = await decodeImage(file);
      expect(rgb.channels).toBe(3);
      const means = channelMeans(rgb);
      expect(Math.max(...means) - Math.min(...means)).toBeLessThan(0.5);
      const single = await decodeImage(file, { channels: 1 });
      expect(single.channels).toBe(1);
      expect(meanAbsoluteDifference(single, grey)).toBeLessThan(format === 'png' ? 4 : 6);
    }
  });

  it('converts CMYK JPEG to sRGB with plausible colours', async () => {
    const cmyk = await encodeImage(photo, 'jpeg', { colourspace: 'cmyk', quality: 95 });
    const decoded = await decodeImage(cmyk);
    expect(decoded.channels).toBe(3);
    expect(meanAbsoluteDifference(decoded, photo)).toBeLessThan(25); // CMYK gamut round trip is lossy
    const red = await decodeImage(await encodeImage(solid(16, 16, [220, 30, 30]), 'jpeg', { colourspace: 'cmyk' }));
    const [r, g, b] = channelMeans(red);
    expect(r).toBeGreaterThan(170);
    expect(Math.max(g, b)).toBeLessThan(90);
  });

  it('reduces 16-bit PNG to 8 bits without losing the picture', async () => {
    const png16 = await encodeImage(photo, 'png', { colourspace: 'rgb16' });
    const decoded = await decodeImage(png16);
    expect(decoded.data).toBeInstanceOf(Uint8Array);
    expect(decoded.data.length).toBe(96 * 64 * 3);
    expect(meanAbsoluteDifference(decoded, photo)).toBeLessThan(1);
  });

  it('flattens transparency onto white', async () => {
    const image = solid(20, 10, [200, 0, 0, 255]);
    for (let i = 0; i < 20 * 5; i++) image.data[i * 4 + 3] = 0; // top half fully transparent
    for (const bytes of [await encodeImage(image, 'png'), Buffer.from(encodeBmp(image))]) {
      expect((await probeImage(bytes)).hasAlpha).toBe(true);
      const decoded = await decodeImage(bytes);
      expect(decoded.channels).toBe(3);
      expect(Array.from(decoded.data.subarray(0, 3))).toEqual([255, 255, 255]);
      expect(Array.from(decoded.data.subarray(decoded.data.length - 3))).toEqual([200, 0, 0]);
    }
  });

  it('honours an embedded ICC profile (Display P3 → sRGB)', async () => {
    const p3 = await encodeImage(solid(8, 8, [255, 0, 0]), 'png', { iccProfile: 'p3' });
    // The file stores P3 numbers (about 234,51,35 for sRGB red); decoding must map them back.
    const [r, g, b] = channelMeans(await decodeImage(p3));
    expect(r).toBeGreaterThan(250);
    expect(Math.max(g, b)).toBeLessThan(6);
  });

  it('decodes BMP with the pure-TS reader', async () => {
    const file = join(dir, 'photo.bmp');
    await writeFile(file, encodeBmp(photo));
    expect(meanAbsoluteDifference(await decodeImage(file), photo)).toBe(0);
    expect(await probeImage(file)).toMatchObject({ width: 96, height: 64, format: 'bmp' });
    expect(await decodeImage(file, { size: 24 })).toMatchObject({ width: 24, height: 24 });
  });

  it('resizes to the model input and honours fit', async () => {
    const jpeg = await encodeImage(photo, 'jpeg');
    expect(await decodeImage(jpeg, MODEL_INPUT_DECODE)).toMatchObject({ width: 224, height: 224, channels: 3 });
    expect(await decodeImage(jpeg, { size: 48, fit: 'inside' })).toMatchObject({ width: 48, height: 32 });
    expect(await decodeImage(jpeg, { size: 48, fit: 'cover' })).toMatchObject({ width: 48, height: 48 });
    const contained = await decodeImage(jpeg, { size: 48, fit: 'contain' });
    expect(Array.from(contained.data.subarray(0, 3))).toEqual([255, 255, 255]); // letterbox is white
    const resized = await resizeImage(await decodeImage(jpeg), 20, 'fill');
    expect(resized).toMatchObject({ width: 20, height: 20, channels: 3 });
  });
});

describe('HEIC (fixtures made with heif-enc by tests/fixtures/make-heic-fixtures.ts)', () => {
  it('decodes to the pixels it was encoded from', async () => {
    const reference = await decodeImage(join(fixtures, 'heic-reference.png'));
    const decoded = await decodeImage(join(fixtures, 'synthetic.heic'));
    expect(decoded).toMatchObject({ width: 128, height: 96, channels: 3 });
    expect(meanAbsoluteDifference(decoded, reference)).toBeLessThan(5);
    expect(await probeImage(join(fixtures, 'synthetic.heic'))).toMatchObject({
      width: 128,
      height: 96,
      format: 'heic',
    });
    expect(await decodeImage(join(fixtures, 'synthetic.heic'), MODEL_INPUT_DECODE)).toMatchObject({ width: 224 });
  });

  it('applies the irot rotation exactly once', async () => {
    const reference = await decodeImage(join(fixtures, 'heic-reference.png'));
    const decoded = await decodeImage(join(fixtures, 'synthetic-irot90.heic'));
    expect([decoded.width, decoded.height]).toEqual([96, 128]);
    // irot 1 = 90° anticlockwise, the same transform as EXIF orientation 8.
    expect(meanAbsoluteDifference(decoded, orientPixels(reference, 8))).toBeLessThan(5);
    expect(await probeImage(join(fixtures, 'synthetic-irot90.heic'))).toMatchObject({ width: 96, height: 128 });
  });

  it('honours the ICC profile of a HEIC (Display P3, as iPhones write)', async () => {
    // The file stores about 234,51,34 (sRGB red in P3 numbers); ignoring the profile would return those.
    const [r, g, b] = channelMeans(await decodeImage(join(fixtures, 'red-p3.heic')));
    expect(r).toBeGreaterThan(245);
    expect(Math.max(g, b)).toBeLessThan(15);
  });
});

describe('thumbnails', () => {
  it('makes a WebP no larger than the requested size, from a file or from decoded pixels', async () => {
    const big = syntheticPhoto({ width: 640, height: 480, seed: 3 });
    const file = join(dir, 'big.jpg');
    await writeFile(file, await encodeImage(big, 'jpeg'));
    for (const input of [file, big]) {
      const thumbnail = await makeThumbnail(input);
      expect(await probeImage(thumbnail)).toMatchObject({ width: 256, height: 192, format: 'webp' });
    }
    expect(await probeImage(await makeThumbnail(photo))).toMatchObject({ width: 96, height: 64 }); // never enlarged
    const fromHeic = await makeThumbnail(join(fixtures, 'synthetic.heic'), 64);
    expect(await probeImage(fromHeic)).toMatchObject({ width: 64, height: 48 });
  });

  it('decodeForCatalog cuts the model input and the thumbnail from one decode', async () => {
    const big = syntheticPhoto({ width: 1200, height: 900, seed: 4 });
    const jpeg = await encodeImage(big, 'jpeg', { quality: 95 });
    const { model, thumbnail } = await decodeForCatalog(jpeg);
    expect(await probeImage(thumbnail)).toMatchObject({ width: 256, height: 192, format: 'webp' });
    const direct = await decodeImage(jpeg, MODEL_INPUT_DECODE);
    expect(model).toMatchObject({ width: 224, height: 224, channels: 3 });
    expect(meanAbsoluteDifference(model, direct)).toBeLessThan(3);
  });

  it('decodeForCatalog’s shrink-on-load decode gives what a full decode then a resize gives (EXIF turn, P3 profile)', async () => {
    // A large JPEG stored turned, with the tag that turns it back, in Display P3: both the turn and the colour
    // conversion must happen whatever size libjpeg decodes at (shrink-on-load decodes at 1/2, 1/4 or 1/8).
    const upright = syntheticPhoto({ width: 2400, height: 1600, seed: 12 });
    const jpeg = await encodeImage(orientPixels(upright, inverseOrientation(6)), 'jpeg', {
      quality: 92,
      orientation: 6,
      iccProfile: 'p3',
    });
    const { model, thumbnail } = await decodeForCatalog(jpeg, { modelSize: 160, thumbnailSize: 256 });
    const full = await decodeImage(jpeg); // every pixel, turned and converted to sRGB
    expect([full.width, full.height]).toEqual([2400, 1600]);
    const reference = await resizeImage(full, 160, 'fill');
    expect(model).toMatchObject({ width: 160, height: 160, channels: 3 });
    expect(meanAbsoluteDifference(model, reference)).toBeLessThan(2);
    const thumb = await decodeImage(thumbnail);
    expect([thumb.width, thumb.height]).toEqual([256, 171]);
    const thumbReference = await decodeImage(await encodeImage(full, 'png'), { size: 256, fit: 'inside' });
    expect(meanAbsoluteDifference(thumb, thumbReference)).toBeLessThan(3); // WebP q75 noise
    // A missed turn would be far off: the stored pixels, not turned back.
    const stored = await resizeImage(orientPixels(upright, inverseOrientation(6)), 160, 'fill');
    expect(meanAbsoluteDifference(model, stored)).toBeGreaterThan(10);
  });

  it('decodeForCatalog gives the model input inside uniform borders, and none for a picture without them', async () => {
    const inside = syntheticPhoto({ width: 800, height: 600, seed: 6 });
    const plain = await decodeForCatalog(await encodeImage(inside, 'png'));
    expect(plain.trimmed).toBeNull();
    expect(plain.content).toEqual({ width: 1, height: 1 });
    // Letterbox bars above and below: a quarter of the height each.
    const bars = { op: 'extend' as const, top: 200, bottom: 200, left: 0, right: 0, colour: [0, 0, 0] as const };
    const boxed = await decodeForCatalog(await encodeImage(await editImage(inside, [bars]), 'jpeg', { quality: 92 }));
    expect(boxed.content.width).toBe(1);
    expect(boxed.content.height).toBeGreaterThan(0.55);
    expect(boxed.content.height).toBeLessThan(0.6); // 600/1000 less the seam
    expect(boxed.trimmed).toMatchObject({ width: 224, height: 224, channels: 3 });
    // The trimmed input is the picture itself, not the bars: close to the unframed photo's, far from the framed one's.
    expect(meanAbsoluteDifference(boxed.trimmed!, plain.model)).toBeLessThan(12);
    expect(meanAbsoluteDifference(boxed.model, plain.model)).toBeGreaterThan(3 * 12);
    // A thin frame (1 % a side) is measured, but it is a crop the head is invariant to: no trimmed input.
    const thin = { op: 'extend' as const, top: 6, bottom: 6, left: 8, right: 8, colour: [255, 255, 255] as const };
    const framed = await decodeForCatalog(await encodeImage(await editImage(inside, [thin]), 'png'));
    expect(framed.content.width).toBeLessThan(1);
    expect(framed.content.width).toBeGreaterThan(1 - MIN_TRIMMED_CUT);
    expect(framed.trimmed).toBeNull();
  });
});

describe('bad input', () => {
  it('truncated JPEG → CORRUPT', async () => {
    const jpeg = await encodeImage(photo, 'jpeg');
    const file = join(dir, 'truncated.jpg');
    await writeFile(file, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    const error = await expectDecodeError(decodeImage(file), 'CORRUPT');
    expect(error.path).toBe(file);
    await expectDecodeError(decodeImage(jpeg.subarray(0, 200)), 'CORRUPT');
  });

  it('zero-byte file → EMPTY', async () => {
    const file = join(dir, 'empty.jpg');
    await writeFile(file, '');
    await expectDecodeError(decodeImage(file), 'EMPTY');
    await expectDecodeError(probeImage(file), 'EMPTY');
    await expectDecodeError(decodeImage(Buffer.alloc(0)), 'EMPTY');
  });

  it('text file named .jpg → UNSUPPORTED', async () => {
    const file = join(dir, 'notes.jpg');
    await writeFile(file, 'Shopping list: eggs, milk, a camera that writes real JPEGs.\n'.repeat(5));
    const error = await expectDecodeError(decodeImage(file), 'UNSUPPORTED');
    expect(error.path).toBe(file);
    await expectDecodeError(probeImage(file), 'UNSUPPORTED');
  });

  it('50000×50000 PNG bomb → TOO_LARGE, quickly, while probing still reports its claimed size', async () => {
    const bomb = pngBomb(50_000, 50_000);
    expect(bomb.length).toBeLessThan(2000);
    const file = join(dir, 'bomb.png');
    await writeFile(file, bomb);
    const started = performance.now();
    await expectDecodeError(decodeImage(file), 'TOO_LARGE');
    await expectDecodeError(decodeImage(bomb, MODEL_INPUT_DECODE), 'TOO_LARGE');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await probeImage(file)).toMatchObject({ width: 50_000, height: 50_000, format: 'png' });
  });

  it('the pixel limit is configurable and applies to HEIC and BMP before decoding', async () => {
    const jpeg = await encodeImage(photo, 'jpeg');
    await expectDecodeError(decodeImage(jpeg, { maxPixels: 1000 }), 'TOO_LARGE');
    await expectDecodeError(decodeImage(join(fixtures, 'synthetic.heic'), { maxPixels: 1000 }), 'TOO_LARGE');
    await expectDecodeError(decodeImage(Buffer.from(encodeBmp(photo)), { maxPixels: 1000 }), 'TOO_LARGE');
  });

  it('missing file and directory → IO', async () => {
    await expectDecodeError(decodeImage(join(dir, 'no-such-photo.jpg')), 'IO');
    await expectDecodeError(probeImage(join(dir, 'no-such-photo.jpg')), 'IO');
    const folder = join(dir, 'folder.jpg');
    await mkdir(folder, { recursive: true });
    await expectDecodeError(decodeImage(folder), 'IO');
  });

  it('damaged HEIC and BMP → CORRUPT', async () => {
    const { readFile } = await import('node:fs/promises');
    const heic = await readFile(join(fixtures, 'synthetic.heic'));
    await expectDecodeError(decodeImage(heic.subarray(0, heic.length - 2000)), 'CORRUPT');
    await expectDecodeError(decodeImage(heic.subarray(0, 40)), 'CORRUPT');
    const bmp = encodeBmp(photo);
    await expectDecodeError(decodeImage(Buffer.from(bmp.subarray(0, bmp.length / 2))), 'CORRUPT');
  });
});
