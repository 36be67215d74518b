import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp-dir.js';
import { FolderWatch, isPhotoChange, unwatchableReason } from './watch.js';

/** Waits until `check` holds (polling), or fails after `ms`. */
async function until(check: () => boolean, ms = 8000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await sleep(25);
  }
}

describe('watch folders', () => {
  it("count a photo or a folder as a change, never a hidden file or the library's own database", () => {
    for (const name of ['a.jpg', 'sub/B.HEIC', 'x.png', 'Holiday 2024', null]) expect(isPhotoChange(name)).toBe(true);
    for (const name of ['library.db', 'library.db-wal', 'library.db-shm', '.DS_Store', 'sub/.hidden.jpg', 'notes.txt'])
      expect(isPhotoChange(name)).toBe(false);
  });

  it('scan a folder again once it is quiet after photos change in it (one scan for many), and only when on', async () => {
    const dir = tempDir('watch');
    const [a, b] = [path.join(dir, 'a'), path.join(dir, 'b')];
    mkdirSync(path.join(a, 'deep'), { recursive: true });
    mkdirSync(b);
    let enabled = true;
    const scans: string[][] = [];
    const unwatchable: string[] = [];
    let release: () => void = () => {};
    const watch = new FolderWatch({
      roots: () => [a, b, path.join(dir, 'not-there')],
      enabled: () => enabled,
      rescan: (folders) => {
        scans.push(folders);
        return new Promise<void>((resolve) => (release = resolve));
      },
      onError: () => {},
      onUnwatchable: (folder, error) => unwatchable.push(`${folder}: ${unwatchableReason(error)}`),
      quietMs: 300,
    });
    watch.refresh();
    watch.refresh();
    // A folder that is not there is left out, without a throw, and told once.
    expect(watch.folders.sort()).toEqual([a, b]);
    expect(unwatchable).toEqual([`${path.join(dir, 'not-there')}: it is not there now`]);
    // The database and hidden files change nothing.
    writeFileSync(path.join(a, 'library.db-wal'), 'x');
    writeFileSync(path.join(a, '.thumbs'), 'x');
    await sleep(800);
    expect(scans).toEqual([]);
    // Ten photos copied into a subfolder: one scan of that library folder.
    for (let i = 0; i < 10; i++) writeFileSync(path.join(a, 'deep', `p${i}.jpg`), 'x');
    await until(() => scans.length === 1);
    expect(scans[0]).toEqual([a]);
    // A change while that scan runs brings one more scan, after it.
    writeFileSync(path.join(b, 'q.png'), 'x');
    await sleep(700);
    expect(scans.length).toBe(1);
    release();
    await until(() => scans.length === 2);
    expect(scans[1]).toEqual([b]);
    release();
    // Turned off: nothing is watched, and changes scan nothing.
    enabled = false;
    watch.refresh();
    expect(watch.folders).toEqual([]);
    writeFileSync(path.join(a, 'r.jpg'), 'x');
    await sleep(800);
    expect(scans.length).toBe(2);
    await watch.close();
  });

  it("say why a folder cannot be watched: not there, the system's limit, no permission", () => {
    const coded = (code: string) => Object.assign(new Error(code), { code });
    expect(unwatchableReason(coded('ENOENT'))).toBe('it is not there now');
    expect(unwatchableReason(coded('ENOSPC'))).toMatch(/limit of watched folders.*max_user_watches/);
    expect(unwatchableReason(coded('EACCES'))).toBe('it cannot be read');
  });
});
