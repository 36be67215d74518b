/**
 * Scan throughput: first scan and re-scan of generated libraries, with peak RSS.
 *
 *   npm run bench:scan [-- --sizes 2000,20000]
 *
 * Each library is generated once into the temp folder (reused by later runs): distinct photo-like images
 * in mixed formats (JPEG, PNG, WebP, TIFF, GIF, AVIF), 2 % exact copies in a sub-folder and a few broken
 * files. The 2,000-photo library uses 640×480 images, the 20,000-photo one 96×72 (disk and generation time).
 * Every scan runs the built CLI path (dist/) in a fresh child process, with the real query network.
 * It checks the counts (added, failed, exact-duplicate groups) and that the re-scan analyses nothing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFixtureLibrary } from '../helpers/fixture-encoder.js';

const args = process.argv.slice(2);
const sizesArg = args[args.indexOf('--sizes') + 1];
const sizes = args.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [2000, 20000];
const root = path.resolve('.');
const dist = path.join(root, 'dist', 'electron', 'core', 'app.js');
if (!existsSync(dist)) {
  console.error('bench:scan needs the build: run `npm run build` first.');
  process.exit(1);
}

interface Library {
  dir: string;
  photos: number;
  copies: number;
  broken: number;
}

async function ensureLibrary(count: number): Promise<Library> {
  const dir = path.join(tmpdir(), `lookalike-bench-scan-${count}`);
  const copies = Math.round(count * 0.02);
  const broken = 3;
  const done = path.join(dir, '.complete');
  if (!existsSync(done)) {
    rmSync(dir, { recursive: true, force: true });
    const started = performance.now();
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
    writeFileSync(done, '');
    console.error(`generated ${count} photos in ${((performance.now() - started) / 1000).toFixed(0)} s into ${dir}`);
  }
  return { dir, photos: count, copies, broken };
}

interface ScanRun {
  seconds: number;
  maxRssMb: number;
  summary: { added: number; unchanged: number; updated: number; failed: unknown[] };
  exactGroups: number;
  encodes: number;
}

/** One scan in a fresh process, reporting its own peak RSS. */
function scanOnce(folder: string, db: string): ScanRun {
  const script = `
    const { createApp } = await import(${JSON.stringify(dist)});
    const app = createApp({ dbPath: ${JSON.stringify(db)} });
    const t0 = performance.now();
    const summary = await app.dispatcher.call('scan.run', { folders: [${JSON.stringify(folder)}] });
    const seconds = (performance.now() - t0) / 1000;
    const catalog = app.library.get();
    const exactGroups = catalog.exactDuplicateGroups().length;
    const encodes = catalog.db.prepare('SELECT SUM(encode_count) AS n FROM photos').get().n;
    await app.close();
    // VmHWM is this process's own peak (getrusage's maxRSS can start from the parent's at fork).
    const hwm = Number(/VmHWM:\\s+(\\d+)/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
    process.stdout.write(JSON.stringify({ seconds, summary, exactGroups, encodes, maxRssMb: hwm / 1024 }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`scan failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ScanRun;
}

const rows: Record<string, unknown>[] = [];
for (const count of sizes) {
  const lib = await ensureLibrary(count);
  const db = path.join(lib.dir, 'bench.db');
  for (const f of readdirSync(lib.dir)) if (f.startsWith('bench.db')) rmSync(path.join(lib.dir, f));
  const first = scanOnce(path.join(lib.dir, 'photos'), db);
  const again = scanOnce(path.join(lib.dir, 'photos'), db);
  const total = lib.photos + lib.copies + lib.broken;
  const checks = [
    first.summary.added === total ? 'added ok' : `added ${first.summary.added} != ${total}`,
    first.summary.failed.length === lib.broken ? 'failed ok' : `failed ${first.summary.failed.length} != ${lib.broken}`,
    first.exactGroups === lib.copies ? 'exact groups ok' : `exact groups ${first.exactGroups} != ${lib.copies}`,
    again.summary.unchanged === total ? 'rescan unchanged ok' : `rescan unchanged ${again.summary.unchanged}`,
    again.encodes === first.encodes ? 'rescan encoded 0' : `rescan encoded ${again.encodes - first.encodes}`,
    first.encodes === lib.photos ? 'copies not decoded' : `encodes ${first.encodes} != ${lib.photos}`,
  ];
  rows.push({
    photos: total,
    'image size': count > 5000 ? '96×72..' : '480×480..',
    'first scan s': first.seconds.toFixed(1),
    'first photos/s': (total / first.seconds).toFixed(0),
    'first peak RSS MB': first.maxRssMb.toFixed(0),
    'rescan s': again.seconds.toFixed(2),
    'rescan photos/s': (total / again.seconds).toFixed(0),
    'rescan peak RSS MB': again.maxRssMb.toFixed(0),
    speed_up: `${(first.seconds / again.seconds).toFixed(0)}×`,
    checks: checks.join(', '),
  });
}
console.table(rows);
mkdirSync('bench-results', { recursive: true });
writeFileSync(
  path.join('bench-results', 'scan.json'),
  JSON.stringify({ date: new Date().toISOString(), rows }, null, 2),
);
