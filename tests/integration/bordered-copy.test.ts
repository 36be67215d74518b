import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeImage, editImage, encodeImage, resizeImage } from '../../model/image/decode.js';
import { type KeeperLibrary, keeperLibrary, keptAmong } from '../helpers/keeper-library.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';

// The keep rule end to end: a copy with an added uniform border has more pixels than its original but no more
// picture, so the original is proposed; a copy that really has more picture still wins. The real case was
// `ihc--border.jpg` (574×574) kept over its 512×512 original.
let lib: KeeperLibrary | null = null;
afterEach(() => lib?.app.close());

/** A library of `files` (`olderFiles` dated a day earlier), closed after the test. */
async function library(files: Record<string, Promise<Buffer>>, olderFiles: string[] = []): Promise<KeeperLibrary> {
  lib = await keeperLibrary(files, olderFiles);
  return lib;
}

const original = syntheticPhoto({ width: 512, height: 512, seed: 41 });
const jpeg = (image: Parameters<typeof encodeImage>[0]) => encodeImage(image, 'jpeg', { quality: 92 });
const white: [number, number, number] = [255, 255, 255];
const black: [number, number, number] = [0, 0, 0];

describe('the keep rule and bordered copies', () => {
  it('proposes the original over a copy with a white frame or black letterbox bars', async () => {
    const a = await library({
      'ihc.jpg': jpeg(original),
      'ihc--border.jpg': editImage(original, [
        { op: 'extend', top: 31, bottom: 31, left: 31, right: 31, colour: white },
      ]).then(jpeg),
      'ihc--bars.jpg': editImage(original, [
        { op: 'extend', top: 64, bottom: 64, left: 0, right: 0, colour: black },
      ]).then(jpeg),
    });
    const catalog = a.app.library.get();
    const border = catalog.photoByPath(path.join(a.photos, 'ihc--border.jpg'))!;
    expect(border).toMatchObject({ width: 574, height: 574 });
    // The measured picture is no larger than the original, and not much smaller.
    for (const side of [border.contentWidth, border.contentHeight]) {
      expect(side).toBeLessThanOrEqual(512);
      expect(side).toBeGreaterThanOrEqual(490);
    }
    expect(catalog.photoByPath(path.join(a.photos, 'ihc.jpg'))).toMatchObject({
      contentWidth: 512,
      contentHeight: 512,
    });
    expect(await keptAmong(a, ['ihc.jpg', 'ihc--border.jpg', 'ihc--bars.jpg'])).toBe('ihc.jpg');
  });

  it('still proposes a copy with more picture, bordered or not', async () => {
    const larger = await resizeImage(original, 1024);
    const a = await library({
      'ihc.jpg': jpeg(original),
      'ihc-large--border.jpg': editImage(larger, [
        { op: 'extend', top: 40, bottom: 40, left: 40, right: 40, colour: white },
      ]).then(jpeg),
    });
    expect(await keptAmong(a, ['ihc.jpg', 'ihc-large--border.jpg'])).toBe('ihc-large--border.jpg');
  });
});

describe('the keep rule and edited copies', () => {
  it('proposes the original over a re-compressed, a greyscale, a brightened, a turned lossless and an enlarged copy', async () => {
    // Copies are made from the original file's pixels, as an editor makes them.
    const file = await encodeImage(original, 'jpeg', { quality: 90 });
    const pixels = await decodeImage(file);
    const a = await library(
      {
        'photo.jpg': Promise.resolve(file),
        'photo_q40.jpg': encodeImage(pixels, 'jpeg', { quality: 40 }),
        'photo_grey.jpg': editImage(pixels, [{ op: 'greyscale' }]).then((g) =>
          encodeImage(g, 'jpeg', { quality: 100 }),
        ),
        'photo_bright.jpg': editImage(pixels, [{ op: 'modulate', brightness: 1.3 }]).then((b) =>
          encodeImage(b, 'jpeg', { quality: 90 }),
        ),
        'photo_turned.png': editImage(pixels, [{ op: 'rotate', degrees: 90, colour: white }]).then((t) =>
          encodeImage(t, 'png'),
        ),
        // Enlarged 3× (more pixels, no more detail): the reported big_camera.jpg, 3000 px from a 512 px original.
        'photo_big.jpg': editImage(pixels, [{ op: 'resize', width: 1536, height: 1536 }]).then((b) =>
          encodeImage(b, 'jpeg', { quality: 95 }),
        ),
      },
      ['photo.jpg'],
    );
    for (const copy of ['photo_q40.jpg', 'photo_grey.jpg', 'photo_bright.jpg', 'photo_turned.png', 'photo_big.jpg']) {
      expect(await keptAmong(a, ['photo.jpg', copy]), copy).toBe('photo.jpg');
    }
    expect(
      await keptAmong(a, [
        'photo.jpg',
        'photo_q40.jpg',
        'photo_grey.jpg',
        'photo_bright.jpg',
        'photo_turned.png',
        'photo_big.jpg',
      ]),
    ).toBe('photo.jpg');
  });

  it('proposes a soft original over its half-size copy, although the original looks enlarged from it', async () => {
    // A soft picture (cell.png of the shared photos: a blurred micrograph) holds no more detail than its half-size
    // copy, so it is taken for an enlargement of it; it must not then lose to the copy on sharpness, which only
    // compares copies of one size (the smaller is sharper per pixel).
    const soft = await editImage(original, [{ op: 'blur', sigma: 6 }]);
    const file = await encodeImage(soft, 'png');
    const a = await library(
      {
        'cell.png': Promise.resolve(file),
        'cell_half.jpg': editImage(soft, [{ op: 'resize', width: soft.width / 2, height: soft.height / 2 }]).then((h) =>
          encodeImage(h, 'jpeg', { quality: 90 }),
        ),
      },
      ['cell.png'],
    );
    expect(await keptAmong(a, ['cell.png', 'cell_half.jpg'])).toBe('cell.png');
  });

  it('proposes an unedited copy when the original is missing, not a watermarked or brightened one', async () => {
    // A library that kept only copies, all of one date, none named after another: the watermarked and brightened
    // copies were saved at a higher quality (larger files), the lossless and plain re-saves show the picture as
    // it was (the human check of issue 22 kept watermarked or brightened copies in 25 of 26 such groups).
    const pixels = await decodeImage(await encodeImage(original, 'jpeg', { quality: 90 }));
    const size = Math.round(pixels.width * 0.08);
    const mark =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${pixels.width}" height="${pixels.height}">` +
      `<text x="${pixels.width - size / 2}" y="${pixels.height - size}" text-anchor="end" font-family="sans-serif" ` +
      `font-weight="bold" font-size="${size}" fill="white" fill-opacity="0.8">© Studio 2026</text></svg>`;
    const a = await library({
      'a.jpg': editImage(pixels, [{ op: 'overlay', svg: mark }]).then((w) => encodeImage(w, 'jpeg', { quality: 98 })),
      'b.jpg': editImage(pixels, [{ op: 'modulate', brightness: 1.3 }]).then((b) =>
        encodeImage(b, 'jpeg', { quality: 98 }),
      ),
      'c.png': encodeImage(pixels, 'png'),
      'd.jpg': encodeImage(pixels, 'jpeg', { quality: 80 }),
    });
    expect(['c.png', 'd.jpg']).toContain(await keptAmong(a, ['a.jpg', 'b.jpg', 'c.png', 'd.jpg']));
  });

  it('proposes a copy of the picture at its size when the original is missing, not an enlargement of it', async () => {
    // The enlargement holds more than the lossy re-saves of the picture but no more than its lossless copy.
    const pixels = await decodeImage(await encodeImage(original, 'jpeg', { quality: 90 }));
    const a = await library({
      'a.jpg': editImage(pixels, [{ op: 'resize', width: 1024, height: 1024 }]).then((b) =>
        encodeImage(b, 'jpeg', { quality: 95 }),
      ),
      'b.jpg': encodeImage(pixels, 'jpeg', { quality: 50 }),
      'c.png': encodeImage(pixels, 'png'),
    });
    expect(await keptAmong(a, ['a.jpg', 'b.jpg', 'c.png'])).toBe('c.png');
  });
});
