/**
 * Where the library lives. `--db FILE` wins, then `LOOKALIKE_DB`, then the place chosen in Settings (kept in
 * `location.json` in the user data folder), then `library.db` in the user data folder.
 *
 * A move chosen in Settings is carried out when the desktop app next starts, before it opens the library
 * (`applyPendingMove`): then nothing of this app writes to the library while it is copied, and nothing written
 * after the choice is left behind. Until then everyone (the command line included) keeps using the library where
 * it is. The old file is kept: the person deletes it when the new place works.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../api/errors.js';
import { userDataDir } from './paths.js';

export interface ChosenLocation {
  /** The library file chosen. */
  library?: string;
  /** Set while a move to `library` waits for the next start: the file it moves from. */
  moveFrom?: string;
  /** Why the last move could not be made (the library stayed where it was). */
  failed?: string;
}

export type LibrarySource = 'flag' | 'env' | 'chosen' | 'default';

export function locationFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userDataDir(env), 'location.json');
}

export function readLocation(env: NodeJS.ProcessEnv = process.env): ChosenLocation {
  try {
    const value = JSON.parse(readFileSync(locationFile(env), 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return {};
    const { library, moveFrom, failed } = value as Record<string, unknown>;
    return {
      ...(typeof library === 'string' ? { library } : {}),
      ...(typeof moveFrom === 'string' ? { moveFrom } : {}),
      ...(typeof failed === 'string' ? { failed } : {}),
    };
  } catch {
    return {}; // none chosen, or a file this build cannot read: the default
  }
}

/** Writes the choice (beside, then renamed over the old one: a crash leaves the old choice or the new). */
export function writeLocation(location: ChosenLocation, env: NodeJS.ProcessEnv = process.env): void {
  const file = locationFile(env);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.new`, `${JSON.stringify(location, null, 2)}\n`);
  renameSync(`${file}.new`, file);
}

/** The library to open, and what chose it. A move not made yet leaves it where it was. */
export function libraryPath(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { path: string; source: LibrarySource } {
  if (flag) return { path: path.resolve(flag), source: 'flag' };
  if (env.LOOKALIKE_DB) return { path: path.resolve(env.LOOKALIKE_DB), source: 'env' };
  const chosen = readLocation(env);
  if (chosen.moveFrom) return { path: chosen.moveFrom, source: 'chosen' };
  if (chosen.library) return { path: chosen.library, source: 'chosen' };
  return { path: path.join(userDataDir(env), 'library.db'), source: 'default' };
}

/**
 * The desktop app's first step: makes the move chosen in Settings, if one waits (`copy` copies a library file,
 * electron/library/db.ts's `copyLibraryFile`). Where it cannot (the old file is gone, the new place cannot be
 * written, the disk is full), the library stays where it was and the reason is kept for Settings to show.
 */
export function applyPendingMove(copy: (from: string, to: string) => void, env: NodeJS.ProcessEnv = process.env): void {
  const chosen = readLocation(env);
  if (!chosen.moveFrom || !chosen.library) return;
  const { moveFrom, library } = chosen;
  try {
    if (existsSync(moveFrom)) copy(moveFrom, library);
    else if (!existsSync(library)) throw new Error(`the library to move, ${moveFrom}, is not there`);
    writeLocation({ library }, env);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    writeLocation({ library: moveFrom, failed: `The library could not be moved to ${library}: ${reason}` }, env);
  }
}

/**
 * Chooses where the library is from the next start: `move` the current one (`current`) into `folder`, or use the
 * library already in `folder` (`isLibrary` tells a Lookalike library). The file is `library.db` in the folder.
 */
export function chooseLocation(
  request: { folder: string; move: boolean; current: string },
  isLibrary: (file: string) => boolean,
  env: NodeJS.ProcessEnv = process.env,
): { path: string } {
  const folder = path.resolve(request.folder);
  if (!existsSync(folder)) throw new AppError('NOT_FOUND', `There is no folder ${folder}.`, { path: folder });
  const target = path.join(folder, 'library.db');
  if (path.resolve(request.current) === target)
    throw new AppError('BAD_REQUEST', `The library is in ${folder} already.`, { path: target });
  if (request.move) {
    if (existsSync(target))
      throw new AppError(
        'BAD_REQUEST',
        `There is already a library.db in ${folder}. Use it instead ("Use the library in a folder"), or choose an empty folder.`,
        { path: target },
      );
    writeLocation({ library: target, moveFrom: request.current }, env);
  } else {
    if (!isLibrary(target))
      throw new AppError('NOT_FOUND', `There is no Lookalike library (library.db) in ${folder}.`, { path: target });
    writeLocation({ library: target }, env);
  }
  return { path: target };
}
