/**
 * Decode-only throughput: the ceiling for the encode pipeline. Generates its own photo-like JPEGs
 * (12 MP and 1 MP) into a temp folder, then decodes them to the model input (224×224×3, the same
 * MODEL_INPUT_DECODE settings the encoder uses) with N decodes in flight, each configuration in a
 * fresh child process so peak RSS is that configuration's alone.
 *
 *   nice npx tsx tests/bench/decode.ts [--quick]
 *
 * Prints a table and writes bench-results/decode.json. tests/bench/encode.ts can import
 * `makeBenchJpegs` and `measureDecode` to report the same numbers next to encode throughput.
 */
import { spawnSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  decodeForCatalog,
  decodeImage,
  encodeImage,
  MODEL_INPUT_DECODE,
  type DecodeOptions,
} from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';

export interface BenchSet {
  label: string;
  files: string[];
  width: number;
  height: number;
  meanBytes: number;
}

/**
 * Writes `distinct` different synthetic photos as quality-90 JPEGs. Noise 8 gives about 2 bits per
 * pixel (~3 MB at 12 MP), in the range of phone photos; decode cost grows with the bytes to
 * entropy-decode, so an over-smooth synthetic image would flatter the numbers.
 */
export async function makeBenchJpegs(dir: string, width: number, height: number, distinct: number): Promise<BenchSet> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  let bytes = 0;
  for (let seed = 1; seed <= distinct; seed++) {
    const jpeg = await encodeImage(syntheticPhoto({ width, height, seed, noise: 8 }), 'jpeg', { quality: 90 });
    const file = join(dir, `${width}x${height}-${seed}.jpg`);
    await writeFile(file, jpeg);
    files.push(file);
    bytes += jpeg.length;
  }
  const megapixels = (width * height) / 1e6;
  return {
    label: `${megapixels.toFixed(megapixels < 2 ? 1 : 0)} MP`,
    files,
    width,
    height,
    meanBytes: bytes / distinct,
  };
}

export interface DecodeMeasurement {
  photos: number;
  seconds: number;
  photosPerSecond: number;
  /** CPU time (all threads) per photo: less sensitive than wall time to other processes on the machine. */
  cpuMsPerPhoto: number;
  peakRssMB: number;
}

/** Decodes `photos` images (cycling through `files`) with `inFlight` decodes at a time. */
export async function measureDecode(
  files: string[],
  photos: number,
  inFlight: number,
  options: DecodeOptions = MODEL_INPUT_DECODE,
): Promise<DecodeMeasurement> {
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const lane = async () => {
    while (next < photos) {
      const i = next++;
      if (options === CATALOG) await decodeForCatalog(files[i % files.length]);
      else await decodeImage(files[i % files.length], options);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  return {
    photos,
    seconds,
    photosPerSecond: photos / seconds,
    cpuMsPerPhoto: (cpu.user + cpu.system) / 1000 / photos,
    peakRssMB: peakRss / 2 ** 20,
  };
}

interface Config {
  set: string;
  files: string[];
  photos: number;
  inFlight: number;
  variant: 'model input' | 'model input, strictness none' | 'model input + thumbnail' | 'full resolution';
}

/** Marker for the decodeForCatalog path (model input and WebP thumbnail from one decode). */
const CATALOG: DecodeOptions = {};

const VARIANTS: Record<Config['variant'], DecodeOptions> = {
  'model input': MODEL_INPUT_DECODE,
  'model input + thumbnail': CATALOG,
  'model input, strictness none': { ...MODEL_INPUT_DECODE, strictness: 'none' },
  'full resolution': { channels: 3 },
};

/**
 * Child-process entry: one configuration, a warm-up, then REPEATS runs; reports the best wall-clock
 * run (the one least disturbed by other processes) and the median CPU time per photo, as JSON.
 */
async function runChild(config: Config): Promise<void> {
  const options = VARIANTS[config.variant];
  await measureDecode(config.files, Math.min(4, config.photos), config.inFlight, options); // page cache, wasm, JIT
  const runs: DecodeMeasurement[] = [];
  for (let i = 0; i < REPEATS; i++)
    runs.push(await measureDecode(config.files, config.photos, config.inFlight, options));
  const best = runs.reduce((a, b) => (b.photosPerSecond > a.photosPerSecond ? b : a));
  const cpu = runs.map((r) => r.cpuMsPerPhoto).sort((a, b) => a - b)[Math.floor(REPEATS / 2)];
  const peakRssMB = Math.max(...runs.map((r) => r.peakRssMB));
  process.stdout.write(JSON.stringify({ ...best, cpuMsPerPhoto: cpu, peakRssMB }) + '\n');
}

const REPEATS = 3;

function runInChild(config: Config): DecodeMeasurement {
  const self = fileURLToPath(import.meta.url);
  // libuv's pool must have at least as many threads as decodes in flight; it is sized at first use.
  const env = { ...process.env, UV_THREADPOOL_SIZE: String(Math.max(4, config.inFlight)) };
  const child = spawnSync(process.execPath, [...process.execArgv, self, '--child', JSON.stringify(config)], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) throw new Error(`child failed: ${child.stderr || child.stdout}`);
  return JSON.parse(line) as DecodeMeasurement;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const cores = cpus().length;
  const dir = await mkdtemp(join(tmpdir(), 'lookalike-decode-bench-'));
  try {
    const t0 = performance.now();
    const big = await makeBenchJpegs(join(dir, '12mp'), 4000, 3000, quick ? 2 : 4);
    const small = await makeBenchJpegs(join(dir, '1mp'), 1152, 864, 8);
    const generateSeconds = (performance.now() - t0) / 1000;
    const configs: Config[] = [];
    for (const set of [big, small]) {
      const photos = (set === big ? 40 : 200) / (quick ? 4 : 1);
      const add = (variant: Config['variant'], inFlight: number, count = photos) =>
        configs.push({ set: set.label, files: set.files, photos: count, inFlight, variant });
      for (const inFlight of new Set([1, cores, cores * 2])) add('model input', inFlight);
      add('model input, strictness none', cores);
      add('model input + thumbnail', cores);
      add('full resolution', cores, Math.ceil(photos / 4));
    }
    const rows = configs.map((config) => ({ ...config, files: undefined, ...runInChild(config) }));
    const sizes = Object.fromEntries(
      [big, small].map((s) => [
        s.label,
        {
          width: s.width,
          height: s.height,
          meanJpegKB: Math.round(s.meanBytes / 1024),
          bitsPerPixel: +((s.meanBytes * 8) / (s.width * s.height)).toFixed(2),
        },
      ]),
    );
    console.log(`decode-only throughput, ${cores} cores, generated JPEGs (q90): ${JSON.stringify(sizes)}`);
    console.log(`(generating test photos took ${generateSeconds.toFixed(1)} s)`);
    console.log(
      `best of ${REPEATS} runs per row; CPU ms/photo is the median (all threads, less sensitive to other load)`,
    );
    console.log('| set | settings | in flight | photos/run | photos/s (wall) | CPU ms/photo | peak RSS MB |');
    console.log('|---|---|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      console.log(
        `| ${r.set} | ${r.variant} | ${r.inFlight} | ${r.photos} | ${r.photosPerSecond.toFixed(1)} | ${r.cpuMsPerPhoto.toFixed(1)} | ${r.peakRssMB.toFixed(0)} |`,
      );
    }
    await mkdir('bench-results', { recursive: true });
    const report = { date: new Date().toISOString(), cores, node: process.version, sizes, generateSeconds, rows };
    await writeFile('bench-results/decode.json', JSON.stringify(report, null, 2));
    console.log('wrote bench-results/decode.json');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  await runChild(JSON.parse(process.argv[childIndex + 1]) as Config);
} else if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  await main();
}
