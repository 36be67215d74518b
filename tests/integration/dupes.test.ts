import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { trashWithPackage } from '../../electron/library/trash.js';
import { decodeImage, encodeImage, resizeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// The duplicate workflow end to end through the dispatcher: scan, group, propose a keeper, trash safely.
// Files go to a real freedesktop trash (XDG_DATA_HOME points at a temporary folder).
let dir: string;
let photos: string;
let app: App;

async function photo(name: string, seed: number, width = 320, height = 240): Promise<string> {
  const file = path.join(photos, name);
  writeFileSync(file, await encodeImage(syntheticPhoto({ width, height, seed }), 'jpeg', { quality: 92 }));
  return file;
}

beforeEach(async () => {
  dir = tempDir('dupes');
  process.env.XDG_DATA_HOME = path.join(dir, 'xdg');
  photos = path.join(dir, 'photos');
  mkdirSync(photos);
  for (let i = 0; i < 5; i++) await photo(`distinct-${i}.jpg`, 100 + i);
  const a = await photo('a.jpg', 1);
  copyFileSync(a, path.join(photos, 'a-copy.jpg'));
  const b = await photo('b.jpg', 2, 640, 480);
  const small = await resizeImage(await decodeImage(b), 320, 'inside');
  writeFileSync(path.join(photos, 'b-small.png'), await encodeImage(small, 'png'));
  app = createApp({
    dbPath: path.join(dir, 'library.db'),
    loadEncoder: async () => averageHashEncoder(),
    trashFile: trashWithPackage,
  });
  await app.dispatcher.call('scan.run', { folders: [photos] });
});
afterEach(() => app.close());

const names = (files: { path: string }[]) => files.map((f) => path.basename(f.path)).sort();

describe('duplicates', () => {
  it('groups exact copies and near duplicates and proposes the best copy to keep', async () => {
    const { groups, threshold } = await app.dispatcher.call('dupes.find', { threshold: 'close' });
    expect(threshold.name).toBe('close');
    expect(groups.map((g) => names(g.files))).toEqual(
      expect.arrayContaining([
        ['a-copy.jpg', 'a.jpg'],
        ['b-small.png', 'b.jpg'],
      ]),
    );
    expect(groups).toHaveLength(2);
    const near = groups.find((g) => g.files.some((f) => f.path.endsWith('b.jpg')))!;
    expect(near.kind).toBe('near');
    expect(near.files.find((f) => f.keep)!.path).toMatch(/b\.jpg$/); // the larger one
    for (const g of groups) expect(g.files.filter((f) => f.keep)).toHaveLength(1);
    const exactOnly = await app.dispatcher.call('dupes.find', { threshold: 'exact' });
    expect(exactOnly.groups.map((g) => names(g.files))).toEqual([['a-copy.jpg', 'a.jpg']]);
  });

  it('refuses to trash every copy of a photo, or a photo that has no duplicate, and moves nothing', async () => {
    const { groups } = await app.dispatcher.call('dupes.find', {});
    const all = groups[0].files.map((f) => f.id);
    await expect(app.dispatcher.call('dupes.trash', { photoIds: all })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const lonely = app.library.get().photoByPath(path.join(photos, 'distinct-0.jpg'))!.id;
    await expect(app.dispatcher.call('dupes.trash', { photoIds: [lonely] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    for (const f of groups[0].files) expect(existsSync(f.path)).toBe(true);
    expect(existsSync(path.join(dir, 'photos', 'distinct-0.jpg'))).toBe(true);
  });

  it('dry-runs, then moves the proposed copies to the OS trash, merging their albums into the keeper', async () => {
    const { groups } = await app.dispatcher.call('dupes.find', {});
    const proposed = groups.flatMap((g) => g.files.filter((f) => !f.keep));
    const keepers = groups.map((g) => g.files.find((f) => f.keep)!);
    const catalog = app.library.get();
    const album = catalog.albums.create('Trip');
    catalog.albums.add(album, [proposed[0].id]);

    const dry = await app.dispatcher.call('dupes.trash', { photoIds: proposed.map((f) => f.id), dryRun: true });
    expect(dry.dryRun).toBe(true);
    for (const f of proposed) expect(existsSync(f.path)).toBe(true);

    const done = await app.dispatcher.call('dupes.trash', { photoIds: proposed.map((f) => f.id) });
    expect(done.trashed.sort()).toEqual(proposed.map((f) => f.path).sort());
    for (const f of proposed) expect(existsSync(f.path)).toBe(false);
    for (const f of keepers) expect(existsSync(f.path)).toBe(true);
    // The freedesktop trash records each file's original path, so the user can restore it.
    const infoDir = path.join(dir, 'xdg', 'Trash', 'info');
    const restorable = readdirSync(infoDir).map(
      (f) => /^Path=(.*)$/m.exec(readFileSync(path.join(infoDir, f), 'utf8'))![1],
    );
    expect(restorable.map((p) => decodeURIComponent(p)).sort()).toEqual(proposed.map((f) => f.path).sort());
    expect(readdirSync(path.join(dir, 'xdg', 'Trash', 'files'))).toHaveLength(proposed.length);

    const keeperOfFirst = groups.find((g) => g.files.some((f) => f.id === proposed[0].id))!.files.find((f) => f.keep)!;
    expect(catalog.albums.photoIds(album)).toEqual(expect.arrayContaining([keeperOfFirst.id]));
    expect((await app.dispatcher.call('dupes.lastTrashed', {})).paths.sort()).toEqual(
      proposed.map((f) => f.path).sort(),
    );
    expect((await app.dispatcher.call('dupes.find', {})).groups).toEqual([]);
  });

  it('rejects an unknown threshold with a sentence the user can act on', async () => {
    await expect(app.dispatcher.call('dupes.find', { threshold: 'sortof' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('exact, very-close, close, loose'),
    });
  });
});
