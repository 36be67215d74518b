import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { SearchService } from '../../electron/search/service.js';
import { decodeImage, editImage, encodeImage, resizeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// The keep rule end to end: a copy with an added uniform border has more pixels than its original but no more
// picture, so the original is proposed; a copy that really has more picture still wins. The real case was
// `ihc--border.jpg` (574×574) kept over its 512×512 original.
let app: App | null = null;
let photos = '';
afterEach(() => app?.close());

/** A library of `files`; those named in `olderFiles` are dated a day earlier (an original precedes its copies). */
async function library(files: Record<string, Promise<Buffer>>, olderFiles: string[] = []): Promise<App> {
  const dir = tempDir('border');
  photos = path.join(dir, 'photos');
  mkdirSync(photos);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(photos, name), await bytes);
  const dayAgo = new Date(Date.now() - 86_400_000);
  for (const name of olderFiles) utimesSync(path.join(photos, name), dayAgo, dayAgo);
  app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
  await app.dispatcher.call('scan.run', { folders: [photos] });
  return app;
}

/**
 * The copy proposed to keep when `names` form a group: the report the `dupes.find` handler builds, over what the
 * scan stored. The group is given rather than found: the fixture encoder's 8×8 average hash does not see through
 * a border (the real model's grouping of bordered copies is measured by tests/bench/dedup).
 */
async function keptAmong(a: App, names: string[]): Promise<string> {
  const catalog = a.library.get();
  const ids = names.map((name) => catalog.photoByPath(path.join(photos, name))!.id);
  const search = new SearchService(
    () => catalog,
    () => 0,
  );
  const [group] = await search.report([{ kind: 'near', ids, representativeId: ids[0], maxDistance: 0 }]);
  expect(group.files.map((f) => path.basename(f.path)).sort()).toEqual([...names].sort());
  return path.basename(group.files.find((f) => f.keep)!.path);
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
    const catalog = a.library.get();
    const border = catalog.photoByPath(path.join(photos, 'ihc--border.jpg'))!;
    expect(border).toMatchObject({ width: 574, height: 574 });
    // The measured picture is no larger than the original, and not much smaller.
    for (const side of [border.contentWidth, border.contentHeight]) {
      expect(side).toBeLessThanOrEqual(512);
      expect(side).toBeGreaterThanOrEqual(490);
    }
    expect(catalog.photoByPath(path.join(photos, 'ihc.jpg'))).toMatchObject({ contentWidth: 512, contentHeight: 512 });
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
});
