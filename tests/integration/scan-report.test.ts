import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { averageHashEncoder, writeFixtureLibrary } from '../helpers/fixture-encoder.js';
import { tempDir } from '../helpers/temp-dir.js';

// What a scan tells the user: refused folders with one sentence, counts that add up, unreadable files listed on
// every scan until they are fixed, and no unreadable file offered as a duplicate.
let app: App | null = null;
afterEach(() => app?.close());

function open(dir: string): App {
  app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
  return app;
}

describe('scan reports', () => {
  it('refuses a folder that does not exist, a file, or a relative path, and scans nothing', async () => {
    const dir = tempDir('scan-refuse');
    const file = path.join(dir, 'photo.jpg');
    writeFileSync(file, 'x');
    const a = open(dir);
    await expect(a.dispatcher.call('scan.run', { folders: [path.join(dir, 'nope')] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `${path.join(dir, 'nope')} does not exist.`,
    });
    await expect(a.dispatcher.call('scan.run', { folders: [file] })).rejects.toMatchObject({
      message: `${file} is a file, not a folder.`,
    });
    await expect(a.dispatcher.call('scan.run', { folders: ['photos'] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: `"photos" is not a full path: give the folder's full path.`,
    });
    expect(a.library.get().photosUnder(dir)).toEqual([]);
  });

  it('counts only readable photos as added, lists unreadable ones on every scan, and says when a folder is empty', async () => {
    const dir = tempDir('scan-counts');
    const photos = path.join(dir, 'photos');
    await writeFixtureLibrary(photos, 1, { size: 64 });
    writeFileSync(path.join(photos, 'broken-1.jpg'), 'not a picture');
    writeFileSync(path.join(photos, 'broken-2.png'), 'not a picture');
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const a = open(dir);
    const first = await a.dispatcher.call('scan.run', { folders: [photos, empty] });
    expect(first).toMatchObject({ added: 1, resumed: 0, unchanged: 0, empty: [empty] });
    expect(first.failed.map((f) => path.basename(f.path)).sort()).toEqual(['broken-1.jpg', 'broken-2.png']);
    const again = await a.dispatcher.call('scan.run', { folders: [photos] });
    expect(again).toMatchObject({ added: 0, unchanged: 1, empty: [] });
    expect(again.failed.map((f) => path.basename(f.path)).sort()).toEqual(['broken-1.jpg', 'broken-2.png']);
    // The two broken files are byte-identical, but they are not photos: no duplicate group offers one for the trash.
    const { groups } = await a.dispatcher.call('dupes.find', { threshold: 'exact' });
    expect(groups).toEqual([]);
  });

  it('counts the photos an interrupted scan left unanalysed as resumed', async () => {
    const dir = tempDir('scan-resume');
    const photos = path.join(dir, 'photos');
    await writeFixtureLibrary(photos, 12, { size: 64 });
    const a = open(dir);
    const controller = new AbortController();
    let analysed = 0;
    await a.dispatcher
      .call(
        'scan.run',
        { folders: [photos] },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === 'encode' && ++analysed === 4) controller.abort();
          },
        },
      )
      .catch(() => undefined);
    const ready = a.library
      .get()
      .photosUnder(photos)
      .filter((p) => p.status === 'ready').length;
    expect(ready).toBeGreaterThan(0);
    expect(ready).toBeLessThan(12);
    const summary = await a.dispatcher.call('scan.run', { folders: [photos] });
    expect(summary.added + summary.resumed + summary.unchanged).toBe(12);
    expect(summary.resumed).toBeGreaterThan(0);
  });
});
