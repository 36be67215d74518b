import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createDispatcher } from '../../electron/core/app.js';
import { type RunningServer, startServer } from '../../electron/server/server.js';
import { ApiCallError, connectWebSocket } from '../../renderer/src/lib/api/client.js';
import { tempDir } from '../helpers/temp-dir.js';

let server: RunningServer;
/** The renderer folder is a subfolder, so the traversal test's secret beside it stays in the temp folder. */
const root = tempDir('static');
const staticDir = path.join(root, 'renderer');
const dbPath = path.join(root, 'library.db');

beforeAll(async () => {
  mkdirSync(staticDir);
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Lookalike</title>');
  const thumbs = new Map([[7, new Uint8Array([82, 73, 70, 70, 0, 0, 0, 0, 87, 69, 66, 80])]]);
  server = await startServer({
    dispatcher: createDispatcher({ dbPath }),
    staticDir,
    port: 0,
    thumbnail: (id) => thumbs.get(id),
    preview: async (id) => thumbs.get(id),
  });
});
afterAll(() => server.close());

/** A raw HTTP request, so tests control every header (fetch would set Host and Origin itself). */
function raw(pathname: string, headers: Record<string, string>, method = 'GET', body?: string) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: pathname, method, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('browser-mode server', () => {
  it('prints a 127.0.0.1 URL with a token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('serves the page with the token and sets a port-scoped cookie for its assets', async () => {
    const res = await raw(`/?token=${server.token}`, { Host: `127.0.0.1:${server.port}` });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Lookalike</title>');
    expect(String(res.headers['set-cookie'])).toContain(`lookalike_token_${server.port}=`);
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'self'");
  });

  it('refuses requests without the token, with a wrong token, or with a foreign Host or Origin', async () => {
    const host = { Host: `127.0.0.1:${server.port}` };
    expect((await raw('/', host)).status).toBe(403);
    expect((await raw('/api/app.info', host, 'POST', '{}')).status).toBe(403);
    expect((await raw('/api/app.info', { ...host, Authorization: 'Bearer nope' }, 'POST', '{}')).status).toBe(403);
    const auth = { Authorization: `Bearer ${server.token}` };
    expect((await raw('/api/app.info', { Host: `evil.example:${server.port}`, ...auth }, 'POST', '{}')).status).toBe(
      403,
    );
    expect((await raw('/api/app.info', { ...host, ...auth, Origin: 'http://evil.example' }, 'POST', '{}')).status).toBe(
      403,
    );
    const ok = await raw(
      '/api/app.info',
      { ...host, ...auth, Origin: `http://localhost:${server.port}` },
      'POST',
      '{}',
    );
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, result: { name: 'Lookalike', dbPath } });
  });

  it('answers HTTP API errors as data', async () => {
    const headers = { Host: `127.0.0.1:${server.port}`, Authorization: `Bearer ${server.token}` };
    const res = await raw('/api/app.ping', headers, 'POST', '{"message": 5}');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const unknown = await raw('/api/nope', headers, 'POST', '{}');
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('never serves files outside the renderer folder', async () => {
    writeFileSync(path.join(root, 'secret.txt'), 'secret');
    const headers = { Host: `127.0.0.1:${server.port}`, Authorization: `Bearer ${server.token}` };
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const res = await raw(p, headers);
      expect(res.body).not.toContain('secret');
    }
  });

  it('serves thumbnails by photo id only, behind the token', async () => {
    const host = { Host: `127.0.0.1:${server.port}` };
    const auth = { ...host, Authorization: `Bearer ${server.token}` };
    const ok = await raw('/thumb/7', auth);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('image/webp');
    expect((await raw('/thumb/8', auth)).status).toBe(404);
    expect((await raw('/thumb/7', host)).status).toBe(403);
    expect((await raw('/thumb/..%2f..%2fetc%2fpasswd', auth)).body).not.toContain('root:');
    expect((await raw('/preview/7', auth)).status).toBe(200);
    expect((await raw('/preview/8', auth)).status).toBe(404);
    expect((await raw('/preview/7', host)).status).toBe(403);
    expect((await raw('/preview/%2fetc%2fpasswd', auth)).body).not.toContain('root:');
  });

  it('serves the typed API over WebSocket, with progress and cancellation', async () => {
    const client = await connectWebSocket(server.url, WebSocket as never);
    try {
      const info = await client.invoke('app.info', {});
      expect(info.dbPath).toBe(dbPath);
      const progress: number[] = [];
      const pong = await client.invoke(
        'app.ping',
        { message: 'hi', delayMs: 30, steps: 3 },
        { onProgress: (p) => progress.push('done' in p ? p.done : -1) },
      );
      expect(pong.message).toBe('hi');
      expect(progress).toEqual([1, 2, 3]);
      const controller = new AbortController();
      const slow = client.invoke(
        'app.ping',
        { message: 'slow', delayMs: 10_000, steps: 100 },
        { signal: controller.signal },
      );
      setTimeout(() => controller.abort(), 100);
      await expect(slow).rejects.toMatchObject({ code: 'CANCELLED' });
      await expect(client.invoke('similar.find', { path: '/nope.jpg' })).rejects.toBeInstanceOf(ApiCallError);
    } finally {
      client.close();
    }
  });

  it('refuses a WebSocket without the token', async () => {
    const bad = server.url.replace(/token=.*/, 'token=wrong');
    await expect(connectWebSocket(bad, WebSocket as never)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
