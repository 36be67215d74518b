import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { PREVIEW_SIDE } from '../../electron/library/previews.js';
import { encodeImage } from '../../model/image/decode.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// The compare view's large pictures: decoded from the file by photo id, upright, no larger than PREVIEW_SIDE.
let dir: string;
let app: App;
beforeEach(() => {
  dir = tempDir('previews');
  app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
});
afterEach(() => app.close());

describe('previews', () => {
  it('are the photo upright and at most PREVIEW_SIDE, by id only; none for a gone or unknown photo', async () => {
    const photos = path.join(dir, 'photos');
    mkdirSync(photos);
    const big = path.join(photos, 'big.jpg');
    writeFileSync(big, await encodeImage(syntheticPhoto({ width: 2400, height: 1600, seed: 3 }), 'jpeg'));
    // Stored sideways, with EXIF orientation 6 (turn 90° clockwise to view): upright it is 300 wide, 500 high.
    const sideways = path.join(photos, 'sideways.jpg');
    await sharp(await encodeImage(syntheticPhoto({ width: 500, height: 300, seed: 4 }), 'jpeg'))
      .withMetadata({ orientation: 6 })
      .toFile(sideways);
    await app.dispatcher.call('scan.run', { folders: [photos] });
    const id = (file: string) => app.library.get().photoByPath(file)!.id;

    const large = await sharp(Buffer.from((await app.preview(id(big)))!)).metadata();
    expect([large.format, large.width, large.height]).toEqual([
      'webp',
      PREVIEW_SIDE,
      Math.round((PREVIEW_SIDE * 2) / 3),
    ]);
    const upright = await sharp(Buffer.from((await app.preview(id(sideways)))!)).metadata();
    expect([upright.width, upright.height]).toEqual([300, 500]);

    expect(await app.preview(99_999)).toBeUndefined();
    rmSync(big);
    await app.dispatcher.call('scan.run', { folders: [photos] });
    expect(await app.preview(id(big))).toBeUndefined();
  });
});
