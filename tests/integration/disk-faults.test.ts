import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { toApiError } from '../../electron/api/errors.js';
import { SCHEMA_VERSION } from '../../electron/library/db.js';
import { averageHashEncoder, writeFixtureLibrary } from '../helpers/fixture-encoder.js';
import { tempDir } from '../helpers/temp-dir.js';

// Disk and database faults: a full disk, a read-only disk, a database another process holds locked, a database
// from a newer version, a damaged page. Each gives one clear sentence, and nothing saved before is lost. The full
// and read-only disks are small tmpfs mounts made by the test; where this machine does not allow mounting (no
// privilege), those two are skipped, with the reason.
const bin = path.resolve('bin/lookalike.js');
const require = createRequire(import.meta.url);
const mounts: string[] = [];
let app: App | null = null;

afterEach(async () => {
  await app?.close();
  app = null;
  while (mounts.length) spawnSync('umount', [mounts.pop()!]);
});

/** A tmpfs of `size` at a new folder, or null where mounting is not allowed. */
function smallDisk(size: string): string | null {
  const dir = tempDir('disk');
  if (process.platform !== 'linux') return null;
  const run = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (run.status !== 0) return null;
  mounts.push(dir);
  return dir;
}
const canMount = (() => {
  const dir = smallDisk('64k');
  if (dir) spawnSync('umount', [mounts.pop()!]);
  return dir !== null;
})();

function integrity(db: string): string {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.pragma('integrity_check', { simple: true }) as string;
  } finally {
    conn.close();
  }
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function cli(db: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args, '--db', db], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function failure(work: Promise<unknown>) {
  try {
    await work;
  } catch (error) {
    return toApiError(error);
  }
  throw new Error('expected a failure');
}

describe('disk and database faults', () => {
  const PHOTOS = 600;
  it.skipIf(!canMount)(
    'a full disk stops a scan with a sentence; once there is room it goes on where it stopped',
    async () => {
      const disk = smallDisk('1200k')!;
      const photos = tempDir('full-photos');
      await writeFixtureLibrary(photos, PHOTOS, { size: 96, formats: ['jpeg'] });
      const db = path.join(disk, 'library.db');
      app = createApp({ dbPath: db, loadEncoder: async () => averageHashEncoder() });
      const error = await failure(app.dispatcher.call('scan.run', { folders: [photos] }));
      expect(error).toMatchObject({ code: 'IO_ERROR', message: expect.stringMatching(/^The disk is full/) });
      await app.close();
      app = null;
      expect(integrity(db)).toBe('ok');
      const kept = new Database(db, { readonly: true });
      const saved = (kept.prepare(`SELECT COUNT(*) AS n FROM photos WHERE status = 'ready'`).get() as { n: number }).n;
      kept.close();
      expect(saved).toBeGreaterThan(0);
      expect(saved).toBeLessThan(PHOTOS);
      // Room again: the scan goes on from there, and analyses no photo twice.
      expect(spawnSync('mount', ['-o', 'remount,size=64m', disk]).status).toBe(0);
      app = createApp({ dbPath: db, loadEncoder: async () => averageHashEncoder() });
      const summary = await app.dispatcher.call('scan.run', { folders: [photos] });
      expect(summary.failed).toEqual([]);
      const final = app.library.get().db;
      expect(
        final.prepare(`SELECT COUNT(*) AS n, MAX(encode_count) AS most FROM photos WHERE status = 'ready'`).get(),
      ).toEqual({ n: PHOTOS, most: 1 });
    },
    120_000,
  );

  it.skipIf(!canMount)(
    'a read-only disk: reading still works, a change is refused in a sentence, the file is untouched',
    async () => {
      const disk = smallDisk('16m')!;
      const photos = tempDir('ro-photos');
      await writeFixtureLibrary(photos, 12, { size: 96, formats: ['jpeg'] });
      const db = path.join(disk, 'library.db');
      app = createApp({ dbPath: db, loadEncoder: async () => averageHashEncoder() });
      await app.dispatcher.call('scan.run', { folders: [photos] });
      await app.dispatcher.call('album.create', { name: 'Kept' });
      await app.close();
      app = null;
      // Checkpointed and closed: the database is one file.
      const before = sha(db);
      expect(spawnSync('mount', ['-o', 'remount,ro', disk]).status).toBe(0);
      const listed = cli(db, 'album', 'list');
      const created = cli(db, 'album', 'create', 'New');
      expect(created.status).not.toBe(0);
      expect(created.stderr).toMatch(/the disk it is on is read-only/);
      expect(created.stderr.trim().split('\n')).toHaveLength(1);
      // Reading: either it works, or it says in one sentence why it cannot.
      if (listed.status === 0) expect(listed.stdout).toContain('Kept');
      else expect(listed.stderr).toMatch(/the disk it is on is read-only/);
      expect(sha(db)).toBe(before);
    },
  );

  it('a library another process holds locked: a change waits, then says the library is busy; nothing is lost', async () => {
    const dir = tempDir('locked');
    const db = path.join(dir, 'library.db');
    app = createApp({ dbPath: db, loadEncoder: async () => averageHashEncoder() });
    await app.dispatcher.call('album.create', { name: 'First' });
    await app.close();
    app = null;
    // Another process takes the write lock and keeps it for 8 s (longer than the 5 s busy timeout).
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const d = new D(${JSON.stringify(db)});` +
          `d.exec('BEGIN EXCLUSIVE'); console.log('locked'); setTimeout(() => { d.exec('ROLLBACK'); d.close(); }, 8000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const busy = cli(db, 'album', 'create', 'Second');
    expect(busy.status).not.toBe(0);
    expect(busy.stderr.trim()).toBe(
      'lookalike: The library is busy: another Lookalike (a window or the command line) is writing to it. Try again when it is done.',
    );
    await new Promise((resolve) => holder.once('exit', resolve));
    expect(cli(db, 'album', 'create', 'Second').status).toBe(0);
    expect(cli(db, 'album', 'list').stdout).toMatch(/First[\s\S]*Second/);
    expect(integrity(db)).toBe('ok');
  }, 60_000);

  it('a library from a newer version, or with a damaged page, is refused in a sentence and left as it was', async () => {
    const dir = tempDir('damaged');
    const photos = path.join(dir, 'photos');
    mkdirSync(photos);
    await writeFixtureLibrary(photos, 40, { size: 96, formats: ['jpeg'] });
    const db = path.join(dir, 'library.db');
    app = createApp({ dbPath: db, loadEncoder: async () => averageHashEncoder() });
    await app.dispatcher.call('scan.run', { folders: [photos] });
    await app.close();
    app = null;

    const newer = path.join(dir, 'newer.db');
    const copy = new Database(db);
    await copy.backup(newer);
    copy.close();
    const future = new Database(newer);
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    future.pragma('journal_mode = DELETE');
    future.close();
    const newerBefore = sha(newer);
    const refused = cli(newer, 'album', 'list');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('was written by a newer version of Lookalike');
    expect(refused.stderr).toContain('Update Lookalike to open it.');
    expect(sha(newer)).toBe(newerBefore);

    // Garbage over the first page of the photos table (the file's header intact).
    const damaged = path.join(dir, 'damaged.db');
    const source = new Database(db);
    await source.backup(damaged);
    source.close();
    // As a library is: in WAL mode, everything checkpointed into the one file.
    const flat = new Database(damaged);
    flat.pragma('journal_mode = WAL');
    flat.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = flat.pragma('page_size', { simple: true }) as number;
    const { rootpage } = flat.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'photos'`).get() as {
      rootpage: number;
    };
    flat.close();
    expect(statSync(damaged).size).toBeGreaterThan(rootpage * pageSize);
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (rootpage - 1) * pageSize);
    closeSync(fd);
    const damagedBefore = sha(damaged);
    const run = cli(damaged, 'dupes', '--threshold', 'exact');
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim()).toMatch(/^lookalike: The library database is damaged/);
    expect(sha(damaged)).toBe(damagedBefore);
  }, 60_000);
});
