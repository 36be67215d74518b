/**
 * Encode-pipeline throughput (model/pipeline/pipeline.ts): photos/second, CPU ms per photo and peak RSS on
 * generated 12-MP and 1-MP JPEGs, next to decoding alone through the same pipeline (probe + model
 * input + WebP thumbnail, same decode concurrency, the encoder replaced by a no-op: the ceiling).
 * Each configuration runs in a fresh child process (so peak RSS is its own: a warm-up, then one run),
 * 3 times, interleaved with the other configurations; the table shows the fastest run's photos/s and
 * event-loop delay, the median CPU ms/photo and the highest peak RSS. CPU time (all threads,
 * process.cpuUsage) barely moves with other load on the machine, wall time does: on a shared machine
 * compare configurations by CPU ms/photo, and read cores × 1000 / CPU ms as what idle cores would reach.
 *
 *   npm run bench:encode -- [--quick] [--sweep]
 *
 * --quick: fewer photos; --sweep: also batch sizes, ORT threads and decode concurrencies around the
 * defaults. Prints a table and writes bench-results/encode.json (encode-sweep.json with --sweep).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { readManifest, roleHeadId } from '../../model/backbone/manifest.js';
import { Encoder } from '../../model/encoder.js';
import { ThreadedEncoder } from '../../model/pipeline/threaded-encoder.js';
import { EncodePipeline, type EncodePipelineOptions, type PipelineEncoder } from '../../model/pipeline/pipeline.js';
import { makeBenchJpegs, type BenchSet } from './decode.js';

interface Config {
  set: string;
  files: string[];
  photos: number;
  mode: 'decode only' | 'encode';
  decodeConcurrency: number;
  maxBatch: number;
  ortThreads: number;
  /** 'default': HEIC/BMP/RAW in a worker (none here); 'all': every decode in `decodeConcurrency` workers. */
  workers: 'default' | 'all';
  /** 'both': the manifest's dup and sim heads (what the app runs); 'one': the dup head serves both roles (one head run). */
  heads: 'both' | 'one';
  /** Where the network runs: 'here', the pipeline's thread; 'thread', its own (ThreadedEncoder: the app's scan). */
  network: 'thread' | 'here';
  /** Images per backbone run; 'default': the encoder's (2 on one CPU thread, else 16). */
  backboneBatch: number | 'default';
}

interface Measurement {
  photos: number;
  seconds: number;
  photosPerSecond: number;
  cpuMsPerPhoto: number;
  encoderRuns: number;
  meanBatch: number;
  peakWaiting: number;
  /** How long the JS thread was unavailable (ORT runs on it): p99 and max event-loop delay. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

interface ChildReport extends Measurement {
  peakRssMB: number;
}

/** The ceiling: the pipeline exactly as it runs, with inference taking no time. */
function noopEncoder(size: number): PipelineEncoder {
  return {
    decodeOptions: { size, fit: 'fill', channels: 3 },
    roles: { dup: { version: 'decode-only' }, sim: null },
    encode: (images) =>
      Promise.resolve(images.map(() => ({ descriptor: new Float32Array(0), codes: { dup: null, sim: null } }))),
  };
}

async function measure(pipeline: EncodePipeline, files: string[], photos: number): Promise<Measurement> {
  const statsBefore = pipeline.stats();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const sources = Array.from({ length: photos }, (_, i) => files[i % files.length]);
  for await (const { result, source } of pipeline.encodeAll(sources)) {
    if (!result.ok) throw new Error(`${String(source)}: ${result.error.message}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  const stats = pipeline.stats();
  const encoderRuns = stats.encoderRuns - statsBefore.encoderRuns;
  return {
    photos,
    seconds,
    photosPerSecond: photos / seconds,
    cpuMsPerPhoto: (cpu.user + cpu.system) / 1000 / photos,
    encoderRuns,
    meanBatch: (stats.imagesEncoded - statsBefore.imagesEncoded) / Math.max(1, encoderRuns),
    peakWaiting: stats.peakWaiting,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
  };
}

/** Rounds: every configuration runs once per round in a fresh child, so slow phases of other load hit all alike. */
const ROUNDS = 3;

let sampledPeakRss = 0;
function startRssSampler(): void {
  const sample = () => (sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage.rss()));
  sample();
  setInterval(sample, 10).unref();
}

/**
 * This child's peak RSS: the kernel's high-water mark (VmHWM) on Linux, else the 10 ms samples.
 * Not process.resourceUsage().maxRSS: on Linux it starts at the parent's RSS when the child was forked.
 */
function peakRssMB(): number {
  try {
    const kB = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kB) return Number(kB) / 1024;
  } catch {
    // not Linux
  }
  return Math.max(sampledPeakRss, process.memoryUsage.rss()) / 2 ** 20;
}

/** Fastest round's wall time, median CPU ms/photo, highest peak RSS. */
function combine(runs: ChildReport[]): ChildReport {
  const best = runs.reduce((a, b) => (b.photosPerSecond > a.photosPerSecond ? b : a));
  const cpu = runs.map((r) => r.cpuMsPerPhoto).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  return { ...best, cpuMsPerPhoto: cpu, peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)) };
}

/** Child-process entry: one configuration, a warm-up, then one measured run, reported as JSON. */
async function runChild(config: Config): Promise<void> {
  startRssSampler();
  const manifest = readManifest();
  const dupHead = manifest ? roleHeadId(manifest, 'dup') : null;
  const encoderOptions = {
    threads: config.ortThreads,
    ...(config.backboneBatch === 'default' ? {} : { batchSize: config.backboneBatch }),
    ...(config.heads === 'one' && dupHead ? { heads: { dup: dupHead, sim: dupHead } } : {}),
  };
  const encoder =
    config.network === 'thread' ? await ThreadedEncoder.open(encoderOptions) : await Encoder.open(encoderOptions);
  const options: EncodePipelineOptions = {
    decodeConcurrency: config.decodeConcurrency,
    maxBatch: config.maxBatch,
    ...(config.workers === 'all' ? { workerFormats: 'all' as const } : {}),
  };
  const model = config.mode === 'encode' ? encoder : noopEncoder(encoder.decodeOptions.size);
  const pipeline = new EncodePipeline(model, options);
  try {
    await measure(pipeline, config.files, Math.min(8, config.photos)); // page cache, JIT, ORT arena, workers
    const run = await measure(pipeline, config.files, config.photos);
    const report: ChildReport = { ...run, peakRssMB: peakRssMB() };
    process.stdout.write(JSON.stringify(report) + '\n');
  } finally {
    await pipeline.close();
    await encoder.close();
  }
}

function runInChild(config: Config): ChildReport {
  const self = fileURLToPath(import.meta.url);
  // Decodes run on libuv's pool, sized at first use: keep a thread free for file reads and probes.
  const env = { ...process.env, UV_THREADPOOL_SIZE: String(Math.max(4, config.decodeConcurrency + 1)) };
  const child = spawnSync(process.execPath, [...process.execArgv, self, '--child', JSON.stringify(config)], {
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) throw new Error(`child failed: ${child.stderr || child.stdout}`);
  return JSON.parse(line) as ChildReport;
}

function configsFor(set: BenchSet, photos: number, sweep: boolean): Config[] {
  const base: Config = {
    set: set.label,
    files: set.files,
    photos,
    mode: 'encode',
    decodeConcurrency: 3,
    maxBatch: 8,
    ortThreads: 1,
    workers: 'default',
    heads: 'both',
    network: 'here',
    backboneBatch: 'default',
  };
  const configs: Config[] = [];
  const concurrencies = sweep ? [2, 3, 4] : [3];
  for (const decodeConcurrency of concurrencies) {
    configs.push({ ...base, mode: 'decode only', decodeConcurrency });
    configs.push({ ...base, decodeConcurrency });
  }
  configs.push({ ...base, heads: 'one' });
  // How the app ran the network before issue 29 (16 images a run), and on its own thread (how the app's scan runs it).
  configs.push({ ...base, backboneBatch: 16 }, { ...base, network: 'thread' });
  configs.push({ ...base, ortThreads: 2 });
  configs.push({ ...base, workers: 'all' }, { ...base, mode: 'decode only', workers: 'all' });
  if (sweep) configs.push({ ...base, maxBatch: 1 }, { ...base, maxBatch: 16 }, { ...base, ortThreads: 2, maxBatch: 1 });
  return configs;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const sweep = process.argv.includes('--sweep');
  const cores = cpus().length;
  const dir = await mkdtemp(join(tmpdir(), 'lookalike-encode-bench-'));
  try {
    const big = await makeBenchJpegs(join(dir, '12mp'), 4000, 3000, quick ? 2 : 4);
    const small = await makeBenchJpegs(join(dir, '1mp'), 1152, 864, 8);
    const configs = [...configsFor(big, quick ? 16 : 48, sweep), ...configsFor(small, quick ? 60 : 240, sweep)];
    const runs: ChildReport[][] = configs.map(() => []);
    for (let round = 1; round <= ROUNDS; round++) {
      configs.forEach((config, i) => {
        process.stderr.write(`round ${round}/${ROUNDS}, config ${i + 1}/${configs.length}\r`);
        runs[i].push(runInChild(config));
      });
    }
    process.stderr.write('\n');
    const rows = configs.map(({ files: _files, ...config }, i) => ({ ...config, ...combine(runs[i]) }));
    const ceiling = (r: (typeof rows)[number]) =>
      rows.find(
        (d) =>
          d.mode === 'decode only' &&
          d.set === r.set &&
          d.decodeConcurrency === r.decodeConcurrency &&
          d.workers === r.workers,
      );
    console.log(`encode pipeline, ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}), generated q90 JPEGs`);
    console.log(
      `best of ${ROUNDS} fresh-child runs (photos/s); CPU ms/photo = median of them, all threads; load average at the end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')}`,
    );
    console.log(
      `× decode-only: wall photos/s against the decode-only row with the same decode settings; (CPU) the same ratio from CPU ms/photo. CPU bound: ${cores} × 1000 / CPU ms, the rate ${cores} idle cores would allow.`,
    );
    console.log(
      '| set | mode | heads | network in (images a run) | decodes in flight | max batch | ORT threads | decode in | photos/run | photos/s (wall) | × decode-only | CPU ms/photo | × decode-only (CPU) | CPU bound photos/s | mean batch | peak waiting | loop delay p99 / max ms | peak RSS MB |',
    );
    console.log('|---|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const c = r.mode === 'encode' ? ceiling(r) : undefined;
      const encoding = r.mode === 'encode';
      const cells = [
        r.set,
        r.mode,
        encoding ? r.heads : '–',
        encoding ? `${r.network} (${r.backboneBatch})` : '–',
        r.decodeConcurrency,
        encoding ? r.maxBatch : '–',
        encoding ? r.ortThreads : '–',
        r.workers === 'all' ? 'workers' : 'libuv pool',
        r.photos,
        r.photosPerSecond.toFixed(1),
        c ? (r.photosPerSecond / c.photosPerSecond).toFixed(2) : '',
        r.cpuMsPerPhoto.toFixed(1),
        c ? (c.cpuMsPerPhoto / r.cpuMsPerPhoto).toFixed(2) : '',
        ((cores * 1000) / r.cpuMsPerPhoto).toFixed(0),
        encoding ? r.meanBatch.toFixed(1) : '–',
        r.peakWaiting,
        `${r.loopDelayP99Ms.toFixed(0)} / ${r.loopDelayMaxMs.toFixed(0)}`,
        r.peakRssMB.toFixed(0),
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
    await mkdir('bench-results', { recursive: true });
    const report = {
      date: new Date().toISOString(),
      cores,
      cpu: cpus()[0]?.model,
      node: process.version,
      loadAverageAtEnd: loadavg(),
      rounds: ROUNDS,
      sets: [big, small].map((s) => ({ label: s.label, width: s.width, height: s.height, meanBytes: s.meanBytes })),
      rows,
    };
    const out = sweep ? 'bench-results/encode-sweep.json' : 'bench-results/encode.json';
    await writeFile(out, JSON.stringify(report, null, 2));
    console.log(`wrote ${out}`);
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
