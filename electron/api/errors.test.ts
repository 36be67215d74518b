import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp-dir.js';
import { AppError, toApiError } from './errors.js';

describe('errors at the boundary', () => {
  it('keep an AppError as it is, and say CANCELLED for an abort', () => {
    expect(toApiError(new AppError('NOT_FOUND', 'No such album.', { name: 'x' }))).toEqual({
      code: 'NOT_FOUND',
      message: 'No such album.',
      details: { name: 'x' },
    });
    expect(toApiError(new DOMException('stop', 'AbortError'))).toMatchObject({ code: 'CANCELLED' });
  });

  it('turn real SQLite failures into sentences a person can act on', () => {
    const dir = tempDir('errors');
    // A file that is no database.
    const junk = path.join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database, but it is long enough to have a header of sorts......');
    let caught: unknown;
    try {
      new Database(junk).pragma('user_version');
    } catch (error) {
      caught = error;
    }
    expect(toApiError(caught)).toMatchObject({
      code: 'DB_ERROR',
      message: expect.stringMatching(/^The library database is damaged/),
      details: { cause: 'SQLITE_NOTADB' },
    });
    // Another connection holds the write lock past the busy timeout.
    const file = path.join(dir, 'busy.db');
    const holder = new Database(file);
    holder.exec('CREATE TABLE t (x)');
    holder.exec('BEGIN EXCLUSIVE');
    const other = new Database(file, { timeout: 10 });
    try {
      other.exec('INSERT INTO t VALUES (1)');
    } catch (error) {
      caught = error;
    }
    expect(toApiError(caught)).toMatchObject({
      code: 'DB_ERROR',
      message: expect.stringMatching(/^The library is busy/),
    });
    holder.exec('ROLLBACK');
    // A read-only connection asked to write.
    const readonly = new Database(file, { readonly: true });
    try {
      readonly.exec('INSERT INTO t VALUES (1)');
    } catch (error) {
      caught = error;
    }
    expect(toApiError(caught)).toMatchObject({ code: 'DB_ERROR', message: expect.stringMatching(/read-only/) });
    for (const db of [holder, other, readonly]) db.close();
  });

  it('name the file of a file-system failure, and leave other errors INTERNAL with their message', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      path: '/media/usb/library.db',
    });
    expect(toApiError(full)).toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringMatching(/^The disk is full.*\(\/media\/usb\/library\.db\)\.$/),
    });
    expect(toApiError(new Error('something odd'))).toEqual({ code: 'INTERNAL', message: 'something odd' });
  });
});
