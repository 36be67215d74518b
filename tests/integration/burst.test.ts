import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// What the pixels cannot tell, the capture time can: a burst whose frames are the same picture (nothing moved)
// is two shots, while the photo's copies carry its capture time or none.
let app: App | undefined;
afterEach(() => app?.close());

describe('a burst of one still view', () => {
  it('groups the copies of a shot, not the next shot of the burst, though its pixels are the same', async () => {
    const dir = tempDir('burst');
    const photos = path.join(dir, 'photos');
    mkdirSync(photos);
    const { data, width, height } = syntheticPhoto({ width: 480, height: 360, seed: 77 });
    const save = (name: string, taken: string | null, quality: number, size = width) =>
      sharp(data, { raw: { width, height, channels: 3 } })
        .resize(size)
        .withExif(taken ? { IFD0: { Make: 'Canon', Model: 'EOS 5D' }, IFD2: { DateTimeOriginal: taken } } : {})
        .jpeg({ quality })
        .toFile(path.join(photos, name));
    await save('IMG_0001.jpg', '2024:05:01 10:00:00', 95);
    await save('IMG_0001-export.jpg', '2024:05:01 10:00:00', 70); // a re-saved copy that kept the EXIF
    await save('IMG_0001-shared.jpg', null, 80, 320); // a smaller copy that lost it
    await save('IMG_0002.jpg', '2024:05:01 10:00:02', 95); // the next shot, two seconds later
    await save('IMG_0003.jpg', '2024:05:01 10:00:04', 95); // and the one after
    writeFileSync(path.join(photos, 'notes.txt'), 'not a photo');
    app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
    await app.dispatcher.call('scan.run', { folders: [photos] });

    const { groups } = await app.dispatcher.call('dupes.find', { threshold: 'close' });
    const names = groups.map((g) => g.files.map((f) => path.basename(f.path)).sort());
    // The first shot with its copies; the copy without a time may join either shot, so only shots are checked:
    // no group holds two of them.
    expect(names.some((g) => g.includes('IMG_0001.jpg') && g.includes('IMG_0001-export.jpg'))).toBe(true);
    for (const g of names) expect(g.filter((n) => /^IMG_000\d\.jpg$/.test(n)).length).toBeLessThanOrEqual(1);
    expect(names.flat()).toContain('IMG_0001-shared.jpg');
  });

  it('keeps apart the shots of a burst within one second by their fractions of a second, not a copy without one', async () => {
    const dir = tempDir('burst-subsec');
    const photos = path.join(dir, 'photos');
    mkdirSync(photos);
    const { data, width, height } = syntheticPhoto({ width: 480, height: 360, seed: 78 });
    const save = (name: string, subSeconds: string | null, quality: number) =>
      sharp(data, { raw: { width, height, channels: 3 } })
        .withExif({
          IFD0: { Make: 'Apple', Model: 'iPhone 13' },
          IFD2: {
            DateTimeOriginal: '2024:05:01 10:00:00',
            ...(subSeconds === null ? {} : { SubSecTimeOriginal: subSeconds }),
          },
        })
        .jpeg({ quality })
        .toFile(path.join(photos, name));
    await save('IMG_0101.jpg', '120', 95);
    await save('IMG_0101-export.jpg', '120', 70); // a re-saved copy that kept the fraction
    await save('IMG_0101-edited.jpg', null, 85); // a copy whose editor kept the date and dropped the fraction
    await save('IMG_0102.jpg', '450', 95); // the next shot of the burst, a third of a second later
    await save('IMG_0103.jpg', '780', 95);
    app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
    await app.dispatcher.call('scan.run', { folders: [photos] });

    const { groups } = await app.dispatcher.call('dupes.find', { threshold: 'close' });
    const names = groups.map((g) => g.files.map((f) => path.basename(f.path)).sort());
    expect(names.some((g) => g.includes('IMG_0101.jpg') && g.includes('IMG_0101-export.jpg'))).toBe(true);
    for (const g of names) expect(g.filter((n) => /^IMG_010\d\.jpg$/.test(n)).length).toBeLessThanOrEqual(1);
    // The copy without a fraction is one shot's copy (to the second it is no other time).
    expect(names.flat()).toContain('IMG_0101-edited.jpg');
  });
});
