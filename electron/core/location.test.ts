import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyLibraryFile, isLibraryFile, openDatabase } from '../library/db.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';
import { appHandlers } from './app-handlers.js';
import { applyPendingMove, chooseLocation, libraryPath, locationFile, readLocation } from './location.js';

/** A user's home in a temporary folder (its data folder follows XDG_DATA_HOME), and a library with photos. */
function home() {
  const dir = tempDir('location');
  const env = { HOME: dir, XDG_DATA_HOME: path.join(dir, 'data') };
  const library = libraryPath(undefined, env).path;
  const db = openDatabase(library);
  db.prepare(`INSERT INTO roots (path, added_at) VALUES ('/photos', 'x')`).run();
  const insert = db.prepare(
    `INSERT INTO photos (path, size, mtime_ms, status, first_seen, last_seen) VALUES (?, 1, 1, 'ready', 'x', 'x')`,
  );
  for (let i = 0; i < 50; i++) insert.run(`/photos/${i}.jpg`);
  db.close();
  return { dir, env, library };
}

const photos = (file: string) => {
  const db = openDatabase(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM photos').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('where the library lives', () => {
  it('is --db, then LOOKALIKE_DB, then the place chosen in Settings, then the user data folder', () => {
    const env = { HOME: '/h' };
    expect(libraryPath('/a.db', { ...env, LOOKALIKE_DB: '/b.db' })).toEqual({
      path: path.resolve('/a.db'),
      source: 'flag',
    });
    expect(libraryPath(undefined, { ...env, LOOKALIKE_DB: '/b.db' })).toEqual({
      path: path.resolve('/b.db'),
      source: 'env',
    });
    expect(libraryPath(undefined, env)).toEqual({
      path: path.join('/h', '.local', 'share', 'lookalike', 'library.db'),
      source: 'default',
    });
    const { env: chosen } = home();
    mkdirSync(path.join(chosen.HOME, 'elsewhere'));
    writeFileSync(locationFile(chosen), JSON.stringify({ library: '/elsewhere/library.db' }));
    expect(libraryPath(undefined, chosen)).toEqual({ path: '/elsewhere/library.db', source: 'chosen' });
    expect(libraryPath('/a.db', chosen).source).toBe('flag');
    // A location file that cannot be read is no choice.
    writeFileSync(locationFile(chosen), '{ not json');
    expect(libraryPath(undefined, chosen).source).toBe('default');
  });

  it('moves the library at the next start, whole, keeps the old file, and uses the old place until then', () => {
    const { dir, env, library } = home();
    const folder = path.join(dir, 'external');
    mkdirSync(folder);
    const { path: target } = chooseLocation({ folder, move: true, current: library }, isLibraryFile, env);
    expect(target).toBe(path.join(folder, 'library.db'));
    // Not moved yet: everyone keeps using the library where it is.
    expect(libraryPath(undefined, env)).toEqual({ path: library, source: 'chosen' });
    expect(existsSync(target)).toBe(false);
    applyPendingMove(copyLibraryFile, env);
    expect(libraryPath(undefined, env)).toEqual({ path: target, source: 'chosen' });
    expect(photos(target)).toBe(50);
    expect(photos(library)).toBe(50); // kept
    expect(readLocation(env)).toEqual({ library: target });
    applyPendingMove(copyLibraryFile, env); // nothing waits: nothing happens
    expect(readLocation(env)).toEqual({ library: target });
  });

  it('keeps the library where it was, and says why, when the move cannot be made', () => {
    const { dir, env, library } = home();
    const folder = path.join(dir, 'gone-soon');
    mkdirSync(folder);
    chooseLocation({ folder, move: true, current: library }, isLibraryFile, env);
    // The chosen folder is taken away before the next start.
    writeFileSync(path.join(dir, 'placeholder'), '');
    const location = JSON.parse(readFileSync(locationFile(env), 'utf8')) as { library: string };
    location.library = path.join(dir, 'placeholder', 'library.db'); // a file where a folder should be
    writeFileSync(locationFile(env), JSON.stringify({ ...location, moveFrom: library }));
    applyPendingMove(copyLibraryFile, env);
    expect(libraryPath(undefined, env)).toEqual({ path: library, source: 'chosen' });
    expect(readLocation(env).failed).toMatch(/could not be moved to .*placeholder/);
    expect(photos(library)).toBe(50);
    expect(existsSync(path.join(dir, 'placeholder', 'library.db.partial'))).toBe(false);
  });

  it("refuses a folder that is not there, the library's own, a move over another library, and a folder without one", () => {
    const { dir, env, library } = home();
    const choose = (folder: string, move: boolean) =>
      chooseLocation({ folder, move, current: library }, isLibraryFile, env);
    expect(() => choose(path.join(dir, 'nowhere'), true)).toThrow(/There is no folder/);
    expect(() => choose(path.dirname(library), true)).toThrow(/already/);
    const other = path.join(dir, 'other');
    mkdirSync(other);
    expect(() => choose(other, false)).toThrow(/no Lookalike library/);
    writeFileSync(path.join(other, 'library.db'), 'not a database');
    expect(() => choose(other, false)).toThrow(/no Lookalike library/);
    expect(() => choose(other, true)).toThrow(/already a library.db/);
    expect(readLocation(env)).toEqual({});
    // A real library there: used from the next start, as it is.
    const third = path.join(dir, 'third');
    mkdirSync(third);
    copyLibraryFile(library, path.join(third, 'library.db'));
    expect(choose(third, false).path).toBe(path.join(third, 'library.db'));
    expect(libraryPath(undefined, env).path).toBe(path.join(third, 'library.db'));
  });

  it('is told in Settings: what chose it, a move that waits, and a sentence for what happens next', async () => {
    const { dir, env, library } = home();
    const previous = { HOME: process.env.HOME, XDG_DATA_HOME: process.env.XDG_DATA_HOME };
    Object.assign(process.env, env);
    try {
      const handlers = appHandlers({
        dbPath: library,
        dbSource: 'default',
        modelStatus: async () => ({}) as never,
      });
      const call = <T>(method: string, args: unknown) =>
        (handlers[method as keyof typeof handlers] as (a: unknown, c: unknown) => Promise<T>)(args, {});
      const folder = path.join(dir, 'disk');
      mkdirSync(folder);
      const chosen = await call<{ path: string; note: string }>('app.chooseLibraryLocation', { folder, move: true });
      expect(chosen.note).toMatch(/moves the library to .*disk.*library\.db when it starts next/);
      const info = await call<{ dbSource: string; libraryNote: string | null }>('app.info', {});
      expect(info).toMatchObject({ dbSource: 'default', libraryNote: expect.stringMatching(/Moves to .*disk/) });
    } finally {
      for (const [key, value] of Object.entries(previous))
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
  });
});
