import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { encodeImage } from '../../model/image/decode.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

let app: App | null = null;
afterEach(() => app?.close());

async function photos(folder: string, names: string[], seed: number): Promise<string[]> {
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  for (const [i, name] of names.entries()) {
    const file = path.join(folder, name);
    writeFileSync(file, await encodeImage(syntheticPhoto({ width: 96, height: 72, seed: seed + i }), 'jpeg'));
    files.push(file);
  }
  return files;
}

describe("the library's folders", () => {
  it('are listed with their photos, and one forgotten takes its photos (and their album places) but never the files', async () => {
    const dir = tempDir('folders');
    // A folder, another whose name starts the same (not inside it), and a folder inside the first.
    const trip = await photos(path.join(dir, 'Trip'), ['a.jpg', 'b.jpg'], 1);
    const tripOld = await photos(path.join(dir, 'Trip-old'), ['c.jpg'], 10);
    // A file that looks like a photo but is none: no photo of the library, and the folder says so.
    writeFileSync(path.join(dir, 'Trip-old', 'broken.jpg'), 'not a JPEG');
    const inner = await photos(path.join(dir, 'Trip', 'day2'), ['d.jpg', 'e.jpg'], 20);
    app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
    const call = app.dispatcher.call.bind(app.dispatcher);
    await call('scan.run', { folders: [path.join(dir, 'Trip')] });
    await call('scan.run', { folders: [path.join(dir, 'Trip-old'), path.join(dir, 'Trip', 'day2')] });
    expect((await call('library.folders', {})).folders).toEqual([
      { path: path.join(dir, 'Trip'), photos: 4, unreadable: 0 },
      { path: path.join(dir, 'Trip-old'), photos: 1, unreadable: 1 },
      { path: path.join(dir, 'Trip', 'day2'), photos: 2, unreadable: 0 },
    ]);
    await call('album.create', { name: 'Best' });
    await call('album.add', { name: 'Best', paths: [trip[0], inner[0], tripOld[0]] });

    expect(await call('library.forgetFolder', { path: path.join(dir, 'Trip') })).toEqual({
      path: path.join(dir, 'Trip'),
      photos: 4,
    });
    // The folder inside it went with it; the sibling whose name starts the same stayed.
    expect((await call('library.folders', {})).folders).toEqual([
      { path: path.join(dir, 'Trip-old'), photos: 1, unreadable: 1 },
    ]);
    const left = await call('library.photos', { offset: 0, limit: 10 });
    expect(left.photos.map((p) => p.path)).toEqual(tripOld);
    expect((await call('album.show', { name: 'Best' })).photos.map((p) => p.path)).toEqual(tripOld);
    for (const file of [...trip, ...inner, ...tripOld]) expect(existsSync(file)).toBe(true);
    // Scanned again, the folder's photos come back.
    await call('scan.run', { folders: [path.join(dir, 'Trip')] });
    expect((await call('library.photos', { offset: 0, limit: 10 })).total).toBe(5);
    // A folder that is not the library's is refused in a sentence, and nothing changes.
    await expect(call('library.forgetFolder', { path: path.join(dir, 'Elsewhere') })).rejects.toThrow(
      /is not one of the library's folders/,
    );
    expect((await call('library.photos', { offset: 0, limit: 10 })).total).toBe(5);
  });

  it('complete a folder being typed: subfolders by the start of their name, any case, hidden ones left out', async () => {
    const dir = tempDir('complete');
    for (const name of ['Pictures', 'photos-2024', 'Photos-2025', '.hidden', 'music']) mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, 'photo.jpg'), 'not a folder');
    app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
    const complete = async (prefix: string) =>
      (await app!.dispatcher.call('library.completeFolder', { prefix })).folders;
    expect(await complete(path.join(dir, 'ph'))).toEqual([
      path.join(dir, 'photos-2024'),
      path.join(dir, 'Photos-2025'),
    ]);
    expect(await complete(`${dir}${path.sep}`)).toEqual(
      ['music', 'photos-2024', 'Photos-2025', 'Pictures'].map((n) => path.join(dir, n)),
    );
    expect(await complete(path.join(dir, 'nothing', 'here'))).toEqual([]);
    expect(await complete('relative/path')).toEqual([]);
  });
});
