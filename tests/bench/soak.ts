/**
 * `npm run bench:soak`: browser mode under a long mixed load (issue 26's soak): REQUESTS requests — similar
 * searches, pages of the library grid, thumbnails, album edits, exact-duplicate searches — from CLIENTS clients at
 * once, against `lookalike serve` on a large library, while a scan of new photos runs in the app. Prints the
 * latency (p50, p99, max) of each kind, the errors (target 0), and the server's RSS over time (target: growth
 * ≤ 10 % from the end of the warm-up to the end).
 *
 *   npm run bench:soak [-- --db LIBRARY] [--requests 10000] [--clients 4] [--scan-photos 600]
 *
 * The library: `--db`, else the 100,000-photo library `npm run bench:scale -- --photos 100000` makes (kept in
 * $TMPDIR/lookalike-scale/). It is copied first, so the soak changes only its copy. Its photos need not exist on
 * disk: every request here reads the catalog (codes, thumbnails, albums), as the app does.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WebSocket } from 'ws';
import { type ApiClient, connectWebSocket } from '../../renderer/src/lib/api/client.js';
import { writeFixtureLibrary } from '../helpers/fixture-encoder.js';
import { startServe } from '../helpers/serve.js';
import { copyLibrary, defaultLibrary } from './libraries.js';
import { seededRandom } from '../helpers/synthetic-photo.js';
import { table } from './dedup/report.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const REQUESTS = Number(option('requests', '10000'));
const CLIENTS = Number(option('clients', '4'));
const SCAN_PHOTOS = Number(option('scan-photos', '600'));
const WARM_UP = Math.min(500, Math.floor(REQUESTS / 10));
const log = (message: string) => process.stderr.write(`${message}\n`);

/** RSS of a process (its threads included), in MB, from /proc (Linux). */
function rssMB(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

type Kind = 'similar' | 'grid page' | 'thumbnail' | 'album edit' | 'exact duplicates';

async function main(): Promise<void> {
  const source = path.resolve(option('db', defaultLibrary() ?? ''));
  if (!existsSync(source)) {
    log('No library to soak: make one with `npm run bench:scale -- --photos 100000`, or give --db LIBRARY.');
    process.exit(2);
  }
  log(`soak: copying ${source}`);
  const db = await copyLibrary(source, 'soak');
  const dir = path.dirname(db);
  const catalog = new Database(db, { readonly: true });
  const photos = catalog.prepare(`SELECT id, path FROM photos WHERE status = 'ready'`).all() as {
    id: number;
    path: string;
  }[];
  catalog.close();
  log(
    `soak: ${photos.length} photos; ${REQUESTS} requests from ${CLIENTS} clients; a scan of ${SCAN_PHOTOS} new photos`,
  );
  const folder = path.join(dir, 'new-photos');
  mkdirSync(folder);
  await writeFixtureLibrary(folder, SCAN_PHOTOS, { size: 320, formats: ['jpeg'] });

  const server = await startServe(db, { stderr: 'inherit' });
  const clients: ApiClient[] = [];
  for (let c = 0; c < CLIENTS; c++) clients.push(await connectWebSocket(server.url, WebSocket as never));
  const token = new URL(server.url).searchParams.get('token')!;
  await clients[0].invoke('album.create', { name: 'Soak' }).catch(() => undefined);

  const samples: { at: number; mb: number; done: number }[] = [];
  const started = performance.now();
  let done = 0;
  const sampler = setInterval(() => {
    const mb = rssMB(server.child.pid!);
    if (mb !== null) samples.push({ at: (performance.now() - started) / 1000, mb, done });
  }, 1000);

  // The app scans new photos meanwhile (a job of its job thread).
  const scanStarted = performance.now();
  let scanSeconds: number | null = null;
  const scan = clients[0].invoke('scan.run', { folders: [folder] }).then((summary) => {
    scanSeconds = (performance.now() - scanStarted) / 1000;
    return summary;
  });

  const latencies = new Map<Kind, number[]>();
  const errors = new Map<Kind, string[]>();
  const random = seededRandom(17);
  const pick = () => photos[Math.floor(random() * photos.length)];
  const request = async (client: ApiClient): Promise<Kind> => {
    const r = random();
    if (r < 0.3) {
      await client.invoke('similar.find', { path: pick().path, limit: 24 });
      return 'similar';
    }
    if (r < 0.55) {
      const sort = (['name', 'date', 'size', 'folder'] as const)[Math.floor(random() * 4)];
      await client.invoke('library.photos', { offset: Math.floor(random() * (photos.length - 200)), limit: 200, sort });
      return 'grid page';
    }
    if (r < 0.85) {
      const res = await fetch(`http://127.0.0.1:${server.port}/thumb/${pick().id}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) throw new Error(`thumbnail: HTTP ${res.status}`);
      await res.arrayBuffer();
      return 'thumbnail';
    }
    if (r < 0.98) {
      const paths = [pick().path, pick().path];
      await client.invoke('album.add', { name: 'Soak', paths });
      await client.invoke('album.remove', { name: 'Soak', paths: [paths[0]] });
      return 'album edit';
    }
    await client.invoke('dupes.find', { threshold: 'exact' });
    return 'exact duplicates';
  };
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < REQUESTS) {
        next++;
        const t0 = performance.now();
        let kind: Kind | null = null;
        try {
          kind = await request(client);
          if (done >= WARM_UP) {
            const list = latencies.get(kind) ?? [];
            list.push(performance.now() - t0);
            latencies.set(kind, list);
          }
        } catch (error) {
          const list = errors.get(kind ?? 'similar') ?? [];
          list.push(error instanceof Error ? error.message : String(error));
          errors.set(kind ?? 'similar', list);
        }
        done++;
        if (done % 1000 === 0) log(`soak: ${done}/${REQUESTS}`);
      }
    }),
  );
  const requestSeconds = (performance.now() - started) / 1000;
  const summary = await scan;
  clearInterval(sampler);
  for (const client of clients) client.close();
  server.child.kill();

  const rows = [...latencies.entries()].map(([kind, list]) => {
    const sorted = [...list].sort((a, b) => a - b);
    return [
      kind,
      String(list.length),
      percentile(sorted, 0.5).toFixed(1),
      percentile(sorted, 0.99).toFixed(1),
      sorted[sorted.length - 1].toFixed(1),
      String(errors.get(kind)?.length ?? 0),
    ];
  });
  const errorCount = [...errors.values()].reduce((n, list) => n + list.length, 0);
  const afterWarmUp = samples.filter((s) => s.done >= WARM_UP);
  const window = Math.max(1, Math.floor(afterWarmUp.length / 10));
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;
  const early = median(afterWarmUp.slice(0, window).map((s) => s.mb));
  const late = median(afterWarmUp.slice(-window).map((s) => s.mb));
  const peak = Math.max(...samples.map((s) => s.mb));
  console.log(
    `\n### Soak: ${REQUESTS} requests from ${CLIENTS} clients against browser mode, ${photos.length} photos, while a scan of ${SCAN_PHOTOS} photos ran\n`,
  );
  console.log(table(['request', 'count (after warm-up)', 'p50 ms', 'p99 ms', 'max ms', 'errors'], rows));
  console.log(
    `\nAll requests in ${requestSeconds.toFixed(1)} s (${(REQUESTS / requestSeconds).toFixed(0)} a second); the scan: ${
      summary.added
    } photos added in ${scanSeconds === null ? '?' : (scanSeconds as number).toFixed(1)} s.`,
  );
  console.log(
    `Errors: ${errorCount}${errorCount ? ` (first: ${[...errors.values()][0][0]})` : ''}. Server RSS: ${early.toFixed(0)} MB after the warm-up, ${late.toFixed(0)} MB at the end (${(((late - early) / early) * 100).toFixed(1)} %), peak ${peak.toFixed(0)} MB.`,
  );
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(
    'bench-results/soak.json',
    JSON.stringify({ requests: REQUESTS, clients: CLIENTS, photos: photos.length, rows, errorCount, samples }, null, 2),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
