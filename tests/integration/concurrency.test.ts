import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectWebSocket } from '../../renderer/src/lib/api/client.js';
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

describe('the app in browser mode and the command line on one library', () => {
  it('a scan the app runs makes the command line wait; searches and album edits go on; one library at the end', async () => {
    const dir = tempDir('concurrent-app');
    const folder = path.join(dir, 'photos');
    const db = path.join(dir, 'library.db');
    await writeFixtureLibrary(folder, 150, { size: 96, formats: ['jpeg'] });
    const serve = spawn(process.execPath, [bin, 'serve', '--port', '0', '--json', '--db', db], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        serve.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
        });
        serve.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      const client = await connectWebSocket(url, WebSocket as never);
      // The app scans (a job of its job thread); once it holds the library, the command line joins in.
      const appScan = client.invoke('scan.run', { folders: [folder] });
      const deadline = Date.now() + 30_000;
      while (!existsSync(db) || !query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM library_lock').n) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 50));
      }
      const cliScan = start(db, 'scan', folder);
      const edit = start(db, 'album', 'create', 'From the command line');
      const search = start(db, 'dupes', '--threshold', 'exact');
      expect(await edit.exit).toBe(0);
      expect(await search.exit).toBe(0);
      const summary = await appScan;
      expect(summary.added).toBe(150);
      expect(await cliScan.exit).toBe(0);
      expect(cliScan.stderr()).toContain('The library is busy with a scan started at');
      // The app sees the album the command line made.
      expect((await client.invoke('album.list', {})).albums.map((a) => a.name)).toEqual(['From the command line']);
      client.close();
    } finally {
      serve.kill();
      await new Promise((resolve) => serve.once('exit', resolve));
    }
    expect(
      query<{ n: number; most: number }>(
        db,
        `SELECT COUNT(*) AS n, MAX(encode_count) AS most FROM photos WHERE status = 'ready'`,
      ),
    ).toEqual({ n: 150, most: 1 });
    expect(query<{ integrity_check: string }>(db, 'PRAGMA integrity_check').integrity_check).toBe('ok');
  }, 180_000);
});
