/**
 * Scan throughput: the first scan of a library (the app's own `scan.run`, in a fresh process) with geometric matching
 * off and on, beside a plain decode of the same files in the same run, with peak RSS and where the time goes.
 *
 *   npm run build && npm run bench:scan [-- --sets library-2000,12mp,1mp,mixed,library-20000] [--dist DIR]
 *
 * Sets (generated once into the temp folder, reused by later runs):
 * - `library-2000`: 2,000 distinct photo-like 480 px images in mixed formats (JPEG, PNG, WebP, TIFF, GIF, AVIF), 2 %
 *   exact copies in a sub-folder and 3 broken files; the scan is checked (counts, exact groups) and scanned again
 *   (nothing analysed);
 * - `12mp` and `1mp`: 100 and 300 distinct generated q90 JPEGs of 4000 × 3000 and 1155 × 866 (tests/bench/decode.ts);
 * - `mixed`: the stress library of `bench:dedup` (seed 1: ../shared/data photos, Debian wallpapers and OpenCV
 *   samples up to 2560 × 1600, video frames, upscaled CIFAR-10, their edited copies), real photos of mixed sizes;
 * - `library-20000` (not by default): 20,000 images of 96 px (the catalog's and walk's cost more than decoding).
 *
 * Plain decode: every file decoded by sharp with shrink-on-load to 320 px (fit inside, EXIF applied), two at a time:
 * the floor a scan cannot beat. Stage breakdown (model/stage-clock.ts, geometric matching on): milliseconds a photo
 * in each stage; stages overlap (decodes run on libuv threads while the backbone runs), so they sum past the wall
 * time. Prints tables and writes bench-results/scan.json.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFixtureLibrary } from '../helpers/fixture-encoder.js';
import { makeBenchJpegs } from './decode.js';
import { loadOrCreateStressSet, stressSetPrerequisites } from './dedup/stress-set.js';

const args = process.argv.slice(2);
const setsArg = args[args.indexOf('--sets') + 1];
const sets = args.includes('--sets') && setsArg ? setsArg.split(',') : ['library-2000', '12mp', '1mp', 'mixed'];
// --dist DIR: another build's output (e.g. a worktree of an earlier commit, for a before/after table).
const distDir = path.resolve(args.includes('--dist') ? args[args.indexOf('--dist') + 1] : 'dist');
const dist = path.join(distDir, 'electron', 'core', 'app.js');
const clock = path.join(distDir, 'model', 'stage-clock.js');
if (!existsSync(dist)) {
  console.error('bench:scan needs the build: run `npm run build` first.');
  process.exit(1);
}

interface Library {
  name: string;
  folder: string;
  /** Files the scan should add and fail on, where the set knows (generated libraries). */
  expected?: { photos: number; copies: number; broken: number };
}

/** `dir`, made by `make` unless a complete earlier run left it (a `.complete` marker), then reused. */
async function generatedOnce(dir: string, what: string, make: () => Promise<void>): Promise<void> {
  const done = path.join(dir, '.complete');
  if (existsSync(done)) return;
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  await make();
  writeFileSync(done, '');
  console.error(`generated ${what} in ${((performance.now() - started) / 1000).toFixed(0)} s into ${dir}`);
}

async function generatedLibrary(count: number): Promise<Library> {
  const dir = path.join(tmpdir(), `lookalike-bench-scan-${count}`);
  const copies = Math.round(count * 0.02);
  const broken = 3;
  await generatedOnce(dir, `${count} photos`, async () => {
    const photoSize = count > 5000 ? 96 : 480;
    const files = await writeFixtureLibrary(path.join(dir, 'photos'), count, { size: photoSize, seed: count });
    mkdirSync(path.join(dir, 'photos', 'copies'));
    for (let i = 0; i < copies; i++) {
      const from = files[(i * 7919) % files.length];
      copyFileSync(from, path.join(dir, 'photos', 'copies', `copy-${i}${path.extname(from)}`));
    }
    await mkdir(path.join(dir, 'photos', 'broken'), { recursive: true });
    await writeFile(path.join(dir, 'photos', 'broken', 'empty.jpg'), '');
    await writeFile(path.join(dir, 'photos', 'broken', 'text.png'), 'not a picture');
    await writeFile(path.join(dir, 'photos', 'broken', 'truncated.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]));
  });
  return { name: `library-${count}`, folder: path.join(dir, 'photos'), expected: { photos: count, copies, broken } };
}

async function jpegLibrary(name: string, width: number, height: number, count: number): Promise<Library> {
  const dir = path.join(tmpdir(), `lookalike-bench-scan-${name}-${count}`);
  await generatedOnce(dir, `${count} ${name} JPEGs`, async () => {
    await makeBenchJpegs(path.join(dir, 'photos'), width, height, count);
  });
  return { name, folder: path.join(dir, 'photos'), expected: { photos: count, copies: 0, broken: 0 } };
}

async function mixedLibrary(): Promise<Library | null> {
  const missing = stressSetPrerequisites();
  if (missing.length) {
    console.error(`skipping the mixed set: ${missing.join('; ')}`);
    return null;
  }
  const set = await loadOrCreateStressSet({ seed: 1, onProgress: (m) => console.error(m) });
  return { name: 'mixed', folder: path.join(set.dir, 'library') };
}

interface StageTotal {
  ms: number;
  count: number;
}

interface ScanRun {
  seconds: number;
  maxRssMb: number;
  summary: { added: number; unchanged: number; updated: number; failed: unknown[] };
  exactGroups: number;
  encodes: number;
  stages: Record<string, StageTotal>;
}

/** Runs `script` (an ES module body that writes one JSON line) in a fresh process: its own peak RSS. */
function child<T>(script: string): T {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** VmHWM is the process's own peak (getrusage's maxRSS can start from the parent's at fork). */
const PEAK_RSS = `Number(/VmHWM:\\s+(\\d+)/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) / 1024`;

/** One scan by the app in a fresh process. */
function scanOnce(folder: string, db: string, geometric: boolean): ScanRun {
  return child<ScanRun>(`
    const { createApp } = await import(${JSON.stringify(dist)});
    const { stageTotals } = ${existsSync(clock)} ? await import(${JSON.stringify(clock)}) : { stageTotals: () => ({}) };
    // The scan in this thread (the app runs it on its job thread, the same code): the stage clock is per thread.
    const app = createApp({ dbPath: ${JSON.stringify(db)}, jobs: 'here' });
    await app.dispatcher.call('settings.set', { geometric: ${geometric} });
    const t0 = performance.now();
    const summary = await app.dispatcher.call('scan.run', { folders: [${JSON.stringify(folder)}] });
    const seconds = (performance.now() - t0) / 1000;
    const catalog = app.library.get();
    const exactGroups = catalog.exactDuplicateGroups().length;
    const encodes = catalog.db.prepare('SELECT SUM(encode_count) AS n FROM photos').get().n;
    await app.close();
    const stages = stageTotals();
    process.stdout.write(JSON.stringify({ seconds, summary, exactGroups, encodes, stages, maxRssMb: ${PEAK_RSS} }));
  `);
}

/** The floor: every file under `folder` decoded with shrink-on-load to 320 px, two at a time, in a fresh process. */
function plainDecode(folder: string): { seconds: number; decoded: number; failed: number; maxRssMb: number } {
  return child(`
    const sharp = (await import('sharp')).default;
    const { readdirSync } = await import('node:fs');
    const path = await import('node:path');
    const files = readdirSync(${JSON.stringify(folder)}, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => path.join(e.parentPath ?? e.path, e.name));
    let next = 0, decoded = 0, failed = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (next < files.length) {
        const file = files[next++];
        try {
          await sharp(file, { autoOrient: true, pages: 1 }).resize(320, 320, { fit: 'inside' }).raw().toBuffer();
          decoded++;
        } catch { failed++; }
      }
    };
    await Promise.all([worker(), worker()]);
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(JSON.stringify({ seconds, decoded, failed, maxRssMb: ${PEAK_RSS} }));
  `);
}

const mb = (v: number) => v.toFixed(0);
const rows: Record<string, string>[] = [];
const stageRows: Record<string, string>[] = [];
const report: Record<string, unknown>[] = [];
for (const name of sets) {
  const match = /^library-(\d+)$/.exec(name);
  const lib = match
    ? await generatedLibrary(Number(match[1]))
    : name === '12mp'
      ? await jpegLibrary('12mp', 4000, 3000, 100)
      : name === '1mp'
        ? await jpegLibrary('1mp', 1155, 866, 300)
        : name === 'mixed'
          ? await mixedLibrary()
          : null;
  if (!lib) {
    if (name !== 'mixed') console.error(`unknown set ${name}`);
    continue;
  }
  const work = path.join(tmpdir(), `lookalike-bench-scan-db-${name}`);
  mkdirSync(work, { recursive: true });
  const freshDb = (label: string) => {
    const db = path.join(work, `${label}.db`);
    for (const f of readdirSync(work)) if (f.startsWith(`${label}.db`)) rmSync(path.join(work, f));
    return db;
  };
  console.error(`${name}: plain decode, scan with geometric matching off, then on`);
  const decode = plainDecode(lib.folder);
  const off = scanOnce(lib.folder, freshDb('off'), false);
  const onDb = freshDb('on');
  const on = scanOnce(lib.folder, onDb, true);
  const photos = on.summary.added;
  const checks: string[] = [];
  if (lib.expected) {
    const { photos: distinct, copies, broken } = lib.expected;
    const total = distinct + copies + broken;
    const again = scanOnce(lib.folder, onDb, true);
    checks.push(
      // Broken files are recorded as failed, not added.
      on.summary.added === total - broken ? 'added ok' : `added ${on.summary.added} != ${total - broken}`,
      on.summary.failed.length === broken ? 'failed ok' : `failed ${on.summary.failed.length} != ${broken}`,
      on.exactGroups === copies ? 'exact groups ok' : `exact groups ${on.exactGroups} != ${copies}`,
      on.encodes === distinct ? 'copies not decoded' : `encodes ${on.encodes} != ${distinct}`,
      again.summary.unchanged === total - broken
        ? 'rescan unchanged ok'
        : `rescan unchanged ${again.summary.unchanged}`,
      again.encodes === on.encodes ? `rescan encoded 0 (${again.seconds.toFixed(2)} s)` : 'rescan encoded some',
    );
  }
  rows.push({
    set: name,
    files: String(on.summary.added + on.summary.failed.length),
    'plain decode s': decode.seconds.toFixed(1),
    'scan off s': off.seconds.toFixed(1),
    'scan on s': on.seconds.toFixed(1),
    'on / off': (on.seconds / off.seconds).toFixed(2),
    'on / decode': (on.seconds / decode.seconds).toFixed(1),
    'photos/s (on)': (photos / on.seconds).toFixed(1),
    'peak RSS MB (decode / off / on)': `${mb(decode.maxRssMb)} / ${mb(off.maxRssMb)} / ${mb(on.maxRssMb)}`,
    checks: checks.join(', '),
  });
  const per = (stage: string) => {
    const total = on.stages[stage];
    return total ? (total.ms / photos).toFixed(1) : '-';
  };
  const count = (stage: string) => on.stages[stage]?.count ?? 0;
  const images = count('backbone');
  stageRows.push({
    set: name,
    'wall ms/photo': ((on.seconds * 1000) / photos).toFixed(1),
    'file hash': per('file hash'),
    probe: per('probe'),
    decode: per('decode'),
    'content box': per('content box'),
    'model input': per('model input'),
    thumbnail: per('thumbnail'),
    trimmed: per('trimmed input'),
    'variant inputs': per('variant inputs'),
    backbone: per('backbone'),
    'backbone ms/image': images ? (on.stages.backbone.ms / images).toFixed(2) : '-',
    'images/photo (photo+grey+trimmed+turned)': `${(images / photos).toFixed(2)} (${[
      'images: photo',
      'images: greyscale',
      'images: trimmed',
      'images: turned',
    ]
      .map((k) => (count(k) / photos).toFixed(2))
      .join('+')})`,
    heads: per('heads'),
    exif: per('exif'),
    database: per('database'),
  });
  report.push({ set: name, folder: lib.folder, decode, off, on });
}
console.log('\nFirst scan: geometric matching off and on, beside a plain shrink-on-load decode of the same files');
console.table(rows);
console.log('\nWhere the time goes (geometric matching on): ms a photo per stage; stages overlap');
console.table(stageRows);
mkdirSync('bench-results', { recursive: true });
writeFileSync(
  path.join('bench-results', 'scan.json'),
  JSON.stringify({ date: new Date().toISOString(), rows, stageRows, report }, null, 2),
);
