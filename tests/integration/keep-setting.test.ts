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

describe('the keep rule kept in the library', () => {
  it('decides which copy a search proposes to keep when the search names no rule', async () => {
    const dir = tempDir('keep-setting');
    const bytes = await encodeImage(syntheticPhoto({ width: 96, height: 72, seed: 5 }), 'jpeg');
    const [archive, phone] = [path.join(dir, 'Archive'), path.join(dir, 'Phone')];
    for (const [folder, year] of [
      [archive, 2020],
      [phone, 2024],
    ] as const) {
      mkdirSync(folder);
      writeFileSync(path.join(folder, 'IMG_1.jpg'), bytes);
      const when = new Date(`${year}-01-01T12:00:00Z`);
      utimesSync(path.join(folder, 'IMG_1.jpg'), when, when);
    }
    app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
    const call = app.dispatcher.call.bind(app.dispatcher);
    await call('scan.run', { folders: [dir] });
    const kept = async (args: Parameters<typeof call<'dupes.find'>>[1] = { threshold: 'exact' }) =>
      (await call('dupes.find', args)).groups[0].files.filter((f) => f.keep).map((f) => path.dirname(f.path));
    // The library's rule (best quality: the older file, all else equal), then a folder to keep copies in.
    expect(await kept()).toEqual([archive]);
    await call('settings.set', { keepRule: { kind: 'preferred-folder', folder: phone } });
    expect((await call('settings.get', {})).keepRule).toEqual({ kind: 'preferred-folder', folder: phone });
    expect(await kept()).toEqual([phone]);
    // A rule the search names wins over the library's.
    expect(await kept({ threshold: 'exact', keepRule: { kind: 'best-quality' } })).toEqual([archive]);
  });
});
