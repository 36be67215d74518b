import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFixtureLibrary } from '../helpers/fixture-encoder.js';
import { seededRandom } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// Fault injection: `kill -9` the real CLI at random moments while it moves duplicates to the trash
// (`dupes --trash`) and puts them back (`dupes --undo`), many times. After every kill: the database passes
// integrity_check; no photo is lost (each file is at its place or in the trash, with its bytes); the library lists
// as present only files that are at their place, but for the one file a kill caught in flight, which the journal
// names; every album keeps its photos. At the end one undo puts every file back and lists it again.
const bin = path.resolve('bin/lookalike.js');
const PHOTOS = 24;
const KILLS = 20;

function cli(env: NodeJS.ProcessEnv, db: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args, '--db', db], { encoding: 'utf8', env });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface Journal {
  files?: { path: string; state: 'moving' | 'moved' }[];
}

function inspect(db: string) {
  const conn = new Database(db, { readonly: true });
  try {
    const integrity = conn.pragma('integrity_check', { simple: true });
    const present = (conn.prepare(`SELECT path FROM photos WHERE status != 'gone'`).all() as { path: string }[]).map(
      (r) => r.path,
    );
    const journal: Journal = {
      files: conn.prepare('SELECT path, state FROM trash_journal ORDER BY seq').all() as Journal['files'],
    };
    const members = conn.prepare(`SELECT COUNT(*) AS n FROM album_photos`).get() as { n: number };
    return { integrity, present, journal, members: members.n };
  } finally {
    conn.close();
  }
}

/** Original path → the file in the trash holding it (from the freedesktop records). */
function inTrash(trash: string): Map<string, string> {
  const held = new Map<string, string>();
  const info = path.join(trash, 'info');
  for (const name of existsSync(info) ? readdirSync(info) : []) {
    const file = path.join(trash, 'files', name.replace(/\.trashinfo$/, ''));
    const record = /^Path=(.*)$/m.exec(readFileSync(path.join(info, name), 'utf8'));
    // The record is written before its file moves (the `trash` package): a kill while writing it leaves it empty or
    // cut short, and then the file has not moved. A moved file without its path would be a lost photo.
    if (!record) {
      if (existsSync(file)) throw new Error(`${file} is in the trash without a readable record of where it was`);
      continue;
    }
    if (existsSync(file)) held.set(decodeURIComponent(record[1]), file);
  }
  return held;
}

/** Whether the journal names files the last move took out of their place (moved, or caught in flight). */
function outInTrash(db: string): boolean {
  return (inspect(db).journal.files ?? []).some((f) => f.state === 'moved' || !existsSync(f.path));
}

describe('trash and undo under kill -9', () => {
  it(`lose no photo, album or record through ${KILLS} kills`, async () => {
    const dir = tempDir('trash-kill');
    const folder = path.join(dir, 'photos');
    const db = path.join(dir, 'library.db');
    const env = { ...process.env, XDG_DATA_HOME: path.join(dir, 'xdg') };
    const trash = path.join(dir, 'xdg', 'Trash');
    const originals = await writeFixtureLibrary(folder, PHOTOS, { size: 96, formats: ['jpeg'] });
    // Each photo has a byte-identical copy: PHOTOS exact groups, PHOTOS files to move.
    const copies = originals.map((file) => {
      const copy = file.replace(/\.jpg$/, ' copy.jpg');
      copyFileSync(file, copy);
      return copy;
    });
    const all = [...originals, ...copies];
    const bytes = new Map(all.map((f) => [f, readFileSync(f)]));
    expect(cli(env, db, 'scan', folder).status).toBe(0);
    expect(cli(env, db, 'album', 'create', 'Kept').status).toBe(0);
    expect(cli(env, db, 'album', 'add', 'Kept', ...copies.slice(0, 8)).status).toBe(0);
    const membersBefore = inspect(db).members;

    const random = seededRandom(11);
    const caught = { trash: 0, undo: 0, inFlight: 0 };
    for (let i = 0; i < KILLS; i++) {
      // Undo when the last move left files in the trash, else move (again).
      const undo = outInTrash(db);
      const args = undo ? ['dupes', '--undo'] : ['dupes', '--trash', '--threshold', 'exact'];
      const child = spawn(process.execPath, [bin, ...args, '--db', db], { stdio: 'ignore', env });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise((r) => setTimeout(r, 400 + random() * 1400));
      child.kill('SIGKILL');
      await exited;
      caught[undo ? 'undo' : 'trash']++;

      const after = inspect(db);
      expect(after.integrity).toBe('ok');
      const held = inTrash(trash);
      for (const file of all) {
        // Never lost: at its place or in the trash, with its bytes (and not both).
        const at = existsSync(file) ? file : held.get(file);
        expect(at, `${path.basename(file)} is nowhere`).toBeDefined();
        expect(readFileSync(at!).equals(bytes.get(file)!)).toBe(true);
      }
      // Listed as present only where it is, but for the file the journal shows in flight.
      const inFlight = new Set((after.journal.files ?? []).filter((f) => f.state === 'moving').map((f) => f.path));
      expect(inFlight.size).toBeLessThanOrEqual(1);
      for (const file of after.present) if (!existsSync(file)) expect(inFlight.has(file)).toBe(true);
      if ([...inFlight].some((f) => !existsSync(f))) caught.inFlight++;
      // Of every group, one copy at least is at its place.
      for (const [k, file] of originals.entries()) expect(existsSync(file) || existsSync(copies[k])).toBe(true);
      // No membership is ever dropped (a trashed copy's albums go to the kept one; undo takes them back).
      expect(after.members).toBeGreaterThanOrEqual(membersBefore);
    }
    if (process.env.LOOKALIKE_TEST_VERBOSE) console.info('kills caught', caught);
    expect(caught.trash).toBeGreaterThan(0);
    expect(caught.undo).toBeGreaterThan(0);

    // Whatever the kills left, an undo puts it back; then a whole move and a whole undo.
    const undoAll = () => {
      const undone = cli(env, db, 'dupes', '--undo', '--json');
      expect(undone.status, undone.stderr).toBe(0);
      expect((JSON.parse(undone.stdout) as { notRestored: unknown[] }).notRestored).toEqual([]);
    };
    if (outInTrash(db)) undoAll();
    expect(cli(env, db, 'dupes', '--trash', '--threshold', 'exact').status).toBe(0);
    expect(inTrash(trash).size).toBe(PHOTOS);
    undoAll();
    for (const file of all) expect(readFileSync(file).equals(bytes.get(file)!)).toBe(true);
    const final = inspect(db);
    expect(final.integrity).toBe('ok');
    expect(final.present.sort()).toEqual([...all].sort());
    expect(inTrash(trash).size).toBe(0);
    expect(final.members).toBe(membersBefore);
  }, 600_000);
});
