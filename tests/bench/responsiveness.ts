/**
 * `npm run bench:responsiveness`: how long the main process's event loop is held up while the app scans a library
 * and finds its duplicates — the process that serves the window (Electron's main process, or `lookalike serve`),
 * so a delay here is a window that does not answer. Issue 23's target: p99 ≤ 50 ms.
 *
 *   nice npm run bench:responsiveness [-- --seed 1] [--threshold close] [--out bench-results/responsiveness.json]
 *
 * The library is the stress library of bench:dedup (tests/bench/dedup/stress-set.ts: 1,528 look-alike photos)
 * and the edited copies of the dedup set (tests/bench/dedup/set.ts), made if they are missing: about 2,500 real
 * photo files. The app is built as the front ends build it (electron/core/app.ts, the real model), in this
 * process; `perf_hooks.monitorEventLoopDelay` samples the loop while `scan.run` runs, then while `dupes.find`
 * runs (an empty verdict memory: a fresh database). Prints the delay percentiles and the longest stalls.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../../electron/core/app.js';
import { table } from './dedup/report.js';
import { loadOrCreateSet } from './dedup/set.js';
import { loadOrCreateStressSet } from './dedup/stress-set.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const SEED = Number(option('seed', '1'));
const THRESHOLD = option('threshold', 'close');
const OUT = option('out', 'bench-results/responsiveness.json');
const log = (message: string) => process.stderr.write(`${message}\n`);

interface Phase {
  phase: string;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  /** Samples (10 ms apart when the loop is free) over 50 ms late. */
  over50: number;
}

/** Runs `work` while sampling the event loop's delay (ms). */
async function measured(phase: string, work: () => Promise<unknown>): Promise<Phase> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  // Count the stalls too: a timer every 10 ms notes how late it fired.
  let over50 = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last - 10 > 50) over50++;
    last = now;
  }, 10);
  histogram.enable();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  histogram.disable();
  clearInterval(timer);
  const ms = (ns: number) => ns / 1e6;
  return {
    phase,
    seconds,
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    over50,
  };
}

async function main(): Promise<void> {
  const stress = await loadOrCreateStressSet({ seed: SEED, onProgress: log });
  const dedup = await loadOrCreateSet({ seed: SEED, cifarCount: 300 });
  const folders = [path.join(stress.dir, 'library'), path.join(dedup.dir, 'files')];
  const work = path.join(os.tmpdir(), 'lookalike-responsiveness');
  mkdirSync(work, { recursive: true });
  const db = path.join(work, 'library.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  const app = createApp({ dbPath: db });
  const phases: Phase[] = [];
  let files = 0;
  try {
    log(`responsiveness: scanning ${folders.join(' and ')}`);
    phases.push(
      await measured('scan.run', async () => {
        const summary = await app.dispatcher.call('scan.run', { folders });
        files = summary.added + summary.failed.length;
      }),
    );
    log(`responsiveness: dupes.find --threshold ${THRESHOLD}`);
    phases.push(await measured('dupes.find', () => app.dispatcher.call('dupes.find', { threshold: THRESHOLD })));
  } finally {
    await app.close();
  }
  console.log(`\n## Main-thread event-loop delay (${files} files; timer resolution 10 ms)\n`);
  console.log(
    table(
      ['phase', 'seconds', 'p50 ms', 'p99 ms', 'max ms', 'stalls > 50 ms'],
      phases.map((p) => [
        p.phase,
        p.seconds.toFixed(1),
        p.p50.toFixed(1),
        p.p99.toFixed(1),
        p.max.toFixed(0),
        p.over50,
      ]),
    ),
  );
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ files, threshold: THRESHOLD, phases }, null, 2));
  log(`wrote ${OUT}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
