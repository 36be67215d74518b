/** The typed error every image entry point throws, and the mapping from decoder messages to its codes. */

export type DecodeErrorCode = 'UNSUPPORTED' | 'CORRUPT' | 'TOO_LARGE' | 'EMPTY' | 'IO';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly code: DecodeErrorCode;
  /** The file that failed, when the input was a path. */
  readonly path?: string;

  constructor(code: DecodeErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(options.path ? `${message} (${options.path})` : message, { cause: options.cause });
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
  }
}

// libvips/sharp messages are not a stable API, so each pattern is a family of phrasings; anything
// unrecognised is CORRUPT, the safest default for "the decoder choked on this file".
const MESSAGE_CODES: [RegExp, DecodeErrorCode][] = [
  [/exceeds pixel limit|too large|image size exceeds|security limit|exceeds.*limit/i, 'TOO_LARGE'],
  [
    /unsupported image format|unknown (file )?format|not a known (file )?format|unsupported (file )?format/i,
    'UNSUPPORTED',
  ],
  [/input (buffer|file) is empty|empty (buffer|input)/i, 'EMPTY'],
  [/input file is missing|no such file|ENOENT|EACCES|EISDIR|EPERM|permission denied|unable to open/i, 'IO'],
];

/** Wraps whatever a decoder threw into a DecodeError (passing DecodeErrors through untouched). */
export function toDecodeError(error: unknown, path?: string): DecodeError {
  if (error instanceof DecodeError) {
    // Errors raised below the entry point may not know the path; attach it once, at the top.
    return error.path !== undefined || path === undefined
      ? error
      : new DecodeError(error.code, error.message, { path, cause: error.cause });
  }
  const message = error instanceof Error ? error.message : String(error);
  const nodeCode = (error as { code?: unknown } | null)?.code;
  if (typeof nodeCode === 'string' && /^E[A-Z]+$/.test(nodeCode)) {
    return new DecodeError('IO', `cannot read file: ${message}`, { path, cause: error });
  }
  const code = MESSAGE_CODES.find(([pattern]) => pattern.test(message))?.[1] ?? 'CORRUPT';
  return new DecodeError(code, firstLine(message), { path, cause: error });
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0].trim();
  return line.length > 0 ? line : 'image could not be decoded';
}
