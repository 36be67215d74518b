import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_IN_FLIGHT } from '../../electron/api/dispatch.js';
import { createDispatcher } from '../../electron/core/app.js';
import { type RunningServer, startServer } from '../../electron/server/server.js';
import { tempDir } from '../helpers/temp-dir.js';

// The browser-mode server under attack: other machines, other sites (Origin), DNS rebinding (Host), missing and
// wrong tokens, paths out of its folder in every encoding, bad photo ids, malformed and oversized API calls, and a
// flood of WebSocket messages. Every attack is counted; the closing note reports how many were tried.
let server: RunningServer;
const root = tempDir('attacks');
const staticDir = path.join(root, 'renderer');
const SECRET = 'the-secret-outside-the-renderer';
const tried: Record<string, number> = {};
const count = (kind: string) => (tried[kind] = (tried[kind] ?? 0) + 1);

beforeAll(async () => {
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Lookalike</title>');
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'secret.txt'), SECRET);
  mkdirSync(path.join(root, 'outside'));
  writeFileSync(path.join(root, 'outside', 'secret.txt'), SECRET);
  // Links inside the served folder that point out of it.
  symlinkSync(path.join(root, 'secret.txt'), path.join(staticDir, 'link.txt'));
  symlinkSync(path.join(root, 'outside'), path.join(staticDir, 'assets', 'out'));
  const thumbs = new Map([[7, new Uint8Array([82, 73, 70, 70, 0, 0, 0, 0, 87, 69, 66, 80])]]);
  server = await startServer({
    dispatcher: createDispatcher({ dbPath: path.join(root, 'library.db') }),
    staticDir,
    port: 0,
    thumbnail: (id) => thumbs.get(id),
    preview: async (id) => thumbs.get(id),
  });
});
afterAll(async () => {
  await server.close();
  if (process.env.LOOKALIKE_TEST_VERBOSE) console.info('attack requests tried', tried);
});

/**
 * A raw HTTP request (so the test sets every header). Status 0: the server closed the connection without an
 * answer, which it does to a request it cannot even parse (an empty Host) or a body past its limit.
 */
function raw(pathname: string, headers: Record<string, string>, method = 'GET', body?: string) {
  return new Promise<{ status: number; body: string }>((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path: pathname, method, headers, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body);
  });
}

/** Refused: 403, or (for a request it cannot parse) 400 or a closed connection; never served. */
const refused = (status: number) => status === 403 || status === 400 || status === 0;

/** A WebSocket upgrade with these headers: whether the server let it open. */
function upgrade(headers: Record<string, string>, query = ''): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws${query}`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(true);
    });
    ws.once('error', () => resolve(false));
    ws.once('unexpected-response', () => resolve(false));
  });
}

const host = () => ({ Host: `127.0.0.1:${server.port}` });
const auth = () => ({ ...host(), Authorization: `Bearer ${server.token}` });

describe('the browser-mode server under attack', () => {
  it('listens on 127.0.0.1 only: another address of this machine is refused', async () => {
    expect(server.url.startsWith('http://127.0.0.1:')).toBe(true);
    const outward = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    for (const address of [outward, '::1'].filter((a): a is string => !!a)) {
      count('other interface');
      const reached = await new Promise<boolean>((resolve) => {
        const socket = tcpConnect({ host: address, port: server.port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      expect(reached, address).toBe(false);
    }
  });

  it('refuses missing and wrong tokens, foreign Hosts and Origins, on HTTP and on the WebSocket', async () => {
    const good = server.token;
    const tokens: [string, Record<string, string>][] = [
      ['none', {}],
      ['empty bearer', { Authorization: 'Bearer ' }],
      ['wrong, same length', { Authorization: `Bearer ${'x'.repeat(good.length)}` }],
      ['wrong, longer', { Authorization: `Bearer ${good}x` }],
      ['prefix', { Authorization: `Bearer ${good.slice(0, -1)}` }],
      ['other scheme', { Authorization: `Basic ${good}` }],
      ['cookie of another port', { Cookie: `lookalike_token_1=${good}` }],
    ];
    const hosts = [
      'evil.example',
      `evil.example:${server.port}`,
      `127.0.0.1.evil.example:${server.port}`,
      `localhost.evil.example:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      `[::1]:${server.port}`,
      `0.0.0.0:${server.port}`,
    ];
    const origins = [
      'http://evil.example',
      'null',
      `https://127.0.0.1:${server.port}`,
      `http://127.0.0.1:${server.port + 1}`,
      `http://127.0.0.1:${server.port}.evil.example`,
      'file://',
    ];
    const targets: [string, string][] = [
      ['/', 'GET'],
      ['/index.html', 'GET'],
      ['/assets/app.js', 'GET'],
      ['/thumb/7', 'GET'],
      ['/preview/7', 'GET'],
      ['/api/app.info', 'POST'],
    ];
    for (const [target, method] of targets) {
      for (const [, headers] of tokens) {
        count('token');
        expect((await raw(target, { ...host(), ...headers }, method, '{}')).status, target).toBe(403);
      }
      for (const h of hosts) {
        count('host');
        expect((await raw(target, { ...auth(), Host: h }, method, '{}')).status, `${target} ${h}`).toBe(403);
      }
      for (const o of origins) {
        count('origin');
        expect((await raw(target, { ...auth(), Origin: o }, method, '{}')).status, `${target} ${o}`).toBe(403);
      }
    }
    // No Host header at all (HTTP/1.0 style), written by hand: Node's client always adds one.
    for (const [target, method] of targets) {
      count('host');
      const answer = await new Promise<string>((resolve) => {
        const socket = tcpConnect({ host: '127.0.0.1', port: server.port }, () =>
          socket.write(`${method} ${target} HTTP/1.0\r\nAuthorization: Bearer ${good}\r\nContent-Length: 2\r\n\r\n{}`),
        );
        let text = '';
        socket.on('data', (chunk) => (text += String(chunk)));
        socket.on('close', () => resolve(text));
        socket.on('error', () => resolve(text));
      });
      expect(refused(Number(answer.split(' ')[1] ?? 0)), `${target} without Host`).toBe(true);
    }
    for (const [, headers] of tokens) {
      count('ws token');
      expect(await upgrade({ ...host(), ...headers })).toBe(false);
    }
    for (const h of hosts.filter(Boolean)) {
      count('ws host');
      expect(await upgrade({ ...auth(), Host: h })).toBe(false);
    }
    for (const o of origins) {
      count('ws origin');
      expect(await upgrade({ ...auth(), Origin: o })).toBe(false);
    }
    count('ws token in query, wrong');
    expect(await upgrade(host(), '?token=nope')).toBe(false);
    // The right ones pass, so the refusals above are the checks at work.
    expect(await upgrade({ ...host(), Origin: `http://127.0.0.1:${server.port}` }, `?token=${good}`)).toBe(true);
    expect((await raw('/api/app.info', auth(), 'POST', '{}')).status).toBe(200);
  });

  it('serves nothing outside its folder, whatever the encoding, links included; bad photo ids find nothing', async () => {
    const paths = [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/%252e%252e/secret.txt',
      '/..%5csecret.txt',
      '/%2e%2e%5csecret.txt',
      '/assets/../../secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/.%2e/secret.txt',
      '/%c0%ae%c0%ae/secret.txt',
      '/..%c0%afsecret.txt',
      `/${encodeURIComponent(path.join(root, 'secret.txt'))}`,
      `//${path.join(root, 'secret.txt')}`,
      '/secret.txt%00.html',
      '/link.txt',
      '/assets/out/secret.txt',
      '/assets/out/../../secret.txt',
      '/thumb/..%2f..%2fsecret.txt',
      '/preview/..%2f..%2fsecret.txt',
      '/thumb/%2e%2e',
    ];
    for (const p of paths) {
      count('path');
      const res = await raw(p, auth());
      expect(res.body, p).not.toContain(SECRET);
    }
    for (const id of ['-1', '0', '8', '1e3', '7.5', '0x7', '99999999999999999999', '%37']) {
      count('photo id');
      for (const route of ['thumb', 'preview']) {
        const res = await raw(`/${route}/${id}`, auth());
        expect(res.body, `${route}/${id}`).not.toContain(SECRET);
        if (id !== '%37') expect(res.status === 404 || !res.body.startsWith('RIFF'), `${route}/${id}`).toBe(true);
      }
    }
  });

  it('answers malformed, mistyped and oversized API calls with errors as data (memory under load: bench:soak)', async () => {
    const calls: [string, string][] = [
      ['app.ping', '{"message": 5}'],
      ['app.ping', '{"message": "x", "delayMs": -1}'],
      ['app.ping', '{"message": "x", "extra": true}'],
      ['app.ping', '[]'],
      ['app.ping', 'null'],
      ['app.ping', '"text"'],
      ['app.ping', '{"__proto__": {"polluted": true}, "message": "x"}'],
      ['app.ping', '{"constructor": {"prototype": {"polluted": true}}, "message": "x"}'],
      ['album.create', `{"name": "${'a'.repeat(100_000)}"}`],
      ['album.add', `{"name": "x", "paths": ${JSON.stringify(Array.from({ length: 50_000 }, () => '/a.jpg'))}}`],
      ['dupes.markApart', `{"photoIds": ${JSON.stringify(Array.from({ length: 50_000 }, (_, i) => i + 1))}}`],
      ['dupes.trash', '{"photoIds": [1.5]}'],
      ['dupes.trash', '{"photoIds": ["1"]}'],
      ['library.photos', '{"offset": 0, "limit": 1e9}'],
      ['library.photos', '{"offset": "0", "limit": 10}'],
      ['similar.find', '{"path": 12}'],
      ['similar.findImage', '{"name": "x.jpg", "data": "%%%"}'],
      ['scan.run', '{"folders": ["relative/path"]}'],
      ['scan.run', `{"folders": ${JSON.stringify(Array.from({ length: 10_000 }, () => '/tmp'))}}`],
      ['no.such.method', '{}'],
      ['__proto__', '{}'],
      ['constructor', '{}'],
      ['app.ping', '{"message": "x"'],
      ['app.ping', '{'.repeat(50_000)],
      ['app.ping', `{"message": "${'x'.repeat(2_000_000)}"}`],
    ];
    for (let round = 0; round < 8; round++) {
      for (const [method, body] of calls) {
        count('api call');
        const res = await raw(`/api/${method}`, { ...auth(), 'Content-Type': 'application/json' }, 'POST', body);
        // A body past the 1 MB limit may be cut off before its answer arrives (status 0); anything else is answered.
        if (body.length <= 1 << 20) expect(res.status, `${method} ${body.slice(0, 40)}`).toBeGreaterThanOrEqual(400);
        else expect(res.status === 0 || res.status >= 400).toBe(true);
        if (res.body.startsWith('{'))
          expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: expect.any(String) } });
      }
    }
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('bounds a flood of WebSocket messages: refused past a limit, answered as data, the server still serves', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws?token=${server.token}`, { headers: host() });
    await new Promise((resolve) => ws.once('open', resolve));
    const answers = new Map<number, { ok: boolean; error?: { message: string } }>();
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { t: string; id: number; ok: boolean; error?: { message: string } };
      if (message.t === 'res') answers.set(message.id, message);
    });
    const FLOOD = 5000;
    for (let id = 1; id <= FLOOD; id++) {
      count('ws flood message');
      ws.send(JSON.stringify({ t: 'req', id, method: 'app.ping', args: { message: 'x', delayMs: 200 } }));
    }
    // Garbage frames are dropped without an answer.
    for (const junk of ['not json', '{"t":"req"}', '[]', '{"t":"req","id":"x","method":"app.info","args":{}}']) {
      count('ws junk frame');
      ws.send(junk);
    }
    const deadline = Date.now() + 20_000;
    while (answers.size < FLOOD && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(answers.size).toBe(FLOOD);
    const refused = [...answers.values()].filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThanOrEqual(FLOOD - MAX_IN_FLIGHT * 30);
    expect(refused[0].error!.message).toMatch(/^Too many requests at once/);
    // Another client is served meanwhile and after.
    expect((await raw('/api/app.info', auth(), 'POST', '{}')).status).toBe(200);
    ws.close();
  }, 60_000);
});
