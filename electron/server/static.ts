import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The strict CSP shared by the Electron window and browser mode. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Resolve a URL path inside `root`, or null when it would escape it. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const resolved = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  const rootWithSep = path.resolve(root) + path.sep;
  return resolved.startsWith(rootWithSep) || resolved === path.resolve(root) ? resolved : null;
}

/** Whether `file`, links resolved, still lies inside `root` (links resolved too). */
async function insideReally(root: string, file: string): Promise<boolean> {
  const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]).catch(() => [null, null]);
  return !!realRoot && !!realFile && (realFile === realRoot || realFile.startsWith(realRoot + path.sep));
}

/** Serve a file of the built renderer; unknown paths fall back to index.html (single-page app). */
export async function serveStatic(root: string, urlPath: string, res: ServerResponse): Promise<void> {
  let file = resolveInside(root, urlPath === '/' ? '/index.html' : urlPath);
  if (!file) {
    res.writeHead(400).end('Bad path');
    return;
  }
  let info = await stat(file).catch(() => null);
  // A link inside the folder that points out of it is not followed out.
  if (info && !(await insideReally(root, file))) {
    res.writeHead(400).end('Bad path');
    return;
  }
  if (!info?.isFile()) {
    file = path.join(root, 'index.html');
    info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('The renderer is not built. Run `npm run build`.');
      return;
    }
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  });
  createReadStream(file).pipe(res);
}
