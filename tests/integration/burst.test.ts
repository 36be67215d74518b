import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp, { type Exif } from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// What the pixels cannot tell, the capture time can: a burst whose frames are the same picture (nothing moved)
// is two shots, while the photo's copies carry its capture time or none.
let app: App | undefined;
afterEach(() => app?.close());

/** One file of the burst: its name, the EXIF it carries (none: null), its JPEG quality and its width. */
interface Shot {
  name: string;
  exif: Exif | null;
  quality: number;
  width?: number;
}

/**
 * Every file saved from one still view (a note beside them), scanned, and searched at the close preset: the file
 * names of each group, sorted.
 */
async function groupsOf(label: string, seed: number, shots: readonly Shot[]): Promise<string[][]> {
  const dir = tempDir(label);
  const photos = path.join(dir, 'photos');
  mkdirSync(photos);
  const { data, width, height } = syntheticPhoto({ width: 480, height: 360, seed });
  for (const shot of shots)
    await sharp(data, { raw: { width, height, channels: 3 } })
      .resize(shot.width ?? width)
      .withExif(shot.exif ?? {})
      .jpeg({ quality: shot.quality })
      .toFile(path.join(photos, shot.name));
  writeFileSync(path.join(photos, 'notes.txt'), 'not a photo');
  app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
  await app.dispatcher.call('scan.run', { folders: [photos] });
  const { groups } = await app.dispatcher.call('dupes.find', { threshold: 'close' });
  return groups.map((g) => g.files.map((f) => path.basename(f.path)).sort());
}

describe('a burst of one still view', () => {
  it('groups the copies of a shot, not the next shot of the burst, though its pixels are the same', async () => {
    const taken = (time: string) => ({ IFD0: { Make: 'Canon', Model: 'EOS 5D' }, IFD2: { DateTimeOriginal: time } });
    const names = await groupsOf('burst', 77, [
      { name: 'IMG_0001.jpg', exif: taken('2024:05:01 10:00:00'), quality: 95 },
      { name: 'IMG_0001-export.jpg', exif: taken('2024:05:01 10:00:00'), quality: 70 }, // a re-saved copy that kept the EXIF
      { name: 'IMG_0001-shared.jpg', exif: null, quality: 80, width: 320 }, // a smaller copy that lost it
      { name: 'IMG_0002.jpg', exif: taken('2024:05:01 10:00:02'), quality: 95 }, // the next shot, two seconds later
      { name: 'IMG_0003.jpg', exif: taken('2024:05:01 10:00:04'), quality: 95 }, // and the one after
    ]);
    // The first shot with its copies; the copy without a time may join either shot, so only shots are checked:
    // no group holds two of them.
    expect(names.some((g) => g.includes('IMG_0001.jpg') && g.includes('IMG_0001-export.jpg'))).toBe(true);
    for (const g of names) expect(g.filter((n) => /^IMG_000\d\.jpg$/.test(n)).length).toBeLessThanOrEqual(1);
    expect(names.flat()).toContain('IMG_0001-shared.jpg');
  });

  it('keeps apart the shots of a burst within one second by their fractions of a second, not a copy without one', async () => {
    const taken = (subSeconds: string | null) => ({
      IFD0: { Make: 'Apple', Model: 'iPhone 13' },
      IFD2: {
        DateTimeOriginal: '2024:05:01 10:00:00',
        ...(subSeconds === null ? {} : { SubSecTimeOriginal: subSeconds }),
      },
    });
    const names = await groupsOf('burst-subsec', 78, [
      { name: 'IMG_0101.jpg', exif: taken('120'), quality: 95 },
      { name: 'IMG_0101-export.jpg', exif: taken('120'), quality: 70 }, // a re-saved copy that kept the fraction
      { name: 'IMG_0101-edited.jpg', exif: taken(null), quality: 85 }, // a copy whose editor dropped the fraction
      { name: 'IMG_0102.jpg', exif: taken('450'), quality: 95 }, // the next shot of the burst, a third of a second later
      { name: 'IMG_0103.jpg', exif: taken('780'), quality: 95 },
    ]);
    expect(names.some((g) => g.includes('IMG_0101.jpg') && g.includes('IMG_0101-export.jpg'))).toBe(true);
    for (const g of names) expect(g.filter((n) => /^IMG_010\d\.jpg$/.test(n)).length).toBeLessThanOrEqual(1);
    // The copy without a fraction is one shot's copy (to the second it is no other time).
    expect(names.flat()).toContain('IMG_0101-edited.jpg');
  });
});
