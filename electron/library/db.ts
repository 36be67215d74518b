/**
 * The one better-sqlite3 adapter: opening, pragmas and versioned migrations. Everything else in the app
 * talks to the catalog (catalog.ts), which receives the `SqliteDatabase` this module opens.
 */
import Database from 'better-sqlite3';
import { accessSync, constants, mkdirSync } from 'node:fs';
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
