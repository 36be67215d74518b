import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeFixtureLibrary } from '../helpers/fixture-encoder.js';
import { seededRandom } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// Fault injection: `kill -9` a process that edits albums without pause (the built app's API, as the CLI and the
// window call it: add 30 photos, take them out, rename, make and delete an album), at random moments, many times.
// After every kill: integrity_check ok; every edit is whole or absent (an album holds all 30 or none, has one of its
// two names, the made-and-deleted album is there with its 5 photos or not at all); no other album loses a photo.
const bin = path.resolve('bin/lookalike.js');
const app = pathToFileURL(path.resolve('dist/electron/core/app.js')).href;
const KILLS = 20;

/** The driver: edits albums in a loop, forever (until killed). */
const DRIVER = `
const { createApp } = await import(${JSON.stringify(app)});
const [db, ...paths] = process.argv.slice(1);
const lookalike = createApp({ dbPath: db, jobs: 'here' });
const call = (m, a) => lookalike.dispatcher.call(m, a);
let name = (await call('album.list', {})).albums.some((a) => a.name === 'B') ? 'B' : 'A';
for (;;) {
  await call('album.add', { name, paths });
  await call('album.remove', { name, paths });
  const next = name === 'A' ? 'B' : 'A';
  await call('album.rename', { name, to: next });
  name = next;
  if ((await call('album.list', {})).albums.some((a) => a.name === 'Temp')) await call('album.delete', { name: 'Temp' });
  await call('album.create', { name: 'Temp' });
  await call('album.add', { name: 'Temp', paths: paths.slice(0, 5) });
  await call('album.delete', { name: 'Temp' });
}
`;

function inspect(db: string) {
  const conn = new Database(db, { readonly: true });
  try {
    const albums = conn
      .prepare(
        'SELECT a.name, COUNT(ap.photo_id) AS n FROM albums a LEFT JOIN album_photos ap ON ap.album_id = a.id GROUP BY a.id ORDER BY a.name',
      )
      .all() as { name: string; n: number }[];
    return { integrity: conn.pragma('integrity_check', { simple: true }), albums };
  } finally {
    conn.close();
  }
}

describe('album edits under kill -9', () => {
  it(`leave every edit whole or absent through ${KILLS} kills`, async () => {
    const dir = tempDir('album-kill');
    const folder = path.join(dir, 'photos');
    const db = path.join(dir, 'library.db');
    const files = await writeFixtureLibrary(folder, 30, { size: 64, formats: ['jpeg'] });
    const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args, '--db', db], { encoding: 'utf8' });
    expect(cli('scan', folder).status).toBe(0);
    expect(cli('album', 'create', 'Kept').status).toBe(0);
    expect(cli('album', 'add', 'Kept', ...files.slice(10, 20)).status).toBe(0);
    expect(cli('album', 'create', 'A').status).toBe(0);

    const random = seededRandom(9);
    const seen = new Set<string>();
    for (let i = 0; i < KILLS; i++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', DRIVER, db, ...files], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise((r) => setTimeout(r, 300 + random() * 900));
      child.kill('SIGKILL');
      await exited;
      const { integrity, albums } = inspect(db);
      expect(integrity).toBe('ok');
      const names = albums.map((a) => a.name);
      expect(albums.find((a) => a.name === 'Kept')).toEqual({ name: 'Kept', n: 10 });
      const toggled = albums.filter((a) => a.name === 'A' || a.name === 'B');
      expect(toggled).toHaveLength(1);
      expect([0, 30]).toContain(toggled[0].n);
      const temp = albums.find((a) => a.name === 'Temp');
      if (temp) expect([0, 5]).toContain(temp.n);
      expect(names.every((n) => ['A', 'B', 'Kept', 'Temp'].includes(n))).toBe(true);
      seen.add(`${toggled[0].name}${toggled[0].n}${temp ? `T${temp.n}` : ''}`);
    }
    // The kills landed in different edits.
    expect(seen.size).toBeGreaterThan(2);
  }, 300_000);
});
