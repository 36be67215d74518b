/**
 * `npm run bench:grid`: the library grid of browser mode on a 100,000-photo library, in headless Chromium (issue 25:
 * "a virtualised thumbnail grid of the whole library, smooth with 100,000 photos"). The app is served as a person
 * runs it (`lookalike serve`), the Library view opened, then:
 * - the first screen: the first tile showing its photo (ms from navigation), and the first screenful drawn;
 * - jumps: the grid scrolled to JUMPS random places (as a scroll bar dragged far), each timed until every tile in
 *   view shows its photo's name, then until its thumbnail is drawn;
 * - flings: the grid scrolled a steady FLING px every frame for FLING_FRAMES frames, at each order; the time
 *   between frames (a frame over 50 ms is a visible stutter) and the share of tiles in view still empty;
 * - long tasks (the main thread busy over 50 ms) while jumping and flinging, and what the page holds: tiles in
 * the document, DOM nodes, JS heap.
 *
 *   npm run bench:grid [-- --db LIBRARY] [--jumps 40] [--fling 120] [--fling-frames 240] [--out bench-results/grid.json]
 *
 * The library: `--db`, else the 100,000-photo library `npm run bench:scale -- --photos 100000` makes (copied
 * first). Its photo files need not exist: the grid reads the catalog (pages of photos, stored thumbnails).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startServe } from '../helpers/serve.js';
import { seededRandom } from '../helpers/synthetic-photo.js';
import { table } from './dedup/report.js';
import { copyLibrary, defaultLibrary } from './libraries.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const JUMPS = Number(option('jumps', '40'));
const FLING = Number(option('fling', '120'));
const FLING_FRAMES = Number(option('fling-frames', '240'));
const OUT = option('out', 'bench-results/grid.json');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const log = (message: string) => process.stderr.write(`${message}\n`);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

interface Jump {
  filledMs: number | null;
  drawnMs: number | null;
}

/** Scrolls the grid to `y` and times it until the tiles in view show their photos, then their thumbnails. */
function jump(page: Page, y: number): Promise<Jump> {
  return page.evaluate(async (y) => {
    const grid = document.querySelector('[data-testid=library-grid]') as HTMLElement;
    const inView = () => {
      const r = grid.getBoundingClientRect();
      return [...grid.querySelectorAll('.tile')].filter((t) => {
        const b = t.getBoundingClientRect();
        return b.bottom > r.top && b.top < r.bottom;
      });
    };
    const filled = () => {
      const tiles = inView();
      return tiles.length > 0 && tiles.every((t) => t.querySelector('button.thumb'));
    };
    const drawn = () =>
      inView().every((t) => {
        const img = t.querySelector('img');
        return img !== null && img.complete && img.naturalWidth > 0;
      });
    const started = performance.now();
    grid.scrollTop = y;
    let filledMs: number | null = null;
    while (performance.now() - started < 15_000) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      if (filledMs === null && filled()) filledMs = performance.now() - started;
      if (filledMs !== null && drawn()) return { filledMs, drawnMs: performance.now() - started };
    }
    return { filledMs, drawnMs: null };
  }, y);
}

interface Fling {
  frameMs: number[];
  emptyShare: number;
}

/** Scrolls the grid `px` further every frame for `frames` frames: the time between frames, and empty tiles seen. */
function fling(page: Page, px: number, frames: number): Promise<Fling> {
  return page.evaluate(
    async ({ px, frames }) => {
      const grid = document.querySelector('[data-testid=library-grid]') as HTMLElement;
      const frameMs: number[] = [];
      let [empty, seen] = [0, 0];
      let last = performance.now();
      for (let f = 0; f < frames; f++) {
        grid.scrollTop += px;
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const now = performance.now();
        frameMs.push(now - last);
        last = now;
        const r = grid.getBoundingClientRect();
        for (const t of grid.querySelectorAll('.tile')) {
          const b = t.getBoundingClientRect();
          if (b.bottom <= r.top || b.top >= r.bottom) continue;
          seen++;
          if (!t.querySelector('button.thumb')) empty++;
        }
      }
      return { frameMs, emptyShare: seen ? empty / seen : 0 };
    },
    { px, frames },
  );
}

async function main(): Promise<void> {
  const source = path.resolve(option('db', defaultLibrary() ?? ''));
  if (!existsSync(source)) {
    log('No library: make one with `npm run bench:scale -- --photos 100000`, or give --db LIBRARY.');
    process.exit(2);
  }
  if (!existsSync(CHROMIUM)) {
    log(`bench:grid needs Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
    process.exit(2);
  }
  log(`grid: copying ${source}`);
  const db = await copyLibrary(source, 'grid');
  const server = await startServe(db, { stderr: 'inherit' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Before the page's own scripts: when the first tile shows a photo (ms from navigation), and every long task
    // (the main thread busy over 50 ms). `__name` is the helper tsx wraps functions passed to evaluate in.
    await page.addInitScript(`
      globalThis.__name = (f) => f;
      window.__grid = { firstTile: null, longTasks: [] };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__grid.longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
      new MutationObserver(() => {
        if (window.__grid.firstTile === null && document.querySelector('[data-testid=library-grid] button.thumb'))
          window.__grid.firstTile = performance.now();
      }).observe(document, { subtree: true, childList: true });
    `);
    const opened = performance.now();
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Library' }).click();
    await page.locator('[data-testid=library-grid] button.thumb').first().waitFor({ timeout: 120_000 });
    const first = await jump(page, 0);
    const firstScreenMs = performance.now() - opened;
    const firstPaintMs = await page.evaluate(
      () => (window as unknown as { __grid: { firstTile: number } }).__grid.firstTile,
    );
    const longTasks = () =>
      page.evaluate(() => {
        const grid = (window as unknown as { __grid: { longTasks: number[] } }).__grid;
        const tasks = grid.longTasks;
        grid.longTasks = [];
        return tasks;
      });
    await longTasks();
    const total = Number(((await page.locator('h2', { hasText: 'Library ·' }).textContent()) ?? '').replace(/\D/g, ''));
    const height = await page.evaluate(
      () => (document.querySelector('[data-testid=library-grid]') as HTMLElement).scrollHeight,
    );
    log(
      `grid: ${total} photos, ${height} px of grid; first tile with its photo ${firstPaintMs.toFixed(0)} ms after navigation`,
    );

    const random = seededRandom(25);
    const rows: string[][] = [];
    const report: Record<string, unknown> = { total, firstPaintMs, firstScreenMs, first };
    for (const sort of ['name', 'date', 'size', 'folder'] as const) {
      await page.getByTestId('library-sort').selectOption(sort);
      await jump(page, 0);
      const jumps: Jump[] = [];
      for (let j = 0; j < JUMPS; j++) jumps.push(await jump(page, Math.floor(random() * height)));
      await jump(page, Math.floor(random() * height * 0.5));
      const flung = await fling(page, FLING, FLING_FRAMES);
      const filled = jumps.map((j) => j.filledMs ?? Infinity);
      const drawn = jumps.map((j) => j.drawnMs ?? Infinity);
      const stutters = flung.frameMs.filter((ms) => ms > 50).length;
      const tasks = await longTasks();
      rows.push([
        sort,
        percentile(filled, 0.5).toFixed(0),
        percentile(filled, 0.95).toFixed(0),
        percentile(drawn, 0.5).toFixed(0),
        percentile(drawn, 0.95).toFixed(0),
        percentile(flung.frameMs, 0.5).toFixed(1),
        percentile(flung.frameMs, 0.95).toFixed(1),
        Math.max(...flung.frameMs).toFixed(1),
        `${stutters} / ${flung.frameMs.length}`,
        `${(100 * flung.emptyShare).toFixed(1)} %`,
        `${tasks.length} (max ${tasks.length ? Math.max(...tasks).toFixed(0) : 0} ms)`,
      ]);
      report[sort] = { jumps, fling: flung, longTasks: tasks };
      log(`grid: ${sort} done`);
    }
    const held = await page.evaluate(() => ({
      tiles: document.querySelectorAll('[data-testid=library-grid] .tile').length,
      nodes: document.getElementsByTagName('*').length,
      heapMB:
        ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN) / 2 ** 20,
    }));
    report.held = held;
    console.log(
      `\n## Library grid, ${total} photos (headless Chromium 1280×900; first tile with its photo ${firstPaintMs.toFixed(0)} ms after navigation, first screen drawn ${firstScreenMs.toFixed(0)} ms after the page was asked for)\n`,
    );
    console.log(
      table(
        [
          'order',
          'jump: filled p50 ms',
          'p95',
          'jump: thumbnails drawn p50 ms',
          'p95',
          `fling ${FLING} px/frame: frame p50 ms`,
          'p95',
          'max',
          'frames > 50 ms',
          'empty tiles seen',
          'long tasks > 50 ms',
        ],
        rows,
      ),
    );
    console.log(
      `\nThe page holds ${held.tiles} tiles, ${held.nodes} DOM nodes, ${held.heapMB.toFixed(1)} MB of JS heap.`,
    );
    mkdirSync(path.dirname(OUT), { recursive: true });
    writeFileSync(OUT, JSON.stringify(report, null, 2));
  } finally {
    await browser.close();
    server.child.kill('SIGTERM');
  }
}

await main();
