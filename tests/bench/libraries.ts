/**
 * The large libraries the browser-mode benchmarks run on: the 100,000-photo library `npm run bench:scale -- --photos
 * 100000` makes (kept in $TMPDIR/lookalike-scale/), copied so that a benchmark changes only its copy.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';

/** The 100,000-photo library bench:scale made, if there is one. */
export function defaultLibrary(): string | null {
  const dir = path.join(os.tmpdir(), 'lookalike-scale');
  const found = existsSync(dir) ? readdirSync(dir).find((f) => /^library-100000-\w+\.db$/.test(f)) : undefined;
  return found ? path.join(dir, found) : null;
}

/** A copy of the library `source` in a new temporary folder (SQLite's online backup: its WAL included). */
export async function copyLibrary(source: string, name: string): Promise<string> {
  const db = path.join(tempDir(name), 'library.db');
  const from = new Database(source, { readonly: true });
  await from.backup(db);
  from.close();
  return db;
}
