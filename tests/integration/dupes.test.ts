import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuplicateGroup } from '../../electron/api/contract.js';
import { type App, createApp } from '../../electron/core/app.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { trashWithPackage } from '../../electron/library/trash.js';
import { decodeImage, encodeImage, resizeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// The duplicate workflow end to end through the dispatcher: scan, group, propose a keeper, trash safely.
// Files go to a real freedesktop trash (XDG_DATA_HOME points at a temporary folder: one for the whole file, since
// the trash package reads it once).
const xdg = tempDir('dupes-xdg');
process.env.XDG_DATA_HOME = xdg;
const trashDir = path.join(xdg, 'Trash');
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

/** The trash's records (info file name → original path) of this test's photos. */
function trashRecords(): Map<string, string> {
  const records = new Map<string, string>();
  for (const name of existsSync(path.join(trashDir, 'info')) ? readdirSync(path.join(trashDir, 'info')) : []) {
    const original = decodeURIComponent(
      /^Path=(.*)$/m.exec(readFileSync(path.join(trashDir, 'info', name), 'utf8'))![1],
    );
    if (original.startsWith(photos + path.sep)) records.set(name, original);
  }
  return records;
}

/** The journal a kill leaves between moving files and recording them: an intent to move each of `files`. */
function leaveIntents(groups: DuplicateGroup[], files: { id: number; path: string }[]): void {
  const catalog = app.library.get();
  catalog.transaction(() => {
    catalog.trashJournal.begin(new Date().toISOString());
    for (const f of files) {
      const row = catalog.photoById(f.id)!;
      const keeperId = groups.find((g) => g.files.some((m) => m.id === f.id))!.files.find((m) => m.keep)!.id;
      catalog.trashJournal.intend({
        path: f.path,
        photoId: f.id,
        rootId: row.rootId ?? 0,
        size: row.size,
        contentHash: row.contentHash ?? '',
        keeperId,
        state: 'moving',
        addedAlbums: [],
      });
    }
  });
}

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
    const records = trashRecords();
    expect([...records.values()].sort()).toEqual(proposed.map((f) => f.path).sort());
    for (const name of records.keys())
      expect(existsSync(path.join(trashDir, 'files', name.replace(/\.trashinfo$/, '')))).toBe(true);

    const keeperOfFirst = groups.find((g) => g.files.some((f) => f.id === proposed[0].id))!.files.find((f) => f.keep)!;
    expect(catalog.albums.photoIds(album)).toEqual(expect.arrayContaining([keeperOfFirst.id]));
    expect((await app.dispatcher.call('dupes.lastTrashed', {})).paths.sort()).toEqual(
      proposed.map((f) => f.path).sort(),
    );
    expect((await app.dispatcher.call('dupes.find', {})).groups).toEqual([]);
  });

  it('undoes the last move: every file back with its bytes, listed again with its codes and albums', async () => {
    const { groups } = await app.dispatcher.call('dupes.find', {});
    const proposed = groups.flatMap((g) => g.files.filter((f) => !f.keep));
    const bytes = new Map(proposed.map((f) => [f.path, readFileSync(f.path)]));
    const catalog = app.library.get();
    const trip = catalog.albums.create('Trip');
    catalog.albums.add(trip, [proposed[0].id]);
    const keeper = groups.find((g) => g.files.some((f) => f.id === proposed[0].id))!.files.find((f) => f.keep)!;
    await expect(app.dispatcher.call('dupes.undoTrash', {})).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('nothing to undo'),
    });

    await app.dispatcher.call('dupes.trash', { photoIds: proposed.map((f) => f.id) });
    expect(catalog.albums.photoIds(trip)).toContain(keeper.id);
    expect(await app.dispatcher.call('dupes.lastTrashed', {})).toMatchObject({ undoable: true });

    const undone = await app.dispatcher.call('dupes.undoTrash', {});
    expect(undone.restored.sort()).toEqual(proposed.map((f) => f.path).sort());
    expect(undone.notRestored).toEqual([]);
    for (const [file, content] of bytes) expect(readFileSync(file).equals(content)).toBe(true);
    // The trash no longer holds them or their records.
    expect(trashRecords().size).toBe(0);
    // The groups are back as they were, the keeper out of the album it joined only for the trashed copy.
    const again = await app.dispatcher.call('dupes.find', {});
    expect(again.groups.map((g) => names(g.files))).toEqual(groups.map((g) => names(g.files)));
    expect(catalog.albums.photoIds(trip)).toEqual([proposed[0].id]);
    expect(catalog.counts().gone).toBe(0);
    expect(await app.dispatcher.call('dupes.lastTrashed', {})).toMatchObject({ paths: [], undoable: false });
    await expect(app.dispatcher.call('dupes.undoTrash', {})).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('never puts a file back over another one, names it, and puts it back later once its place is free', async () => {
    const { groups } = await app.dispatcher.call('dupes.find', {});
    const proposed = groups.flatMap((g) => g.files.filter((f) => !f.keep));
    await app.dispatcher.call('dupes.trash', { photoIds: proposed.map((f) => f.id) });
    const [blocked, other] = proposed.map((f) => f.path);
    writeFileSync(blocked, 'a new file the user made here');
    const first = await app.dispatcher.call('dupes.undoTrash', {});
    expect(first.restored).toEqual([other]);
    expect(first.notRestored).toEqual([{ path: blocked, reason: 'another file is at its place now' }]);
    expect(readFileSync(blocked, 'utf8')).toBe('a new file the user made here');
    expect((await app.dispatcher.call('dupes.lastTrashed', {})).paths).toEqual([blocked]);
    rmSync(blocked);
    const second = await app.dispatcher.call('dupes.undoTrash', {});
    expect(second).toEqual({ restored: [blocked], notRestored: [] });
    expect(app.library.get().counts().gone).toBe(0);
  });

  it('counts a file put back by hand as put back, and names one that left the trash', async () => {
    const { groups } = await app.dispatcher.call('dupes.find', {});
    const proposed = groups.flatMap((g) => g.files.filter((f) => !f.keep));
    await app.dispatcher.call('dupes.trash', { photoIds: proposed.map((f) => f.id) });
    const records = [...trashRecords()];
    const infoOf = (file: string) => records.find(([, original]) => original === file)![0];
    const [byHand, emptied] = proposed.map((f) => f.path);
    const handInfo = infoOf(byHand);
    renameSync(path.join(trashDir, 'files', handInfo.replace(/\.trashinfo$/, '')), byHand);
    rmSync(path.join(trashDir, 'info', handInfo));
    const gone = infoOf(emptied);
    rmSync(path.join(trashDir, 'files', gone.replace(/\.trashinfo$/, '')));
    const undone = await app.dispatcher.call('dupes.undoTrash', {});
    expect(undone.restored).toEqual([byHand]);
    expect(undone.notRestored).toEqual([{ path: emptied, reason: expect.stringContaining('no longer in the trash') }]);
    expect(app.library.get().photoByPath(byHand)!.status).not.toBe('gone');
    expect(app.library.get().photoByPath(emptied)!.status).toBe('gone');
  });

  it('settles a move a kill caught in flight: a file gone from its place is undone, one still there is left', async () => {
    const { groups } = await app.dispatcher.call('dupes.find', {});
    const [moved, stayed] = groups.flatMap((g) => g.files.filter((f) => !f.keep));
    const catalog = app.library.get();
    // What a kill between the move and its record leaves: two intents, one file in the trash, both rows present.
    leaveIntents(groups, [moved, stayed]);
    await trashWithPackage(moved.path);
    expect(await app.dispatcher.call('dupes.lastTrashed', {})).toMatchObject({ paths: [moved.path], undoable: true });
    const undone = await app.dispatcher.call('dupes.undoTrash', {});
    expect(undone).toEqual({ restored: [moved.path], notRestored: [] });
    expect(existsSync(moved.path) && existsSync(stayed.path)).toBe(true);
    expect(catalog.counts().gone).toBe(0);
    expect((await app.dispatcher.call('dupes.find', {})).groups.map((g) => names(g.files))).toEqual(
      groups.map((g) => names(g.files)),
    );
  });

  it('remembers "not duplicates": the group is not found again, at any threshold, until the mark is taken back', async () => {
    const { groups } = await app.dispatcher.call('dupes.find', {});
    const near = groups.find((g) => g.kind === 'near')!;
    const exact = groups.find((g) => g.kind === 'exact')!;
    const ids = (g: { files: { id: number }[] }) => g.files.map((f) => f.id);
    expect(await app.dispatcher.call('dupes.markApart', { photoIds: ids(near) })).toEqual({ changed: 1, total: 1 });
    for (const threshold of ['very-close', 'close', 'loose', 40])
      expect(
        (await app.dispatcher.call('dupes.find', { threshold })).groups.map((g) => names(g.files)),
        String(threshold),
      ).not.toContainEqual(names(near.files));
    // Byte-identical files too, if the user says so.
    await app.dispatcher.call('dupes.markApart', { photoIds: ids(exact) });
    expect((await app.dispatcher.call('dupes.find', { threshold: 'exact' })).groups).toEqual([]);
    expect((await app.dispatcher.call('dupes.find', {})).groups).toEqual([]);
    // Trash refuses a photo that is in no group now.
    await expect(app.dispatcher.call('dupes.trash', { photoIds: [ids(near)[1]] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    // A new copy of one of them is still found, with it.
    const b = near.files.find((f) => f.path.endsWith('b.jpg'))!;
    copyFileSync(b.path, path.join(photos, 'b-again.jpg'));
    await app.dispatcher.call('scan.run', { folders: [photos] });
    expect((await app.dispatcher.call('dupes.find', {})).groups.map((g) => names(g.files))).toEqual([
      ['b-again.jpg', 'b.jpg'],
    ]);
    // Taken back (an undo), then all forgotten: the groups come back.
    expect(await app.dispatcher.call('dupes.markApart', { photoIds: ids(near), apart: false })).toEqual({
      changed: 1,
      total: 1,
    });
    expect((await app.dispatcher.call('dupes.find', {})).groups.map((g) => names(g.files))).toContainEqual([
      'b-again.jpg',
      'b-small.png',
      'b.jpg',
    ]);
    expect(await app.dispatcher.call('dupes.markedApart', {})).toEqual({ total: 1 });
    expect(await app.dispatcher.call('dupes.forgetApart', {})).toEqual({ forgotten: 1 });
    expect((await app.dispatcher.call('dupes.find', {})).groups).toHaveLength(2);
    // Unknown photos are refused in a sentence, and nothing is marked.
    await expect(app.dispatcher.call('dupes.markApart', { photoIds: [ids(near)[0], 99_999] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: '1 of these photos are not in the library; nothing was marked.',
    });
    expect(await app.dispatcher.call('dupes.markedApart', {})).toEqual({ total: 0 });
  });

  it('settles a move a kill caught in flight before a new move: the file in the trash is not listed as present', async () => {
    const { groups } = await app.dispatcher.call('dupes.find', {});
    const [moved, next] = groups.flatMap((g) => g.files.filter((f) => !f.keep));
    const catalog = app.library.get();
    leaveIntents(groups, [moved]);
    await trashWithPackage(moved.path);
    expect(catalog.photoById(moved.id)!.status).not.toBe('gone'); // what the kill left
    await app.dispatcher.call('dupes.trash', { photoIds: [next.id] });
    expect(catalog.photoById(moved.id)!.status).toBe('gone');
    expect(existsSync(next.path)).toBe(false);
  });

  it('rejects an unknown threshold with a sentence the user can act on', async () => {
    await expect(app.dispatcher.call('dupes.find', { threshold: 'sortof' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('exact, very-close, close, loose'),
    });
  });
});
