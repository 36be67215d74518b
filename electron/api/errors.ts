import type { ApiError, ErrorCode } from './contract.js';

const CODES: Record<ErrorCode, true> = {
  BAD_REQUEST: true,
  UNKNOWN_METHOD: true,
  NOT_FOUND: true,
  NOT_IMPLEMENTED: true,
  CANCELLED: true,
  IO_ERROR: true,
  DECODE_ERROR: true,
  DB_ERROR: true,
  MODEL_ERROR: true,
  FORBIDDEN: true,
  INTERNAL: true,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(CODES, value);
}

/** An error a handler throws on purpose: it crosses the boundary with its code and details intact. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'ABORT_ERR');
}

/**
 * Failures of storage, by the codes SQLite (`SQLITE_*`, as better-sqlite3 reports them) and the file system give,
 * in sentences a person can act on. What was saved before stays saved: SQLite rolls the failed transaction back.
 */
const STORAGE_FAILURES: [RegExp, ErrorCode, string][] = [
  [
    /^(SQLITE_FULL|ENOSPC|EDQUOT)$/,
    'IO_ERROR',
    'The disk is full, so Lookalike could not save its work. Free some space and try again; what was saved before is kept.',
  ],
  [
    /^SQLITE_READONLY/,
    'DB_ERROR',
    'The library database cannot be written: it, or the disk it is on, is read-only. Nothing was changed.',
  ],
  [
    /^(SQLITE_BUSY|SQLITE_LOCKED)/,
    'DB_ERROR',
    'The library is busy: another Lookalike (a window or the command line) is writing to it. Try again when it is done.',
  ],
  [
    /^(SQLITE_CORRUPT|SQLITE_NOTADB)/,
    'DB_ERROR',
    'The library database is damaged, so Lookalike left it as it is. Restore it from a backup, or start a new library with --db.',
  ],
  [
    /^(SQLITE_CANTOPEN|SQLITE_PERM|SQLITE_AUTH)/,
    'DB_ERROR',
    'Lookalike is not allowed to open or write the library database (file permissions). Nothing was changed.',
  ],
  [/^SQLITE_IOERR/, 'IO_ERROR', 'The disk failed to read or write the library database. Nothing more was changed.'],
  [/^EROFS$/, 'IO_ERROR', 'The disk is read-only, so Lookalike could not change anything on it.'],
  [/^(EACCES|EPERM)$/, 'IO_ERROR', 'Lookalike is not allowed to change that file or folder (permissions).'],
  [/^EIO$/, 'IO_ERROR', 'The disk failed to read or write.'],
];

function storageError(error: Error): ApiError | null {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return null;
  const found = STORAGE_FAILURES.find(([pattern]) => pattern.test(code));
  if (!found) return null;
  const file = (error as { path?: unknown }).path;
  const where = typeof file === 'string' ? ` (${file})` : '';
  return {
    code: found[1],
    message: found[2].replace(/\.$/, `${where}.`),
    details: { cause: code, detail: error.message },
  };
}

/** Turn anything thrown into an `ApiError`; unexpected errors become INTERNAL with their message. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof AppError) {
    return error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  }
  if (isAbortError(error)) return { code: 'CANCELLED', message: 'The operation was cancelled.' };
  const storage = error instanceof Error ? storageError(error) : null;
  if (storage) return storage;
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message || error.name };
  return { code: 'INTERNAL', message: String(error) };
}

/** Rebuild an `AppError` from data that came over the wire (client side). */
export function fromApiError(error: ApiError): AppError {
  return new AppError(isErrorCode(error.code) ? error.code : 'INTERNAL', error.message, error.details);
}
