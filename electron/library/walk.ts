import { opendir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface WalkProblem {
  path: string;
  error: string;
}

/**
 * Every file under `root` whose extension is in `extensions`, depth first. Symlinked folders are followed
 * once (loops are reported, not followed again); a symlinked file is reported at its real path, and a file
 * reachable under several names (hard links, links) is listed once, so that no two library entries can
 * ever point at the same bytes on disk. Unreadable folders are reported and skipped.
 */
export async function* walkPhotos(
  root: string,
  extensions: ReadonlySet<string>,
  onProblem: (problem: WalkProblem) => void,
  signal?: AbortSignal,
): AsyncGenerator<FoundFile> {
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const stack: string[] = [root];
  while (stack.length) {
    signal?.throwIfAborted();
    const dir = stack.pop()!;
    let real: string;
    try {
      real = await realpath(dir);
    } catch (error) {
      onProblem({ path: dir, error: describe(error, dir) });
      continue;
    }
    if (seenDirs.has(real)) {
      if (dir !== root) onProblem({ path: dir, error: `symbolic link loop (already scanned as ${real}); skipped` });
      continue;
    }
    seenDirs.add(real);
    let handle;
    try {
      handle = await opendir(dir);
    } catch (error) {
      onProblem({ path: dir, error: describe(error, dir) });
      continue;
    }
    const subdirs: string[] = [];
    try {
      for await (const entry of handle) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!entry.name.startsWith('.')) subdirs.push(full);
          continue;
        }
        if (!entry.isFile() && !entry.isSymbolicLink()) continue;
        // A link may point at a folder whatever its name, so links are resolved before the extension test.
        if (!entry.isSymbolicLink() && !extensions.has(path.extname(entry.name).toLowerCase())) continue;
        const found = await describeFile(full, entry.isSymbolicLink(), extensions, subdirs, onProblem);
        if (!found) continue;
        const identity = found.identity;
        if (seenFiles.has(identity)) continue;
        seenFiles.add(identity);
        yield { path: found.path, size: found.size, mtimeMs: found.mtimeMs };
      }
    } catch (error) {
      onProblem({ path: dir, error: describe(error, dir) });
    }
    stack.push(...subdirs.reverse());
  }
}

async function describeFile(
  full: string,
  isLink: boolean,
  extensions: ReadonlySet<string>,
  subdirs: string[],
  onProblem: (problem: WalkProblem) => void,
): Promise<(FoundFile & { identity: string }) | null> {
  try {
    const info = await stat(full); // follows links
    if (info.isDirectory()) {
      if (isLink) subdirs.push(full);
      return null;
    }
    if (!info.isFile()) return null;
    const real = isLink ? await realpath(full) : full;
    if (
      isLink &&
      !extensions.has(path.extname(real).toLowerCase()) &&
      !extensions.has(path.extname(full).toLowerCase())
    )
      return null;
    return { path: real, size: info.size, mtimeMs: Math.trunc(info.mtimeMs), identity: `${info.dev}:${info.ino}` };
  } catch (error) {
    onProblem({ path: full, error: describe(error, full) });
    return null;
  }
}

/**
 * The reason as a person reads it. A name whose bytes are not UTF-8 (possible on Linux) reaches Node with U+FFFD
 * in their place, so the file cannot be opened by that name: it is said so, not "disappeared".
 */
export function describe(error: unknown, file?: string): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT' && file?.includes('\uFFFD'))
    return 'its name is not valid UTF-8, so it cannot be opened: rename it';
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'file disappeared';
    case 'ELOOP':
      return 'symbolic link loop';
    default:
      return e instanceof Error ? e.message : String(error);
  }
}
