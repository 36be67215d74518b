import { describe, expect, it } from 'vitest';
import type { ServerMessage } from './contract.js';
import { type Channel, Dispatcher, type HandlerGroup, mergeHandlers } from './dispatch.js';
import { AppError } from './errors.js';

/** An in-memory connection: `deliver` plays the client, `sent` records what the server answered. */
function memoryChannel() {
  const sent: ServerMessage[] = [];
  let listener: (message: unknown) => void = () => {};
  let closeListener: () => void = () => {};
  const waiters: (() => void)[] = [];
  const channel: Channel = {
    send: (message) => {
      sent.push(message);
      waiters.splice(0).forEach((w) => w());
    },
    onMessage: (l) => (listener = l),
    onClose: (l) => (closeListener = l),
  };
  async function reply(id: number) {
    for (;;) {
      const found = sent.find((m) => m.t === 'res' && m.id === id);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }
  return { channel, sent, deliver: (m: unknown) => listener(m), close: () => closeListener(), reply };
}

const handlers: HandlerGroup = {
  'app.ping': async ({ message, delayMs = 0, steps = 1 }, { signal, onProgress }) => {
    for (let step = 1; step <= steps; step++) {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, delayMs / steps);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
      onProgress({ phase: 'group', done: step, total: steps });
    }
    return { message, receivedAt: 'now' };
  },
  'similar.find': ({ path }) => {
    throw new AppError('NOT_FOUND', `No such photo: ${path}`, { path });
  },
  'album.list': () => {
    throw new TypeError('boom');
  },
  'dupes.find': (_args, { broadcast }) => {
    broadcast({ type: 'library.changed', reason: 'trash' });
    const seconds = { candidates: 0, pixels: 0, grouping: 0 };
    const stats = {
      photos: 0,
      candidatePairs: 0,
      afterCosine: 0,
      keptVerdicts: 0,
      pixelChecked: 0,
      pixelSearched: 0,
      inferredVerdicts: 0,
      turnedSkipped: 0,
      seconds,
    };
    return { threshold: { name: 'close', radius: 5, minCosine: null, pixels: null }, groups: [], stats };
  },
};

function setup() {
  const dispatcher = new Dispatcher(handlers);
  const conn = memoryChannel();
  dispatcher.connect(conn.channel);
  return { dispatcher, ...conn };
}

describe('Dispatcher', () => {
  it('answers a successful call with its result', async () => {
    const { deliver, reply } = setup();
    deliver({ t: 'req', id: 1, method: 'app.ping', args: { message: 'hello' } });
    expect(await reply(1)).toEqual({ t: 'res', id: 1, ok: true, result: { message: 'hello', receivedAt: 'now' } });
  });

  it('returns thrown AppErrors as data with code, message and details', async () => {
    const { deliver, reply } = setup();
    deliver({ t: 'req', id: 2, method: 'similar.find', args: { path: '/x.jpg' } });
    expect(await reply(2)).toEqual({
      t: 'res',
      id: 2,
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No such photo: /x.jpg', details: { path: '/x.jpg' } },
    });
  });

  it('maps unexpected exceptions to INTERNAL', async () => {
    const { deliver, reply } = setup();
    deliver({ t: 'req', id: 3, method: 'album.list', args: {} });
    expect(await reply(3)).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('rejects invalid arguments before the handler runs', async () => {
    const { deliver, reply } = setup();
    deliver({ t: 'req', id: 4, method: 'app.ping', args: { message: 42 } });
    const answer = await reply(4);
    expect(answer).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    deliver({ t: 'req', id: 5, method: 'app.ping', args: { message: 'x', extra: true } });
    expect(await reply(5)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('answers UNKNOWN_METHOD for names outside the contract and NOT_IMPLEMENTED for missing handlers', async () => {
    const { deliver, reply } = setup();
    deliver({ t: 'req', id: 6, method: 'fs.readFile', args: {} });
    expect(await reply(6)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    deliver({ t: 'req', id: 7, method: 'scan.run', args: { folders: ['/tmp'] } });
    expect(await reply(7)).toMatchObject({ ok: false, error: { code: 'NOT_IMPLEMENTED' } });
  });

  it('cancels a running call: the handler sees the abort and the reply is CANCELLED', async () => {
    const { deliver, reply, sent } = setup();
    deliver({ t: 'req', id: 8, method: 'app.ping', args: { message: 'slow', delayMs: 5000, steps: 50 } });
    await new Promise((r) => setTimeout(r, 250));
    deliver({ t: 'cancel', id: 8 });
    const answer = await reply(8);
    expect(answer).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    const progress = sent.filter((m) => m.t === 'event' && m.event.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThan(50);
  });

  it('pushes progress events tagged with the request id, before the reply', async () => {
    const { deliver, reply, sent } = setup();
    deliver({ t: 'req', id: 9, method: 'app.ping', args: { message: 'p', delayMs: 30, steps: 3 } });
    await reply(9);
    const events = sent.filter((m) => m.t === 'event');
    expect(events).toEqual(
      [1, 2, 3].map((done) => ({
        t: 'event',
        event: { type: 'progress', requestId: 9, progress: { phase: 'group', done, total: 3 } },
      })),
    );
    expect(sent.findIndex((m) => m.t === 'res')).toBe(3);
  });

  it('broadcasts events to every connected client', async () => {
    const { dispatcher, deliver, reply } = setup();
    const other = memoryChannel();
    dispatcher.connect(other.channel);
    deliver({ t: 'req', id: 10, method: 'dupes.find', args: {} });
    await reply(10);
    expect(other.sent).toContainEqual({ t: 'event', event: { type: 'library.changed', reason: 'trash' } });
  });

  it('aborts in-flight calls when the connection closes', async () => {
    let seenAbort = false;
    const dispatcher = new Dispatcher({
      'app.ping': (_a, { signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => ((seenAbort = true), reject(signal.reason))),
        ),
    });
    const conn = memoryChannel();
    dispatcher.connect(conn.channel);
    conn.deliver({ t: 'req', id: 1, method: 'app.ping', args: { message: 'x' } });
    conn.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(seenAbort).toBe(true);
  });

  it('ignores malformed frames', () => {
    const { deliver, sent } = setup();
    for (const junk of [null, 'text', 42, { t: 'req' }, { t: 'req', id: 'x', method: 'app.info' }]) deliver(junk);
    expect(sent).toEqual([]);
  });

  it('refuses to merge two groups that define the same method', () => {
    expect(() =>
      mergeHandlers({ 'app.info': handlers['app.ping'] as never }, { 'app.info': handlers['app.ping'] as never }),
    ).toThrow(/defined twice/);
  });

  it('calls in-process with the same validation and errors', async () => {
    const dispatcher = new Dispatcher(handlers);
    await expect(dispatcher.call('app.ping', { message: 'in' })).resolves.toMatchObject({ message: 'in' });
    await expect(dispatcher.call('similar.find', { path: '/y' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(dispatcher.call('app.ping', {})).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
