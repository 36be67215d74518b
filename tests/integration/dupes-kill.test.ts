import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeImage, resizeImage } from '../../model/image/decode.js';
import { seededRandom, syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// Fault injection: `kill -9` the real CLI at random moments of a duplicate search's pixel check, many times. The
// check keeps its verdicts as it goes: after every kill the database passes integrity_check and no kept comparison
// is lost; the search that finally runs to its end compares only what no killed run had kept, and finds exactly
// the groups an uninterrupted search finds.
const bin = path.resolve('bin/lookalike.js');
const ORIGINALS = 60;
const KILLS = 20;

interface Found {
  groups: { files: { path: string }[] }[];
  stats: { keptVerdicts: number; pixelChecked: number };
}

function dupes(db: string): Found {
  const run = spawnSync(process.execPath, [bin, 'dupes', '--json', '--db', db], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as Found;
}

function inspect(db: string) {
  const conn = new Database(db, { readonly: true });
  try {
    return {
      integrity: conn.pragma('integrity_check', { simple: true }),
      compared: (
        conn.prepare('SELECT COUNT(*) AS n FROM pixel_verdicts WHERE compared IS NOT NULL').get() as { n: number }
      ).n,
    };
  } finally {
    conn.close();
  }
}

const groupsOf = (found: Found) =>
  found.groups.map((g) => g.files.map((f) => path.basename(f.path)).sort()).sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe('duplicate search under kill -9', () => {
  it(`keeps its comparisons through ${KILLS} kills and ends with the groups of an uninterrupted search`, async () => {
    const dir = tempDir('dupes-kill');
    const photos = path.join(dir, 'photos');
    mkdirSync(photos);
    // Synthetic photos look alike to the duplicate head, so the pixel check has thousands of pairs to judge.
    for (let i = 0; i < ORIGINALS; i++) {
      const image = syntheticPhoto({ width: 320, height: 240, seed: 9000 + i });
      writeFileSync(path.join(photos, `p${i}.jpg`), await encodeImage(image, 'jpeg', { quality: 92 }));
      const small = await resizeImage(image, 200, 'inside');
      writeFileSync(path.join(photos, `p${i}-small.jpg`), await encodeImage(small, 'jpeg', { quality: 70 }));
      writeFileSync(path.join(photos, `p${i}.png`), await encodeImage(await resizeImage(image, 280, 'inside'), 'png'));
    }
    const db = path.join(dir, 'library.db');
    expect(spawnSync(process.execPath, [bin, 'scan', photos, '--db', db]).status).toBe(0);
    const cold = path.join(dir, 'cold.db');
    copyFileSync(db, cold);
    const reference = dupes(cold);
    expect(reference.stats.pixelChecked).toBeGreaterThan(500);

    const random = seededRandom(5);
    let kept = 0;
    let midway = 0;
    for (let i = 0; i < KILLS; i++) {
      const child = spawn(process.execPath, [bin, 'dupes', '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // Killed at a random moment once the pixel check has begun (its first progress line), however long the
      // start took on this machine: a fixed delay landed before the check on a busy one.
      const checking = new Promise<void>((resolve) => {
        child.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('[verify]') && resolve());
        void exited.then(resolve);
      });
      await Promise.race([checking, new Promise((r) => setTimeout(r, 60_000))]);
      await new Promise((r) => setTimeout(r, random() * 1000));
      child.kill('SIGKILL');
      await exited;
      const state = inspect(db);
      expect(state.integrity).toBe('ok');
      expect(state.compared).toBeGreaterThanOrEqual(kept); // no kept comparison lost
      if (state.compared > kept && state.compared < reference.stats.pixelChecked) midway++;
      kept = state.compared;
    }
    // Several kills landed in the middle of the pixel check.
    expect(midway).toBeGreaterThanOrEqual(3);

    const final = dupes(db);
    // Nothing the killed runs kept is compared again, and together they compared what one run compares.
    expect(final.stats.keptVerdicts).toBeGreaterThan(0);
    expect(final.stats.keptVerdicts + final.stats.pixelChecked).toBe(reference.stats.pixelChecked);
    expect(groupsOf(final)).toEqual(groupsOf(reference));
    expect(final.groups.length).toBe(ORIGINALS);
  }, 300_000);
});
