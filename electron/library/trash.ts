/**
 * The OS trash: moving files to it (never a hard delete), and finding a file there again to put it back (undo).
 * The Electron app moves with `shell.trashItem`; the CLI and browser mode use the `trash` package. Both put a file
 * where the OS's own "put back" finds it, and that is where `restoreFromTrash` looks:
 * - freedesktop (Linux and the BSDs): `$XDG_DATA_HOME/Trash` (default `~/.local/share/Trash`) for the home's disk,
 *   `$topdir/.Trash/$uid` or `$topdir/.Trash-$uid` for another disk; each moved file `files/NAME` has its original
 *   path in `info/NAME.trashinfo`;
 * - macOS: `~/.Trash`, or `/Volumes/X/.Trashes/$uid` for another disk; the name is kept, or given a suffix when
 *   the trash already holds one (no record of the original path);
 * - Windows: `X:\$Recycle.Bin\<user SID>\$RNAME.ext`, its original path in the `$INAME.ext` beside it.
 * A file is put back only if its size and content hash are the ones it was moved with: a different file of the
 * same name in the trash is never taken for it, and nothing is ever written over a file at the original place.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hashFile } from './hash.js';

export type TrashFile = (path: string) => Promise<void>;

export const trashWithPackage: TrashFile = async (file) => {
  const { default: trash } = await import('trash');
  await trash([file], { glob: false });
};

/** Where the trash of this machine lies (injectable: tests build a trash of another OS in a temporary folder). */
export interface TrashPlaces {
  platform: NodeJS.Platform;
  home: string;
  uid: number;
  /** freedesktop: `$XDG_DATA_HOME`. */
  dataHome?: string;
  /** Windows: the Recycle Bin folder of the original's drive (default `X:\\$Recycle.Bin`). */
  recycleBin?: string;
}

export function trashPlaces(): TrashPlaces {
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  return { platform: process.platform, home: os.homedir(), uid, dataHome: process.env.XDG_DATA_HOME || undefined };
}

/** A file in the trash that may be the one moved from `original`, and its OS record to drop once it is back. */
export interface TrashEntry {
  file: string;
  record: string | null;
  /** When the OS says it was moved (ms), if it says. */
  deletedAt: number | null;
}

export interface Expected {
  size: number;
  contentHash: string;
}

export type RestoreOutcome = { restored: true } | { restored: false; reason: string };

/**
 * Puts back the file moved to the trash from `original`, if it is there with the expected size and content.
 * Refuses, in a sentence, when a file is at the original place already or when the trash does not hold it.
 */
export async function restoreFromTrash(
  original: string,
  expected: Expected,
  places: TrashPlaces = trashPlaces(),
): Promise<RestoreOutcome> {
  if (existsSync(original)) return { restored: false, reason: 'another file is at its place now' };
  const candidates = await findInTrash(original, places);
  for (const entry of candidates) {
    if (!(await sameContent(entry.file, expected))) continue;
    await mkdir(path.dirname(original), { recursive: true });
    await moveNoClobber(entry.file, original);
    if (entry.record) await rm(entry.record, { force: true });
    return { restored: true };
  }
  return {
    restored: false,
    reason: candidates.length
      ? 'the trash holds a file of that name with other contents'
      : 'it is no longer in the trash (emptied, or put back by hand elsewhere)',
  };
}

/** Whether `file` has the size and content hash given. */
export async function sameContent(file: string, expected: Expected): Promise<boolean> {
  try {
    if ((await stat(file)).size !== expected.size) return false;
    return (await hashFile(file)).hash === expected.contentHash;
  } catch {
    return false;
  }
}

/**
 * Moves `from` to `to` without ever replacing a file at `to`: a hard link then unlink on one disk (fails if `to`
 * exists), a copy (exclusive) then unlink across disks.
 */
async function moveNoClobber(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
    await unlink(from);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw error;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') {
      // Some file systems (FAT, some network shares) have no hard links: rename, having checked the place is free.
      if (existsSync(to)) throw error;
      await rename(from, to);
      return;
    }
  }
  const { constants } = await import('node:fs');
  await copyFile(from, to, constants.COPYFILE_EXCL);
  await unlink(from);
}

/** Files in the OS trash that may be `original`, most recently moved first. */
export async function findInTrash(original: string, places: TrashPlaces): Promise<TrashEntry[]> {
  const found =
    places.platform === 'win32'
      ? await findInRecycleBin(original, places)
      : places.platform === 'darwin'
        ? await findInMacTrash(original, places)
        : await findInFreedesktopTrash(original, places);
  return found.sort((a, b) => (b.deletedAt ?? 0) - (a.deletedAt ?? 0));
}

// ---- freedesktop ----------------------------------------------------------------------------------------------

/** The trash folders a file on `original`'s disk may have gone to: the home trash, and its disk's own. */
async function freedesktopTrashDirs(original: string, places: TrashPlaces): Promise<string[]> {
  const dirs = [path.join(places.dataHome ?? path.join(places.home, '.local', 'share'), 'Trash')];
  const top = await mountTop(path.dirname(original));
  if (top) dirs.push(path.join(top, '.Trash', String(places.uid)), path.join(top, `.Trash-${places.uid}`));
  return dirs;
}

/** The top folder of the disk holding `dir` (the last ancestor on the same device), or null if `dir` is gone. */
async function mountTop(dir: string): Promise<string | null> {
  let current = path.resolve(dir);
  while (!existsSync(current)) {
    const up = path.dirname(current);
    if (up === current) return null;
    current = up;
  }
  const device = (await stat(current)).dev;
  for (;;) {
    const up = path.dirname(current);
    if (up === current) return current;
    try {
      if ((await stat(up)).dev !== device) return current;
    } catch {
      return current;
    }
    current = up;
  }
}

/** `Path=` and `DeletionDate=` of a .trashinfo file (the path percent-encoded, relative to `top` if not absolute). */
export function parseTrashInfo(text: string, top: string): { path: string; deletedAt: number | null } | null {
  if (!/^\[Trash Info\]/m.test(text)) return null;
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1]?.trim();
  const raw = value('Path');
  if (!raw) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  const date = value('DeletionDate');
  const at = date ? Date.parse(date) : NaN; // local time, as the spec writes it
  return {
    path: path.isAbsolute(decoded) ? decoded : path.join(top, decoded),
    deletedAt: Number.isNaN(at) ? null : at,
  };
}

async function findInFreedesktopTrash(original: string, places: TrashPlaces): Promise<TrashEntry[]> {
  const wanted = path.resolve(original);
  const entries: TrashEntry[] = [];
  for (const dir of await freedesktopTrashDirs(original, places)) {
    const infoDir = path.join(dir, 'info');
    let names: string[];
    try {
      names = await readdir(infoDir);
    } catch {
      continue;
    }
    // Relative paths in a disk's trash are relative to that disk's top (the folder above .Trash-$uid / .Trash).
    const top = path.basename(dir) === String(places.uid) ? path.dirname(path.dirname(dir)) : path.dirname(dir);
    for (const name of names) {
      if (!name.endsWith('.trashinfo')) continue;
      const record = path.join(infoDir, name);
      let info: ReturnType<typeof parseTrashInfo>;
      try {
        info = parseTrashInfo(await readFile(record, 'utf8'), top);
      } catch {
        continue;
      }
      if (!info || path.resolve(info.path) !== wanted) continue;
      const file = path.join(dir, 'files', name.slice(0, -'.trashinfo'.length));
      if (existsSync(file)) entries.push({ file, record, deletedAt: info.deletedAt });
    }
  }
  return entries;
}

// ---- macOS ------------------------------------------------------------------------------------------------------

/**
 * Finder keeps the name, or on a clash adds a suffix before the extension ("IMG_1.jpg" → "IMG_1 10.42.07.jpg",
 * "IMG_1 2.jpg"); it records no original path, so the content decides (`restoreFromTrash` checks it).
 */
async function findInMacTrash(original: string, places: TrashPlaces): Promise<TrashEntry[]> {
  const dirs = [path.join(places.home, '.Trash')];
  const volume = /^\/Volumes\/[^/]+/.exec(path.resolve(original))?.[0];
  if (volume) dirs.push(path.join(volume, '.Trashes', String(places.uid)));
  const ext = path.extname(original);
  const stem = path.basename(original, ext);
  const entries: TrashEntry[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const sameName = name === stem + ext || (name.startsWith(stem + ' ') && name.endsWith(ext));
      if (!sameName) continue;
      const file = path.join(dir, name);
      try {
        const info = await lstat(file);
        if (info.isFile()) entries.push({ file, record: null, deletedAt: info.ctimeMs });
      } catch {
        // gone meanwhile
      }
    }
  }
  return entries;
}

// ---- Windows ----------------------------------------------------------------------------------------------------

/**
 * The original path kept in a Recycle Bin `$I` file: version 1 (Vista–8: 8-byte header, size, FILETIME, then a
 * 260-character UTF-16 path) or version 2 (10 and later: the same, then the path's length in characters and the
 * path). Null for anything else.
 */
export function parseRecycleInfo(bytes: Buffer): { path: string; deletedAt: number } | null {
  if (bytes.length < 28) return null;
  const version = Number(bytes.readBigInt64LE(0));
  const filetime = bytes.readBigInt64LE(16);
  const deletedAt = Number(filetime / 10_000n) - 11_644_473_600_000; // 100-ns ticks since 1601 → ms since 1970
  let raw: Buffer;
  if (version === 1) raw = bytes.subarray(24, Math.min(bytes.length, 24 + 520));
  else if (version === 2) {
    const chars = bytes.readInt32LE(24);
    if (chars <= 0 || 28 + chars * 2 > bytes.length) return null;
    raw = bytes.subarray(28, 28 + chars * 2);
  } else return null;
  const text = raw.toString('utf16le');
  const end = text.indexOf('\0');
  const found = end >= 0 ? text.slice(0, end) : text;
  return found ? { path: found, deletedAt } : null;
}

async function findInRecycleBin(original: string, places: TrashPlaces): Promise<TrashEntry[]> {
  const bin = places.recycleBin ?? path.join(path.win32.parse(path.win32.resolve(original)).root, '$Recycle.Bin');
  const wanted = path.win32.resolve(original).toLowerCase();
  const entries: TrashEntry[] = [];
  let users: string[];
  try {
    users = await readdir(bin);
  } catch {
    return entries;
  }
  for (const user of users) {
    const dir = path.join(bin, user);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue; // another user's bin
    }
    for (const name of names) {
      if (!name.startsWith('$I')) continue;
      const record = path.join(dir, name);
      const info = parseRecycleInfo(readHead(record, 28 + 2 * 32_768));
      if (!info || path.win32.resolve(info.path).toLowerCase() !== wanted) continue;
      const file = path.join(dir, `$R${name.slice(2)}`);
      if (existsSync(file)) entries.push({ file, record, deletedAt: info.deletedAt });
    }
  }
  return entries;
}

/** The first `max` bytes of a file (empty if it cannot be read). */
function readHead(file: string, max: number): Buffer {
  try {
    const size = Math.min(max, statSync(file).size);
    const buffer = Buffer.alloc(size);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, size, 0);
    } finally {
      closeSync(fd);
    }
    return buffer;
  } catch {
    return Buffer.alloc(0);
  }
}
