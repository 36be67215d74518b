import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Dispatcher } from '../api/dispatch.js';
import { toApiError } from '../api/errors.js';
import { webSocketChannel } from '../api/transport-ws.js';
import { cookieName, newToken, refusalReason } from './security.js';
import { serveStatic } from './static.js';

export interface ServerOptions {
  dispatcher: Dispatcher;
  /** Folder with the built renderer (index.html and assets). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** WebP thumbnail of a library photo by id (served at /thumb/<id>); absent when the server has no library. */
  thumbnail?: (photoId: number) => Uint8Array | undefined;
  /** A larger WebP view of a library photo by id (served at /preview/<id>), for the compare view. */
  preview?: (photoId: number) => Promise<Uint8Array | undefined>;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('Request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
}

/** The page shown for the app's address without a valid token. */
const REFUSAL_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lookalike: open the link from the terminal</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}</style></head>
<body><h1>Open Lookalike with its link</h1>
<p>This address needs the private link that <code>lookalike serve</code> printed in the terminal where it was started
(it looks like <code>http://127.0.0.1:PORT/?token=…</code>). Copy that whole link into the address bar.</p>
<p>The link changes each time the server starts, so an old bookmark no longer opens the app.</p></body></html>
`;

function sendRefusalPage(res: ServerResponse): void {
  res.writeHead(403, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(REFUSAL_PAGE);
}

/**
 * Browser mode: the built renderer and the API on 127.0.0.1 only, behind a random per-run token.
 * Every request (page, assets, HTTP API, WebSocket upgrade) must carry the token and a local Host/Origin.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  let port = 0;

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refusal = refusalReason(req, url, port, token);
    // A body this server does not read (a refused request, anything but an API call) must not be taken for the
    // next request on a kept-alive connection: such a connection is closed after the answer.
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && (refusal || !url.pathname.startsWith('/api/'))) res.setHeader('Connection', 'close');
    if (refusal) {
      // A person who opened the address without its token gets a page saying where the link is; the API answers
      // programs with the error as data. Neither shows the token.
      if (!url.pathname.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html')) sendRefusalPage(res);
      else sendJson(res, 403, { ok: false, error: { code: 'FORBIDDEN', message: `Forbidden: ${refusal}` } });
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') {
        sendJson(res, 405, { ok: false, error: { code: 'BAD_REQUEST', message: 'Use POST' } });
        return;
      }
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      const controller = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) controller.abort();
      });
      readJsonBody(req)
        .then((args) => options.dispatcher.call(method as never, args, { signal: controller.signal }))
        .then((result) => sendJson(res, 200, { ok: true, result }))
        .catch((error: unknown) => {
          const apiError =
            error instanceof SyntaxError ? { code: 'BAD_REQUEST', message: 'Body is not JSON' } : toApiError(error);
          sendJson(res, apiError.code === 'INTERNAL' ? 500 : 400, { ok: false, error: apiError });
        });
      return;
    }
    const thumb = /^\/thumb\/(\d{1,15})$/.exec(url.pathname);
    if (thumb && req.method === 'GET') {
      // Thumbnails come from the catalog by id, never from a path, so no request can read an arbitrary file.
      const webp = options.thumbnail?.(Number(thumb[1]));
      if (!webp) res.writeHead(404).end();
      else res.writeHead(200, { 'Content-Type': 'image/webp', 'Cache-Control': 'private, max-age=3600' }).end(webp);
      return;
    }
    const preview = /^\/preview\/(\d{1,15})$/.exec(url.pathname);
    if (preview && req.method === 'GET') {
      // By id too, never by path.
      (options.preview?.(Number(preview[1])) ?? Promise.resolve(undefined)).then(
        (webp) => {
          if (!webp) res.writeHead(404).end();
          else res.writeHead(200, { 'Content-Type': 'image/webp', 'Cache-Control': 'private, max-age=600' }).end(webp);
        },
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (url.searchParams.has('token')) {
      // The page was opened with ?token=…; its assets authenticate with a port-scoped, script-invisible cookie.
      res.setHeader(
        'Set-Cookie',
        `${cookieName(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      );
    }
    serveStatic(options.staticDir, url.pathname, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/ws' || refusalReason(req, url, port, token)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => options.dispatcher.connect(webSocketChannel(ws)));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (http.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
