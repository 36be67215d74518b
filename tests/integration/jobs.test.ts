import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress, ServerMessage } from '../../electron/api/contract.js';
import { type App, createApp } from '../../electron/core/app.js';
import { encodeImage, resizeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// Scans and duplicate searches on the job thread (electron/jobs/job-thread.ts), with the shipped query network,
// against the same library worked in this thread.
const dir = tempDir('jobs');
const photos = path.join(dir, 'photos');
const apps: App[] = [];
const names = (groups: { files: { path: string }[] }[]) =>
  groups.map((g) => g.files.map((f) => path.basename(f.path)).sort());

beforeAll(async () => {
  mkdirSync(photos);
  for (let i = 0; i < 6; i++) {
    writeFileSync(
      path.join(photos, `p${i}.jpg`),
      await encodeImage(syntheticPhoto({ width: 480, height: 360, seed: 900 + i }), 'jpeg'),
    );
  }
  const copy = await resizeImage(syntheticPhoto({ width: 480, height: 360, seed: 903 }), 240, 'inside');
  writeFileSync(path.join(photos, 'p3-small.png'), await encodeImage(copy, 'png'));
});
afterAll(async () => {
  for (const app of apps) await app.close();
});

describe('jobs on the job thread', () => {
  it('scan and find duplicates there as they do here, with progress and library.changed reaching the clients', async () => {
    const app = createApp({ dbPath: path.join(dir, 'thread.db') });
    const here = createApp({ dbPath: path.join(dir, 'here.db'), jobs: 'here' });
    apps.push(app, here);
    const sent: ServerMessage[] = [];
    app.dispatcher.connect({ send: (m) => sent.push(m), onMessage: () => {}, onClose: () => {} });
    const progress: Progress[] = [];
    const summary = await app.dispatcher.call(
      'scan.run',
      { folders: [photos] },
      { onProgress: (p) => progress.push(p) },
    );
    expect(summary.added).toBe(7);
    expect(progress.length).toBeGreaterThan(0);
    expect(sent).toContainEqual({ t: 'event', event: { type: 'library.changed', reason: 'scan' } });
    // The scan needed the model, and this thread never loaded it: it ran on the job thread.
    expect(app.model.status().state).toBe('not-loaded');

    expect((await here.dispatcher.call('scan.run', { folders: [photos] })).added).toBe(7);
    const [there, local] = await Promise.all([
      app.dispatcher.call('dupes.find', { threshold: 'close' }),
      here.dispatcher.call('dupes.find', { threshold: 'close' }),
    ]);
    expect(names(there.groups)).toEqual([['p3-small.png', 'p3.jpg']]);
    expect(names(there.groups)).toEqual(names(local.groups));
    expect(there.stats.photos).toBe(local.stats.photos);
  });

  it('trashes a copy from the job thread through this thread’s trash, and this thread sees it gone', async () => {
    const trashed: string[] = [];
    const app = createApp({
      dbPath: path.join(dir, 'trash.db'),
      trashFile: async (file) => {
        trashed.push(file);
        renameSync(file, path.join(dir, `trashed-${path.basename(file)}`));
      },
    });
    apps.push(app);
    const folder = path.join(dir, 'to-trash');
    mkdirSync(folder);
    for (const name of ['p3.jpg', 'p3-small.png', 'p4.jpg'])
      copyFileSync(path.join(photos, name), path.join(folder, name));
    await app.dispatcher.call('scan.run', { folders: [folder] });
    const [group] = (await app.dispatcher.call('dupes.find', { threshold: 'close' })).groups;
    const copy = group.files.find((f) => path.basename(f.path) === 'p3-small.png')!;
    const result = await app.dispatcher.call('dupes.trash', { photoIds: [copy.id], threshold: 'close' });
    expect(result.trashed).toEqual([copy.path]);
    expect(trashed).toEqual([copy.path]);
    expect(app.library.get().photoById(copy.id)?.status).toBe('gone');
    expect((await app.dispatcher.call('dupes.lastTrashed', {})).paths).toEqual([copy.path]);
  });

  it('lets this thread see what the job thread added, and relays a job’s error as a sentence', async () => {
    const app = createApp({ dbPath: path.join(dir, 'second.db') });
    apps.push(app);
    await app.dispatcher.call('scan.run', { folders: [photos] });
    // similar.find runs here, on the photos the job thread just scanned (this thread's index was rebuilt).
    const { results } = await app.dispatcher.call('similar.find', { path: path.join(photos, 'p3.jpg'), limit: 3 });
    expect(path.basename(results[0].path)).toBe('p3-small.png');
    await expect(app.dispatcher.call('scan.run', { folders: [path.join(dir, 'nowhere')] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `${path.join(dir, 'nowhere')} does not exist.`,
    });
  });
});
