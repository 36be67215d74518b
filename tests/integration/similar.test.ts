import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { encodeImage, resizeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// similar.find with the shipped query network: the library's own photos and an image from outside it.
const dir = tempDir('similar');
const photos = path.join(dir, 'library');
let app: App;

beforeAll(async () => {
  mkdirSync(photos);
  for (let i = 0; i < 12; i++) {
    writeFileSync(
      path.join(photos, `p${i}.jpg`),
      await encodeImage(syntheticPhoto({ width: 480, height: 360, seed: 500 + i }), 'jpeg'),
    );
  }
  const target = syntheticPhoto({ width: 480, height: 360, seed: 505 });
  writeFileSync(
    path.join(photos, 'p5-small.webp'),
    await encodeImage(await resizeImage(target, 240, 'inside'), 'webp'),
  );
  writeFileSync(path.join(dir, 'outside.png'), await encodeImage(await resizeImage(target, 320, 'inside'), 'png'));
  app = createApp({ dbPath: path.join(dir, 'library.db') });
  await app.dispatcher.call('scan.run', { folders: [photos] });
});
afterAll(() => app.close());

describe('similar.find', () => {
  it('ranks a library photo’s copy first, sorted by distance, without the photo itself', async () => {
    const { results } = await app.dispatcher.call('similar.find', { path: path.join(photos, 'p5.jpg'), limit: 5 });
    expect(results).toHaveLength(5);
    expect(path.basename(results[0].path)).toBe('p5-small.webp');
    expect(results.map((r) => r.path)).not.toContain(path.join(photos, 'p5.jpg'));
    const distances = results.map((r) => r.distance);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
  });

  it('encodes an image from outside the library and finds its originals', async () => {
    const { results } = await app.dispatcher.call('similar.find', { path: path.join(dir, 'outside.png'), limit: 3 });
    expect(
      results
        .slice(0, 2)
        .map((r) => path.basename(r.path))
        .sort(),
    ).toEqual(['p5-small.webp', 'p5.jpg']);
  });

  it('finds photos like an image given by its bytes (dropped on the page), as for its path', async () => {
    const { readFileSync } = await import('node:fs');
    const data = readFileSync(path.join(dir, 'outside.png')).toString('base64');
    const byBytes = await app.dispatcher.call('similar.findImage', { name: 'dropped.png', data, limit: 3 });
    const byPath = await app.dispatcher.call('similar.find', { path: path.join(dir, 'outside.png'), limit: 3 });
    expect(byBytes.query).toEqual({ id: null, path: 'dropped.png' });
    expect(byBytes.results).toEqual(byPath.results);
    await expect(
      app.dispatcher.call('similar.findImage', {
        name: 'notes.jpg',
        data: Buffer.from('hello there').toString('base64'),
      }),
    ).rejects.toMatchObject({ code: 'DECODE_ERROR', message: expect.stringContaining('notes.jpg') });
    await expect(
      app.dispatcher.call('similar.findImage', { name: 'x.jpg', data: 'not base64!' }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('answers IO_ERROR for a missing file and DECODE_ERROR for a file that is not an image', async () => {
    await expect(app.dispatcher.call('similar.find', { path: path.join(dir, 'nope.jpg') })).rejects.toMatchObject({
      code: 'IO_ERROR',
    });
    writeFileSync(path.join(dir, 'text.jpg'), 'hello');
    await expect(app.dispatcher.call('similar.find', { path: path.join(dir, 'text.jpg') })).rejects.toMatchObject({
      code: 'DECODE_ERROR',
    });
  });
});
