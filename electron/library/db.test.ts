import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, SCHEMA_VERSION } from './db.js';
import { MIGRATIONS } from './schema.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';

const tmp = () => path.join(tempDir('db'), 'library.db');

describe('library database', () => {
  it('creates a new library at the current schema, in WAL mode with foreign keys', () => {
    const db = openDatabase(tmp());
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('upgrades a library written by an older version and keeps its data', () => {
    const file = tmp();
    const old = new Database(file);
    MIGRATIONS[0](old);
    old.pragma('user_version = 1');
    old
      .prepare(
        `INSERT INTO photos (path, size, mtime_ms, status, first_seen, last_seen) VALUES ('/p/a.jpg', 10, 1, 'ready', 'x', 'x')`,
      )
      .run();
    old.close();
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT path FROM photos').all()).toEqual([{ path: '/p/a.jpg' }]);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'settings'`).get()).toEqual({ name: 'settings' });
    db.close();
  });

  it('refuses a library from a newer version with a clear error, without touching it', () => {
    const file = tmp();
    const future = new Database(file);
    future.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    future.close();
    expect(() => openDatabase(file)).toThrow(/newer version of Lookalike/);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5);
    again.close();
  });

  it('reports a file that is not a database as DB_ERROR', async () => {
    const file = tmp();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'this is not sqlite, just text that is long enough to be read as a header.......');
    expect(() => openDatabase(file)).toThrow(expect.objectContaining({ code: 'DB_ERROR' }));
  });
});
