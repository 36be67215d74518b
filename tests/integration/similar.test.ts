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

describe('similar.find, copies first', () => {
  const folder = path.join(dir, 'copies');
  let original: Awaited<ReturnType<typeof photo>>;
  const copies: Record<string, Buffer> = {};

  const stripes = (i: number) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360">${Array.from(
      { length: 4 + i },
      (_, k) =>
        `<rect x="${k * 60}" y="0" width="30" height="360" fill="hsl(${(i * 47 + k * 70) % 360},70%,50%)" transform="rotate(${i * 13} 240 180)"/>`,
    ).join('')}<circle cx="${120 + i * 20}" cy="180" r="${50 + i * 5}" fill="hsl(${i * 90},60%,40%)"/></svg>`;
  async function photo(i: number) {
    const { editImage } = await import('../../model/image/decode.js');
    return editImage(syntheticPhoto({ width: 480, height: 360, seed: 800 + i }), [{ op: 'overlay', svg: stripes(i) }]);
  }

  beforeAll(async () => {
    const { editImage } = await import('../../model/image/decode.js');
    const { orientPixels } = await import('../../model/image/orientation.js');
    mkdirSync(folder);
    for (let i = 0; i < 10; i++)
      writeFileSync(path.join(folder, `look-${i}.jpg`), await encodeImage(await photo(i), 'jpeg', { quality: 92 }));
    original = await photo(3);
    Object.assign(copies, {
      'copy-turned.jpg': await encodeImage(orientPixels(original, 6), 'jpeg', { quality: 92 }),
      'copy-grey.jpg': await encodeImage(await editImage(original, [{ op: 'greyscale' }]), 'jpeg', { quality: 92 }),
      'copy-small.jpg': await encodeImage(await resizeImage(original, 240, 'inside'), 'jpeg', { quality: 85 }),
      'copy-q40.jpg': await encodeImage(original, 'jpeg', { quality: 40 }),
      'copy-crop.png': await encodeImage(
        await editImage(original, [{ op: 'crop', left: 24, top: 18, width: 432, height: 324 }]),
        'png',
      ),
    });
    for (const [name, bytes] of Object.entries(copies)) writeFileSync(path.join(folder, name), bytes);
    await app.dispatcher.call('scan.run', { folders: [folder] });
  });

  it('ranks every copy of a library photo (turned, greyscale, resized, re-saved, cropped) above every other photo', async () => {
    const { results } = await app.dispatcher.call('similar.find', { path: path.join(folder, 'look-3.jpg'), limit: 12 });
    const names = results.map((r) => path.basename(r.path));
    expect(names.slice(0, 5).sort()).toEqual(Object.keys(copies).sort());
    expect(results.slice(0, 5).every((r) => r.copy)).toBe(true);
    expect(results.slice(5).some((r) => r.copy)).toBe(false);
    expect(results).toHaveLength(12);
  });

  it('marks the library’s copies of an image from outside it (by path, and dropped as bytes) and ranks them first', async () => {
    const { editImage } = await import('../../model/image/decode.js');
    // A slightly cropped WebP copy saved outside the scanned folders: is it already in the library?
    const outside = path.join(dir, 'from-a-friend.webp');
    writeFileSync(
      outside,
      await encodeImage(await editImage(original, [{ op: 'crop', left: 10, top: 8, width: 460, height: 344 }]), 'webp'),
    );
    const expected = ['look-3.jpg', ...Object.keys(copies)].sort();
    const byPath = await app.dispatcher.call('similar.find', { path: outside, limit: 12 });
    expect(byPath.query.id).toBeNull();
    const names = byPath.results.map((r) => path.basename(r.path));
    expect(names.slice(0, expected.length).sort()).toEqual(expected);
    expect(byPath.results.slice(0, expected.length).every((r) => r.copy)).toBe(true);
    expect(byPath.results.slice(expected.length).some((r) => r.copy)).toBe(false);
    // A byte-identical file is a copy too, and dropping the same image gives the same answer.
    const { readFileSync } = await import('node:fs');
    const dropped = await app.dispatcher.call('similar.findImage', {
      name: 'look-3.jpg',
      data: readFileSync(path.join(folder, 'look-3.jpg')).toString('base64'),
      limit: 12,
    });
    expect(
      dropped.results
        .filter((r) => r.copy)
        .map((r) => path.basename(r.path))
        .sort(),
    ).toEqual(expected);
    expect(dropped.results.find((r) => path.basename(r.path) === 'look-3.jpg')).toMatchObject({ copy: true });
  });
});
