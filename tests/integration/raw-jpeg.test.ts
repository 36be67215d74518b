import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { nefLike } from '../helpers/raw-file.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// A camera that saves RAW + JPEG writes one shot twice. The scan reads the raw file's embedded preview, often far
// smaller than the sensor (and than the JPEG beside it): the keeper must still be the raw file, never proposed for
// the trash in favour of its JPEG.
let app: App | undefined;
afterEach(() => app?.close());

describe('RAW + JPEG of one shot', () => {
  it('groups the two and proposes keeping the raw file, whose preview is smaller than the JPEG', async () => {
    const dir = tempDir('raw-jpeg');
    const photos = path.join(dir, 'DCIM');
    mkdirSync(photos);
    const shot = syntheticPhoto({ width: 960, height: 640, seed: 31 });
    const raw = { width: shot.width, height: shot.height, channels: 3 as const };
    // The camera's JPEG at full size, and a raw file with a third-size preview (as many NEF and ARW files carry).
    await sharp(shot.data, { raw }).jpeg({ quality: 92 }).toFile(path.join(photos, 'DSC_0001.JPG'));
    const preview = await sharp(shot.data, { raw }).resize(320).raw().toBuffer({ resolveWithObject: true });
    const picture = {
      width: preview.info.width,
      height: preview.info.height,
      channels: 3 as const,
      data: preview.data,
    };
    writeFileSync(path.join(photos, 'DSC_0001.NEF'), await nefLike(true, 1, picture));
    app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
    const scan = await app.dispatcher.call('scan.run', { folders: [photos] });
    expect(scan.failed).toEqual([]);
    const { groups } = await app.dispatcher.call('dupes.find', { threshold: 'close' });
    expect(groups).toHaveLength(1);
    const files = groups[0].files.map((f) => ({ name: path.basename(f.path), keep: f.keep, width: f.width }));
    expect(files).toEqual(
      expect.arrayContaining([
        { name: 'DSC_0001.NEF', keep: true, width: 320 },
        { name: 'DSC_0001.JPG', keep: false, width: 960 },
      ]),
    );
  });
});
