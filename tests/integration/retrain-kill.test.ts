import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFixtureLibrary } from '../helpers/fixture-encoder.js';
import { seededRandom } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// Fault injection: `kill -9` the real CLI while it switches the library's similarity head (`model use`, `model
// reset`) or retrains and switches (`train --use`), at random moments, many times. After every kill the database
// must pass integrity_check and its similarity codes must all be of one head, the one the library records as in
// use: a search never sees a mix of old and new codes.
const bin = path.resolve('bin/lookalike.js');
const KILLS = 20;

function cli(db: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args, '--db', db], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`lookalike ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

function inspect(db: string) {
  const conn = new Database(db, { readonly: true });
  try {
    const integrity = conn.pragma('integrity_check', { simple: true });
    const versions = (
      conn.prepare(`SELECT DISTINCT head_version AS v FROM codes WHERE kind = 'sim'`).all() as { v: string }[]
    ).map((r) => r.v);
    const row = conn.prepare(`SELECT value FROM settings WHERE key = 'library.similarityHead'`).get() as
      { value: string } | undefined;
    return { integrity, versions, inUse: row ? (JSON.parse(row.value) as string | null) : null };
  } finally {
    conn.close();
  }
}

describe('switching the similarity head under kill -9', () => {
  it(`keeps every similarity code of the head in use through ${KILLS} kills`, async () => {
    const dir = tempDir('retrain-kill');
    const folder = path.join(dir, 'photos');
    const db = path.join(dir, 'library.db');
    const files = await writeFixtureLibrary(folder, 40, { size: 96, formats: ['jpeg'] });
    cli(db, 'scan', folder);
    for (const [album, part] of [
      ['first', files.slice(0, 20)],
      ['second', files.slice(20)],
    ] as const) {
      cli(db, 'album', 'create', album);
      cli(db, 'album', 'add', album, ...part);
    }
    const trained = JSON.parse(cli(db, 'train', '--epochs', '3', '--json')) as { model: string; inUse: string };
    const shipped = trained.inUse;
    const dupCodes = () => {
      const conn = new Database(db, { readonly: true });
      try {
        return conn
          .prepare(`SELECT photo_id, code FROM codes WHERE kind = 'dup' ORDER BY photo_id`)
          .safeIntegers(true)
          .all();
      } finally {
        conn.close();
      }
    };
    const dupBefore = dupCodes();
    const random = seededRandom(7);
    const seen = new Set<string>();
    for (let i = 0; i < KILLS; i++) {
      const args = [
        ['model', 'use', trained.model],
        ['model', 'reset'],
        ['train', '--epochs', '3', '--use'],
      ][i % 3]!;
      const child = spawn(process.execPath, [bin, ...args, '--db', db], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise((r) => setTimeout(r, 300 + random() * 1500));
      child.kill('SIGKILL');
      await exited;
      const state = inspect(db);
      expect(state.integrity).toBe('ok');
      expect(state.versions).toEqual([state.inUse ?? shipped]);
      seen.add(state.inUse ?? shipped);
    }
    // The kills landed before and after switches: both heads were found in use.
    expect(seen.size).toBeGreaterThan(1);
    expect(dupCodes()).toEqual(dupBefore);
    // And the library still switches.
    expect(JSON.parse(cli(db, 'model', 'reset', '--json'))).toMatchObject({ version: shipped });
    expect(inspect(db).versions).toEqual([shipped]);
  }, 300_000);
});
