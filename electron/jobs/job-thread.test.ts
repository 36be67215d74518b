import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { Events, Progress } from '../api/contract.js';
import type { HandlerContext } from '../api/dispatch.js';
import { JobThread } from './job-thread.js';

// A stand-in for the job worker that speaks the dispatcher's wire protocol: `scan.run` reports progress, pushes a
// library.changed event and answers; `dupes.find` answers with an error as data, or waits for its cancellation;
// `similar.find` makes the thread exit, as a crash would.
const FAKE_WORKER = `
const { parentPort, threadId } = require('node:worker_threads');
const waiting = new Set();
parentPort.on('message', (m) => {
  if (m.t === 'host-res') return;
  if (m.t === 'cancel') {
    if (waiting.delete(m.id)) parentPort.postMessage({ t: 'res', id: m.id, ok: false, error: { code: 'CANCELLED', message: 'The operation was cancelled.' } });
    return;
  }
  if (m.method === 'scan.run') {
    parentPort.postMessage({ t: 'event', event: { type: 'progress', requestId: m.id, progress: { phase: 'scan', done: 1, total: 2 } } });
    parentPort.postMessage({ t: 'event', event: { type: 'library.changed', reason: 'scan' } });
    parentPort.postMessage({ t: 'res', id: m.id, ok: true, result: { folders: m.args.folders, threadId } });
  } else if (m.method === 'dupes.trash') {
    // Asks the main thread to trash a file, then answers with what it said.
    parentPort.once('message', (answer) => parentPort.postMessage({ t: 'res', id: m.id, ok: true, result: answer }));
    parentPort.postMessage({ t: 'host', id: 7, call: 'trashFile', path: m.args.path });
  } else if (m.method === 'dupes.find' && m.args.threshold === 'bad') {
    parentPort.postMessage({ t: 'res', id: m.id, ok: false, error: { code: 'BAD_REQUEST', message: 'Unknown threshold "bad".', details: { threshold: 'bad' } } });
  } else if (m.method === 'dupes.find') {
    waiting.add(m.id);
  } else {
    process.exit(3);
  }
});`;

let thread: JobThread | undefined;
afterEach(() => thread?.close());

function context(signal = new AbortController().signal) {
  const progress: Progress[] = [];
  const ctx: HandlerContext = { signal, onProgress: (p) => progress.push(p), broadcast: () => {} };
  return { ctx, progress };
}

describe('the job thread', () => {
  it('does what a job asks of the main thread (the trash) and answers it, an error as its sentence', async () => {
    const asked: string[] = [];
    thread = new JobThread(
      () => new Worker(FAKE_WORKER, { eval: true }),
      () => {},
      {
        trashFile: async (file) => {
          asked.push(file);
          if (file.endsWith('locked.jpg')) throw new Error('permission denied');
        },
      },
    );
    expect(await thread.call('dupes.trash', { path: '/photos/copy.jpg' }, context().ctx)).toEqual({
      t: 'host-res',
      id: 7,
      ok: true,
    });
    expect(await thread.call('dupes.trash', { path: '/photos/locked.jpg' }, context().ctx)).toEqual({
      t: 'host-res',
      id: 7,
      ok: false,
      message: 'permission denied',
    });
    expect(asked).toEqual(['/photos/copy.jpg', '/photos/locked.jpg']);
  });

  it('relays a job: its arguments, progress, the events it pushes and its result', async () => {
    const events: Events[] = [];
    let started = 0;
    thread = new JobThread(
      () => (started++, new Worker(FAKE_WORKER, { eval: true })),
      (e) => events.push(e),
    );
    const { ctx, progress } = context();
    const result = (await thread.call('scan.run', { folders: ['/photos'] }, ctx)) as {
      folders: string[];
      threadId: number;
    };
    expect(result.folders).toEqual(['/photos']);
    expect(result.threadId).toBeGreaterThan(0); // not this thread (0)
    expect(progress).toEqual([{ phase: 'scan', done: 1, total: 2 }]);
    expect(events).toEqual([{ type: 'library.changed', reason: 'scan' }]);
    await thread.call('scan.run', { folders: ['/more'] }, context().ctx);
    expect(started).toBe(1); // one thread serves every job
  });

  it('turns an error answer back into an AppError with its code, sentence and details', async () => {
    thread = new JobThread(
      () => new Worker(FAKE_WORKER, { eval: true }),
      () => {},
    );
    await expect(thread.call('dupes.find', { threshold: 'bad' }, context().ctx)).rejects.toMatchObject({
      name: 'AppError',
      code: 'BAD_REQUEST',
      message: 'Unknown threshold "bad".',
      details: { threshold: 'bad' },
    });
  });

  it('cancels a job in the thread when its signal aborts', async () => {
    thread = new JobThread(
      () => new Worker(FAKE_WORKER, { eval: true }),
      () => {},
    );
    const controller = new AbortController();
    const running = thread.call('dupes.find', { threshold: 'close' }, context(controller.signal).ctx);
    setTimeout(() => controller.abort(), 50);
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('fails the jobs in flight with a sentence when the thread dies, and starts a new one for the next job', async () => {
    let started = 0;
    thread = new JobThread(
      () => (started++, new Worker(FAKE_WORKER, { eval: true })),
      () => {},
    );
    const waiting = thread.call('dupes.find', { threshold: 'close' }, context().ctx);
    const crash = thread.call('similar.find', { path: '/x.jpg' }, context().ctx);
    await expect(crash).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/job thread stopped .*try again/),
    });
    await expect(waiting).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(thread.call('scan.run', { folders: ['/again'] }, context().ctx)).resolves.toMatchObject({
      folders: ['/again'],
    });
    expect(started).toBe(2);
  });
});
