/**
 * The one better-sqlite3 adapter: opening, pragmas and versioned migrations. Everything else in the app
 * talks to the catalog (catalog.ts), which receives the `SqliteDatabase` this module opens.
 */
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AppError, toApiError } from '../api/errors.js';
import { MIGRATIONS } from './schema.js';

export type SqliteDatabase = Database.Database;
export type SqliteStatement = Database.Statement;

/** The schema version this build understands: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenOptions {
  readonly?: boolean;
}

/**
 * Open (creating if needed) a library database: WAL journal, foreign keys on, migrations applied in one
 * transaction each. A database written by a newer Lookalike is refused, never downgraded.
 */
export function openDatabase(file: string, options: OpenOptions = {}): SqliteDatabase {
  if (!options.readonly) mkdirSync(path.dirname(file), { recursive: true });
  let db: SqliteDatabase;
  try {
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (error) {
    throw new AppError('DB_ERROR', `Cannot open the library database ${file}: ${(error as Error).message}`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    // A library from a newer version is refused before anything is written to it (turning on WAL rewrites the
    // file's header).
    refuseNewer(db, file);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL is durable against application crashes in WAL mode (only an OS crash may lose the last commits).
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    migrate(db, file, options.readonly ?? false);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof AppError) throw error;
    // Storage failures (a read-only disk, a damaged file, a lock) in the sentence the boundary gives them. SQLite
    // says only that it cannot open the file where the disk is read-only (it cannot make its shared-memory file).
    if (/^SQLITE_(CANTOPEN|READONLY)/.test(String((error as { code?: unknown }).code)) && readOnlyDisk(file))
      throw new AppError(
        'DB_ERROR',
        `The library database cannot be opened for writing: the disk it is on is read-only. Nothing was changed. (${file})`,
      );
    const known = toApiError(error);
    if (known.code !== 'INTERNAL') throw new AppError(known.code, `${known.message} (${file})`, known.details);
    throw new AppError('DB_ERROR', `The library database ${file} is not usable: ${(error as Error).message}`);
  }
}

/** Whether the folder of `file` is on a read-only file system. */
function readOnlyDisk(file: string): boolean {
  try {
    accessSync(path.dirname(file), constants.W_OK);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EROFS';
  }
}

function refuseNewer(db: SqliteDatabase, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new AppError(
      'DB_ERROR',
      `The library ${file} was written by a newer version of Lookalike (schema ${current}; this version understands up to ${SCHEMA_VERSION}). Update Lookalike to open it.`,
      { schema: current, supported: SCHEMA_VERSION },
    );
  }
}

function migrate(db: SqliteDatabase, file: string, readonly: boolean): void {
  refuseNewer(db, file);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current === SCHEMA_VERSION) return;
  if (readonly)
    throw new AppError('DB_ERROR', `The library ${file} needs an upgrade, which a read-only open cannot do.`);
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      MIGRATIONS[version](db);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}

/**
 * Copies the library `from` to `to` (which must not exist): one consistent snapshot (SQLite's VACUUM INTO), written
 * beside `to` and renamed onto it once it checks whole, so a failure (a full disk, a folder that cannot be written)
 * leaves nothing at `to`. The copy is at this build's schema; `from` is left as it was.
 */
export function copyLibraryFile(from: string, to: string): void {
  if (existsSync(to)) throw new AppError('IO_ERROR', `There is already a file at ${to}; nothing was copied.`);
  const partial = `${to}.partial`;
  rmSync(partial, { force: true });
  const db = openDatabase(from);
  try {
    db.prepare('VACUUM INTO ?').run(partial);
    const copy = new Database(partial, { readonly: true, fileMustExist: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok')
        throw new AppError('DB_ERROR', `The copy of the library did not check whole (${String(check)}).`);
    } finally {
      copy.close();
    }
    renameSync(partial, to);
  } catch (error) {
    rmSync(partial, { force: true });
    if (error instanceof AppError) throw error;
    const known = toApiError(error);
    throw new AppError(
      known.code === 'INTERNAL' ? 'IO_ERROR' : known.code,
      `The library could not be copied to ${to}: ${known.message}`,
    );
  } finally {
    db.close();
  }
}

/** Whether `file` is a Lookalike library this build can open (read without changing it). */
export function isLibraryFile(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      const photos = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'photos'").get();
      return version >= 1 && version <= SCHEMA_VERSION && photos !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}
