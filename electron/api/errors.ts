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

/** Turn anything thrown into an `ApiError`; unexpected errors become INTERNAL with their message. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof AppError) {
    return error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  }
  if (isAbortError(error)) return { code: 'CANCELLED', message: 'The operation was cancelled.' };
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message || error.name };
  return { code: 'INTERNAL', message: String(error) };
}

/** Rebuild an `AppError` from data that came over the wire (client side). */
export function fromApiError(error: ApiError): AppError {
  return new AppError(isErrorCode(error.code) ? error.code : 'INTERNAL', error.message, error.details);
}
