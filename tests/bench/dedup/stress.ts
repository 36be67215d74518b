/**
 * The stress library run through the app as a person runs it (`lookalike scan FOLDER` then `lookalike dupes`,
 * default settings, an empty verdict memory), each in a process of its own so that its time and peak memory are
 * its own: candidate pairs per photo at each stage, seconds per stage, peak RSS, and the groups scored against
 * the set's ground truth (tests/bench/dedup/stress-score.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { DuplicateSearchStats } from '../../../electron/api/contract.js';
import { scoreTable, table } from './report.js';
import { loadOrCreateStressSet, type StressSet } from './stress-set.js';
import { scoreStressGroups, type StressScore } from './stress-score.js';

const CLI = path.resolve('bin/lookalike.js');

export interface StressRun {
  files: number;
  scanSeconds: number;
  scanPeakMB: number | null;
  preset: string;
  dupesSeconds: number;
  dupesPeakMB: number | null;
  stats: DuplicateSearchStats;
  score: StressScore;
}

/** Runs the CLI under /usr/bin/time when it is there (for the peak RSS); the wall time either way. */
export function runCli(args: string[]): { stdout: string; seconds: number; peakMB: number | null } {
  const timed = existsSync('/usr/bin/time');
  const started = performance.now();
  const result = timed
    ? spawnSync('/usr/bin/time', ['-f', 'peak-rss-kb %M', process.execPath, CLI, ...args], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      })
    : spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`lookalike ${args.join(' ')} failed: ${result.stderr.slice(-2000)}`);
  const rss = /peak-rss-kb (\d+)/.exec(result.stderr);
  return { stdout: result.stdout, seconds, peakMB: rss ? Number(rss[1]) / 1024 : null };
}

/** The stress library of `seed`, made if needed and scanned by the CLI into a fresh catalog (`db`). */
export async function scanStressLibrary(options: { seed: number; root?: string }): Promise<{
  set: StressSet;
  db: string;
  work: string;
  scan: { seconds: number; peakMB: number | null };
}> {
  if (!existsSync(path.join('dist', 'electron', 'cli', 'main.js')))
    execFileSync('npm', ['run', 'build:ts'], { stdio: 'inherit' });
  const set: StressSet = await loadOrCreateStressSet({
    seed: options.seed,
    root: options.root,
    onProgress: (message) => process.stderr.write(`${message}\n`),
  });
  const folder = path.join(set.dir, 'library');
  const work = path.join(set.dir, 'runs');
  mkdirSync(work, { recursive: true });
  const db = path.join(work, 'library.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  process.stderr.write(`stress: scanning ${set.files.length} files\n`);
  const scan = runCli(['scan', folder, '--db', db, '--json']);
  return { set, db, work, scan };
}

export async function runStress(options: { seed: number; root?: string; presets: string[] }): Promise<StressRun[]> {
  const { set, db, work, scan } = await scanStressLibrary(options);
  const runs: StressRun[] = [];
  for (const preset of options.presets) {
    // Each preset starts from an empty verdict memory: a copy of the scanned library.
    const copy = path.join(work, `dupes-${preset}.db`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
    for (const suffix of ['', '-wal'])
      if (existsSync(`${db}${suffix}`)) copyFileSync(`${db}${suffix}`, `${copy}${suffix}`);
    process.stderr.write(`stress: dupes --threshold ${preset}\n`);
    const dupes = runCli(['dupes', '--db', copy, '--threshold', preset, '--json']);
    const result = JSON.parse(dupes.stdout) as { groups: { files: { path: string }[] }[]; stats: DuplicateSearchStats };
    runs.push({
      files: set.files.length,
      scanSeconds: scan.seconds,
      scanPeakMB: scan.peakMB,
      preset,
      dupesSeconds: dupes.seconds,
      dupesPeakMB: dupes.peakMB,
      stats: result.stats,
      score: scoreStressGroups(
        set.files,
        result.groups.map((g) => g.files.map((f) => f.path)),
      ),
    });
  }
  return runs;
}

/** The columns every `dupes` benchmark prints for one run: pairs per photo at each stage, seconds per stage. */
export const SEARCH_STAGE_HEADER = [
  'pairs/photo: within radius',
  'after cosine',
  'pixel-compared',
  'of which fully searched',
  'inferred',
  'candidates s',
  'pixels s',
  'grouping s',
];

/** One run's cells for SEARCH_STAGE_HEADER. */
export function searchStageCells(stats: DuplicateSearchStats): string[] {
  const perPhoto = (n: number) => (n / stats.photos).toFixed(1);
  return [
    perPhoto(stats.candidatePairs),
    perPhoto(stats.afterCosine),
    perPhoto(stats.pixelChecked),
    perPhoto(stats.pixelSearched),
    perPhoto(stats.inferredVerdicts),
    stats.seconds.candidates.toFixed(1),
    stats.seconds.pixels.toFixed(1),
    stats.seconds.grouping.toFixed(1),
  ];
}

export function printStress(runs: readonly StressRun[]): void {
  if (!runs.length) return;
  const mb = (v: number | null) => (v === null ? 'n/a' : v.toFixed(0));
  console.log(
    `\n## Stress library (${runs[0].files} files; scan ${runs[0].scanSeconds.toFixed(1)} s, peak RSS ${mb(runs[0].scanPeakMB)} MB)\n`,
  );
  console.log(
    table(
      ['preset', ...SEARCH_STAGE_HEADER, 'dupes s', 'peak RSS MB'],
      runs.map((r) => [r.preset, ...searchStageCells(r.stats), r.dupesSeconds.toFixed(1), mb(r.dupesPeakMB)]),
    ),
  );
  console.log('');
  console.log(
    scoreTable(
      runs.map((r) => ({
        setting: r.preset,
        subset: 'stress',
        threshold: 'preset',
        score: { ...r.score, threshold: 0 },
      })),
    ),
  );
  for (const r of runs) {
    const share = (100 * r.score.sceneCalledDuplicate) / Math.max(1, r.score.sceneNegatives);
    console.log(
      `${r.preset}: ${r.score.sceneCalledDuplicate} of ${r.score.sceneNegatives} same-scene pairs called duplicates (${share.toFixed(2)} %)`,
    );
  }
  const edits = Object.keys(runs[0].score.perEdit).sort();
  console.log('');
  console.log(
    table(
      ['edit (copies grouped with their original)', ...runs.map((r) => r.preset)],
      edits.map((e) => [e, ...runs.map((r) => `${r.score.perEdit[e].found}/${r.score.perEdit[e].total}`)]),
    ),
  );
}
