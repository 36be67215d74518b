/**
 * Debian's `findimagedupes` (Perl + GraphicsMagick: a 16 × 16 = 256-bit fingerprint of a blurred,
 * normalised, thresholded thumbnail; duplicates within a percentage of identical bits, default 90 %)
 * run on the set. Fingerprints go to a database in the cache folder, so the threshold sweep computes
 * them once. Its output is one line per group of duplicates; every two files on a line count as a
 * predicted pair, as a user of the tool would read it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const FINDIMAGEDUPES_DEFAULT_THRESHOLD = 90;
export const FINDIMAGEDUPES_THRESHOLDS = [70, 75, 80, 84, 86, 88, 90, 92, 94, 96, 98, 100];

export function findimagedupesVersion(): string | null {
  const result = spawnSync('findimagedupes', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

/**
 * Pairs (keys `i,j`, i < j, indices into `files`) that findimagedupes groups at `threshold` percent,
 * and the files it could not fingerprint (its warnings name them; e.g. PNGs whose sRGB profile its
 * ImageMagick rejects). With a database it compares every file in the database, which holds exactly
 * the set's files. `nice`-d like the rest of the benchmark.
 */
export function findimagedupesPairs(
  files: string[],
  threshold: number,
  cacheDir: string,
): { pairs: Set<string>; unreadable: string[] } {
  mkdirSync(cacheDir, { recursive: true });
  const database = path.join(cacheDir, 'findimagedupes.db');
  const run = spawnSync(
    'nice',
    ['findimagedupes', '--fingerprints', database, '--threshold', `${threshold}%`, '--', '-'],
    { input: files.join('\n') + '\n', encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (run.status !== 0) throw new Error(`findimagedupes failed (${run.status}): ${run.stderr.slice(-500)}`);
  // Its ImageMagick warns "imagemagick problem: … (PATH)" and then skips the file (checked with `-v fp`,
  // which adds "can't get fingerprint: PATH"), e.g. for PNGs with a known-incorrect sRGB iCCP profile.
  const unreadable = [...run.stderr.matchAll(/imagemagick problem: [^(]*\(([^)]+)\)/g)].map((m) => m[1]);
  const indexOf = new Map(files.map((f, i) => [f, i]));
  const pairs = new Set<string>();
  for (const line of run.stdout.split('\n')) {
    // Paths in the set have no spaces (checked by the caller), so a space separates files.
    const members = line
      .trim()
      .split(' ')
      .filter(Boolean)
      .map((f) => indexOf.get(f))
      .filter((i): i is number => i !== undefined)
      .sort((a, b) => a - b);
    for (let a = 0; a < members.length; a++)
      for (let b = a + 1; b < members.length; b++) pairs.add(`${members[a]},${members[b]}`);
  }
  return { pairs, unreadable: [...new Set(unreadable)] };
}
