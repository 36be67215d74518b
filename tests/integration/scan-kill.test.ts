import Database from 'better-sqlite3';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFixtureLibrary } from '../helpers/fixture-encoder.js';
import { seededRandom } from '../helpers/synthetic-photo.js';
import { rescan } from '../helpers/rescan.js';
import { tempDir } from '../helpers/temp-dir.js';

// Fault injection: `kill -9` the real CLI at random moments of a scan, many times. After every kill the
// database must open and pass integrity_check; the final scan must count every photo exactly once and
// no photo whose analysis was committed may ever be analysed again (encode_count stays at 1).
const bin = path.resolve('bin/lookalike.js');
const PHOTOS = 120;
const KILLS = 20;

function startScan(folder: string, db: string): ChildProcess {
  return spawn(process.execPath, [bin, 'scan', folder, '--db', db, '--json'], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
}

function inspect(db: string) {
  const conn = new Database(db, { readonly: true });
  try {
    const integrity = conn.pragma('integrity_check', { simple: true });
    if (!conn.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'photos'`).get())
      return { integrity, ready: 0, maxEncodes: 0 };
    const { ready, maxEncodes } = conn
      .prepare(`SELECT SUM(status = 'ready') AS ready, MAX(encode_count) AS maxEncodes FROM photos`)
      .get() as { ready: number | null; maxEncodes: number | null };
    return { integrity, ready: ready ?? 0, maxEncodes: maxEncodes ?? 0 };
  } finally {
    conn.close();
  }
}

describe('scan under kill -9', () => {
  it(`survives ${KILLS} kills at random moments and resumes exactly`, async () => {
    const dir = tempDir('kill');
    const folder = path.join(dir, 'photos');
    const db = path.join(dir, 'library.db');
    await writeFixtureLibrary(folder, PHOTOS, { size: 96 });
    const random = seededRandom(42);
    const progress: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const before = existsSync(db) ? inspect(db).ready : 0;
      const child = startScan(folder, db);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (i % 2 === 0) {
        // Anywhere: start-up, walking, hashing, or the first analyses.
        await new Promise((r) => setTimeout(r, 100 + random() * 1500));
      } else {
        // Mid-analysis: once this run has committed something, at a random moment after that.
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline && inspect(db).ready <= before) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, random() * 400));
      }
      child.kill('SIGKILL');
      await exited;
      const state = inspect(db);
      expect(state.integrity).toBe('ok');
      expect(state.maxEncodes).toBeLessThanOrEqual(1);
      progress.push(state.ready);
    }
    const final = rescan(folder, db);
    expect(final.status, final.stderr).toBe(0);
    expect(final.failed).toEqual([]);
    // Every photo the library holds is accounted for: analysed now (added or resumed) or unchanged.
    expect(final.photos).toBe(PHOTOS);
    const state = inspect(db);
    expect(state).toEqual({ integrity: 'ok', ready: PHOTOS, maxEncodes: 1 });
    // The kills landed at different stages, so resuming was actually exercised.
    expect(new Set(progress).size).toBeGreaterThan(1);
  }, 300_000);
});
