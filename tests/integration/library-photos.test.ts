import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { encodeImage } from '../../model/image/decode.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

let app: App | null = null;
afterEach(() => app?.close());

describe('the library, a page at a time (the grid)', () => {
  it('pages through the ready photos by name, date, size or folder with their albums; unreadable files are listed apart', async () => {
    const dir = tempDir('grid');
    const photos = path.join(dir, 'photos');
    mkdirSync(path.join(photos, 'b-folder'), { recursive: true });
    mkdirSync(path.join(photos, 'a-folder'), { recursive: true });
    const files = [
      ['b-folder/zebra.jpg', 64, '2024-01-03'],
      ['a-folder/mango.jpg', 160, '2024-01-01'],
      ['b-folder/Apple.jpg', 96, '2024-01-02'],
    ] as const;
    for (const [name, size, day] of files) {
      const file = path.join(photos, name);
      writeFileSync(file, await encodeImage(syntheticPhoto({ width: size, height: size, seed: size }), 'jpeg'));
      const when = new Date(`${day}T12:00:00Z`);
      utimesSync(file, when, when);
    }
    writeFileSync(path.join(photos, 'broken.jpg'), 'not a picture');
    app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
    await app.dispatcher.call('scan.run', { folders: [photos] });
    const names = async (sort: 'name' | 'date' | 'size' | 'folder', offset = 0, limit = 10) => {
      const page = await app!.dispatcher.call('library.photos', { offset, limit, sort });
      expect(page.total).toBe(3);
      return page.photos.map((p) => path.relative(photos, p.path));
    };
    expect(await names('name')).toEqual(['b-folder/Apple.jpg', 'a-folder/mango.jpg', 'b-folder/zebra.jpg']);
    expect(await names('date')).toEqual(['b-folder/zebra.jpg', 'b-folder/Apple.jpg', 'a-folder/mango.jpg']);
    expect(await names('folder')).toEqual(['a-folder/mango.jpg', 'b-folder/Apple.jpg', 'b-folder/zebra.jpg']);
    const bySize = await app.dispatcher.call('library.photos', { offset: 0, limit: 10, sort: 'size' });
    expect(bySize.photos.map((p) => p.bytes)).toEqual([...bySize.photos.map((p) => p.bytes)].sort((a, b) => b - a));
    expect(await names('name', 1, 1)).toEqual(['a-folder/mango.jpg']);
    expect(await names('name', 3, 5)).toEqual([]);
    const [first] = (await app.dispatcher.call('library.photos', { offset: 0, limit: 1 })).photos;
    expect(first).toMatchObject({ width: 96, height: 96, format: 'jpeg' });
    // Each photo says which albums it is in.
    await app.dispatcher.call('album.create', { name: 'Fruit' });
    await app.dispatcher.call('album.create', { name: 'A-list' });
    for (const name of ['Fruit', 'A-list'])
      await app.dispatcher.call('album.add', { name, paths: [path.join(photos, 'b-folder/Apple.jpg')] });
    const withAlbums = (await app.dispatcher.call('library.photos', { offset: 0, limit: 2 })).photos;
    expect(withAlbums.map((p) => p.albums)).toEqual([['A-list', 'Fruit'], []]);
    // The unreadable file is in the errors list, with its reason in words; fixed, it leaves the list.
    const failed = await app.dispatcher.call('library.failed', { offset: 0, limit: 10 });
    expect(failed).toEqual({
      total: 1,
      files: [
        {
          id: expect.any(Number),
          path: path.join(photos, 'broken.jpg'),
          reason: expect.stringMatching(/^not an image|damaged/),
        },
      ],
    });
    writeFileSync(
      path.join(photos, 'broken.jpg'),
      await encodeImage(syntheticPhoto({ width: 80, height: 80, seed: 9 }), 'jpeg'),
    );
    await app.dispatcher.call('scan.run', { folders: [photos] });
    expect(await app.dispatcher.call('library.failed', { offset: 0, limit: 10 })).toEqual({ total: 0, files: [] });
    // The desktop app opens a photo by id: its file, or a sentence; browser mode has no viewer to open.
    const apple = path.join(photos, 'b-folder/Apple.jpg');
    expect(app.library.photoFile(app.library.get().photoByPath(apple)!.id)).toBe(apple);
    expect(() => app!.library.photoFile(99_999)).toThrow('That photo is not in the library.');
    const zebra = path.join(photos, 'b-folder/zebra.jpg');
    const { rmSync } = await import('node:fs');
    rmSync(zebra);
    expect(() => app!.library.photoFile(app!.library.get().photoByPath(zebra)!.id)).toThrow(
      `${zebra} is no longer there: scan its folder again.`,
    );
    await expect(app.dispatcher.call('app.showPhoto', { id: 1 })).rejects.toMatchObject({ code: 'NOT_IMPLEMENTED' });
    await expect(app.dispatcher.call('library.photos', { offset: -1, limit: 10 })).rejects.toThrow(/offset/);
    await expect(app.dispatcher.call('library.photos', { offset: 0, limit: 5000 })).rejects.toThrow(/limit/);
  });
});
