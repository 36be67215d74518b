import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Events } from '../../electron/api/contract.js';
import { type App, createApp } from '../../electron/core/app.js';
import { encodeImage } from '../../model/image/decode.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

let app: App | null = null;
afterEach(() => app?.close());

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await sleep(100);
  }
}

describe('watch folders in the app', () => {
  it('with the setting on, a photo added to or removed from a library folder is found without a scan being asked for', async () => {
    const dir = tempDir('watch-app');
    const photos = path.join(dir, 'photos');
    mkdirSync(photos);
    const photo = async (name: string, seed: number) =>
      writeFileSync(
        path.join(photos, name),
        await encodeImage(syntheticPhoto({ width: 96, height: 72, seed }), 'jpeg'),
      );
    for (let i = 0; i < 3; i++) await photo(`p${i}.jpg`, i);
    app = createApp({
      dbPath: path.join(dir, 'library.db'),
      loadEncoder: async () => averageHashEncoder(),
      watch: true,
    });
    const events: Events[] = [];
    app.dispatcher.connect({
      send: (m) => events.push((m as { event: Events }).event),
      onMessage: () => {},
      onClose: () => {},
    });
    await app.dispatcher.call('scan.run', { folders: [photos] });
    const total = async () => (await app!.dispatcher.call('library.photos', { offset: 0, limit: 10 })).total;
    expect(await total()).toBe(3);
    // Off (the default): a new photo waits for a scan.
    expect((await app.dispatcher.call('settings.get', {})).watch).toBe(false);
    await photo('new-1.jpg', 10);
    await sleep(3500);
    expect(await total()).toBe(3);
    // On: the folder is scanned again by itself, and the front ends are told.
    await app.dispatcher.call('settings.set', { watch: true });
    await photo('new-2.jpg', 11);
    await until(async () => (await total()) === 5);
    expect(events).toContainEqual(expect.objectContaining({ type: 'watch.scanned', folders: [photos], added: 2 }));
    rmSync(path.join(photos, 'p0.jpg'));
    await until(async () => (await total()) === 4);
    expect(events).toContainEqual(expect.objectContaining({ type: 'watch.scanned', removed: 1 }));
  });
});
