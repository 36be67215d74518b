/**
 * The Electron shell's security settings and rules, as plain values and functions (no Electron import), so that
 * tests check them under Node where Electron's binary cannot be installed: the window's web preferences, which
 * navigations and links are allowed, how an app:// request maps to a file or a thumbnail, and the window's
 * remembered size and position.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CONTENT_SECURITY_POLICY, resolveInside } from '../server/static.js';

/** The app's own scheme: pages, scripts and thumbnails are served under it, nothing else is. */
export const SCHEME = 'app';
export const START_URL = `${SCHEME}://lookalike/index.html`;
export { CONTENT_SECURITY_POLICY };

/** A window's size and position (what is remembered between runs). */
export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1280, height: 860 };
/** Smaller than this is taken for a damaged record, not a choice. */
const MIN_SIZE = { width: 640, height: 480 };

/** The window's options: the page gets no Node, runs sandboxed and isolated from the preload's world. */
export function windowOptions(preload: string, bounds: WindowBounds = DEFAULT_BOUNDS) {
  return {
    ...bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'Lookalike',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    },
  } as const;
}

/** Whether the page may navigate to `url`: only within the app's own pages. */
export function allowedNavigation(url: string): boolean {
  return url.startsWith(`${SCHEME}://`);
}

/** Whether a link the page opens in a new window goes to the system browser: https only (the app opens none). */
export function openInBrowser(url: string): boolean {
  return url.startsWith('https://');
}

/**
 * What an app:// request is: a thumbnail or a larger preview by photo id (never by path, so the page cannot read
 * arbitrary files), a file inside the renderer's folder, or refused.
 */
export function routeRequest(
  rendererDir: string,
  url: string,
):
  | { kind: 'thumb'; id: number }
  | { kind: 'preview'; id: number }
  | { kind: 'file'; path: string }
  | { kind: 'refused' } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'refused' };
  }
  if (parsed.protocol !== `${SCHEME}:`) return { kind: 'refused' };
  const byId = /^\/(thumb|preview)\/(\d{1,15})$/.exec(parsed.pathname);
  if (byId)
    return byId[1] === 'thumb' ? { kind: 'thumb', id: Number(byId[2]) } : { kind: 'preview', id: Number(byId[2]) };
  if (/^\/(thumb|preview)\//.test(parsed.pathname)) return { kind: 'refused' };
  const file = resolveInside(rendererDir, parsed.pathname);
  return file ? { kind: 'file', path: file } : { kind: 'refused' };
}

/** The remembered bounds in `file`, or the default where there are none or they are not believable. */
export function loadBounds(file: string): WindowBounds {
  if (!existsSync(file)) return DEFAULT_BOUNDS;
  try {
    const b = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowBounds>;
    const whole = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 100_000;
    if (!whole(b.width) || !whole(b.height) || b.width! < MIN_SIZE.width || b.height! < MIN_SIZE.height)
      return DEFAULT_BOUNDS;
    const position = whole(b.x) && whole(b.y) ? { x: b.x, y: b.y } : {};
    return { ...position, width: b.width!, height: b.height! };
  } catch {
    return DEFAULT_BOUNDS;
  }
}

/** Remembers the window's bounds (a failure to write costs only the memory of them). */
export function saveBounds(file: string, bounds: WindowBounds): void {
  try {
    writeFileSync(file, JSON.stringify(bounds));
  } catch {
    // a read-only profile folder: the next run opens at the default size
  }
}

/** What `closeBeforeQuit` needs of Electron's `app`. */
export interface QuittingApp {
  on(event: 'will-quit', listener: (event: { preventDefault(): void }) => void): void;
  quit(): void;
}

/**
 * Quitting waits for `close` (the app's: a scan or retraining in flight is cancelled and the job thread ends by itself):
 * the first quit is held back until it is done, then quits again. Quitting at once would tear the job thread down
 * mid-run, and onnxruntime-node aborts the process when a thread running a session is terminated
 * (electron/jobs/job-thread.ts). A close that fails still quits.
 */
export function closeBeforeQuit(app: QuittingApp, close: () => Promise<void>): void {
  let closed = false;
  let closing = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    void close()
      .catch(() => {})
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}
