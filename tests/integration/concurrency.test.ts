import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFixtureLibrary } from '../helpers/fixture-encoder.js';
import { tempDir } from '../helpers/temp-dir.js';

// Two Lookalikes on one library at once (two command lines here; a window and a command line meet the same way):
// a second scan waits for the first and says so, album edits go on beside a scan, and the library ends whole.
const bin = path.resolve('bin/lookalike.js');

function start(db: string, ...args: string[]) {
  const child = spawn(process.execPath, [bin, ...args, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, stderr: () => stderr };
}

function query<T>(db: string, sql: string): T {
  const conn = new Database(db, { readonly: true, timeout: 5000 });
  try {
    return conn.prepare(sql).get() as T;
  } finally {
    conn.close();
  }
}

describe('two Lookalikes on one library', () => {
  it('serialise their scans (the second waits, saying for what), while album edits go on beside them', async () => {
    const dir = tempDir('concurrent');
    const folder = path.join(dir, 'photos');
    const db = path.join(dir, 'library.db');
    await writeFixtureLibrary(folder, 150, { size: 96, formats: ['jpeg'] });
    // The library exists before both start (as a library a window has open does).
    expect(spawnSync(process.execPath, [bin, 'album', 'create', 'First', '--db', db]).status).toBe(0);

    const first = start(db, 'scan', folder);
    // Once the first scan holds the library's lock, a second scan starts.
    const deadline = Date.now() + 30_000;
    while (!query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM library_lock').n) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 50));
    }
    const second = start(db, 'scan', folder);
    // An album edit does not wait for the scan.
    const edit = start(db, 'album', 'create', 'Second');
    expect(await edit.exit).toBe(0);
    const firstRunning = query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM library_lock').n;
    expect(await first.exit).toBe(0);
    expect(await second.exit).toBe(0);
    expect(firstRunning).toBe(1); // the edit finished while the first scan still held the library
    expect(second.stderr()).toMatch(
      /\[wait\] The library is busy with a scan started at .+ by another Lookalike \(process \d+\): waiting for it to finish\./,
    );
    // Both scans together analysed each photo once; the library is whole and has both albums.
    expect(
      query<{ n: number; most: number }>(
        db,
        `SELECT COUNT(*) AS n, MAX(encode_count) AS most FROM photos WHERE status = 'ready'`,
      ),
    ).toEqual({ n: 150, most: 1 });
    expect(query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM albums').n).toBe(2);
    expect(query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM library_lock').n).toBe(0);
    expect(query<{ integrity_check: string }>(db, 'PRAGMA integrity_check').integrity_check).toBe('ok');
  }, 180_000);
});
