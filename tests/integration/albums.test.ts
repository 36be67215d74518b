import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../electron/api/contract.js';
import { type App, createApp } from '../../electron/core/app.js';
import { averageHashEncoder, writeFixtureLibrary } from '../helpers/fixture-encoder.js';
import { tempDir } from '../helpers/temp-dir.js';

// Albums through the API: made, filled, shown, renamed, emptied and deleted; refused whole on bad input; kept by
// photo row, so they follow rescans and moved files.
let app: App | null = null;
afterEach(() => app?.close());

async function library(count = 4) {
  const dir = tempDir('albums');
  const photos = path.join(dir, 'photos');
  const files = await writeFixtureLibrary(photos, count, { size: 64 });
  writeFileSync(path.join(photos, 'broken.jpg'), 'not a picture');
  app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
  await app.dispatcher.call('scan.run', { folders: [photos] });
  return { dir, photos, files, call: app.dispatcher.call.bind(app.dispatcher) };
}

describe('albums', () => {
  it('are made, filled, shown, renamed, emptied and deleted, each change pushed to the clients', async () => {
    const { files, call } = await library();
    const sent: ServerMessage[] = [];
    app!.dispatcher.connect({ send: (m) => sent.push(m), onMessage: () => {}, onClose: () => {} });
    expect((await call('album.create', { name: '  Holidays ' })).album).toMatchObject({ name: 'Holidays', count: 0 });
    await call('album.create', { name: 'Cats' });
    expect(await call('album.add', { name: 'Holidays', paths: [files[0], files[1]] })).toMatchObject({
      added: 2,
      album: { name: 'Holidays', count: 2 },
    });
    // Adding a member again changes nothing.
    expect((await call('album.add', { name: 'Holidays', paths: [files[1], files[2]] })).added).toBe(1);
    expect((await call('album.list', {})).albums.map((a) => [a.name, a.count])).toEqual([
      ['Cats', 0],
      ['Holidays', 3],
    ]);
    expect((await call('album.show', { name: 'Holidays' })).photos.map((p) => p.path)).toEqual(
      [files[0], files[1], files[2]].sort(),
    );
    await call('album.rename', { name: 'Holidays', to: 'Summer 2026' });
    expect((await call('album.remove', { name: 'Summer 2026', paths: [files[0]] })).album.count).toBe(2);
    expect((await call('album.delete', { name: 'Summer 2026' })).deleted).toMatchObject({
      name: 'Summer 2026',
      count: 2,
    });
    expect((await call('album.list', {})).albums.map((a) => a.name)).toEqual(['Cats']);
    // The photos stay in the library.
    expect(app!.library.get().photoByPath(files[0])?.status).toBe('ready');
    const changes = sent.filter((m) => m.t === 'event' && m.event.type === 'library.changed');
    expect(changes).toHaveLength(7);
  });

  it('refuses bad input with one sentence and changes nothing', async () => {
    const { photos, files, call } = await library();
    await call('album.create', { name: 'Cats' });
    await call('album.add', { name: 'Cats', paths: [files[0]] });
    const refused = async (method: Parameters<typeof call>[0], args: unknown, message: string) =>
      expect(call(method, args)).rejects.toMatchObject({ code: 'BAD_REQUEST', message });
    await refused('album.create', { name: ' ' }, 'An album needs a name.');
    await refused('album.create', { name: 'Cats' }, 'There is already an album named "Cats".');
    await refused(
      'album.create',
      { name: 'two\nlines' },
      'An album name cannot hold line breaks or other control characters.',
    );
    await refused('album.rename', { name: 'Dogs', to: 'Pets' }, 'There is no album named "Dogs".');
    await call('album.create', { name: 'Dogs' });
    await refused('album.rename', { name: 'Dogs', to: 'Cats' }, 'There is already an album named "Cats".');
    const outside = path.join(photos, '..', 'elsewhere.jpg');
    await refused(
      'album.add',
      { name: 'Cats', paths: [files[1], outside] },
      `${outside} is not in the library: scan its folder first.`,
    );
    const broken = path.join(photos, 'broken.jpg');
    await refused(
      'album.add',
      { name: 'Cats', paths: [broken] },
      `${broken} could not be read when it was scanned, so it cannot join an album.`,
    );
    await refused(
      'album.add',
      { name: 'Cats', paths: ['photo.jpg'] },
      `"photo.jpg" is not a full path: give the file's full path.`,
    );
    await refused(
      'album.remove',
      { name: 'Cats', paths: [files[0], files[2]] },
      `${files[2]} is not in the album "Cats".`,
    );
    // Nothing was half-applied: Cats still holds exactly its one photo, and Dogs kept its name.
    expect((await call('album.show', { name: 'Cats' })).photos.map((p) => p.path)).toEqual([files[0]]);
    expect((await call('album.list', {})).albums.map((a) => [a.name, a.count])).toEqual([
      ['Cats', 1],
      ['Dogs', 0],
    ]);
  });

  it('keep their photos across rescans and when a file is moved', async () => {
    const { photos, files, call } = await library();
    await call('album.create', { name: 'Kept' });
    await call('album.add', { name: 'Kept', paths: [files[0], files[1]] });
    await call('scan.run', { folders: [photos] });
    const moved = path.join(photos, 'moved');
    mkdirSync(moved);
    const target = path.join(moved, path.basename(files[1]));
    renameSync(files[1], target);
    const rescan = await call('scan.run', { folders: [photos] });
    expect(rescan.moved).toBe(1);
    expect((await call('album.show', { name: 'Kept' })).photos.map((p) => p.path).sort()).toEqual(
      [files[0], target].sort(),
    );
  });
});
