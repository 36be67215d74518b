/**
 * Worker-thread entry of ThreadedEncoder: opens the query network once (workerData: EncoderOptions) and encodes the
 * batches it is sent. onnxruntime-node runs a session on the calling thread, so here it leaves the scan's thread
 * free to start and finish decodes while the backbone runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Encoder, type EncoderOptions, type HashedCode, type HeadRole } from '../encoder.js';
import { resetStages, stageTotals } from '../stage-clock.js';
import type { EncoderReply, EncoderRequest } from './threaded-encoder.js';

if (!parentPort) throw new Error('encoder-thread.ts must run in a worker thread');
const port = parentPort;

const opening = Encoder.open(workerData as EncoderOptions);
opening.then(
  (encoder) => {
    const version = (role: HeadRole) => {
      const head = encoder.roles[role];
      return head ? { version: head.version, bits: head.bits } : null;
    };
    const roles = { dup: version('dup'), sim: version('sim') };
    const { decodeOptions, backboneVersion } = encoder;
    port.postMessage({ type: 'ready', decodeOptions, roles, backboneVersion } satisfies EncoderReply);
  },
  (error: unknown) => port.postMessage({ type: 'failed', message: (error as Error).message } satisfies EncoderReply),
);

/** Requests are handled one after another: a close waits for the runs before it (a session is never released mid-run). */
let previous: Promise<void> = Promise.resolve();
port.on('message', (request: EncoderRequest) => {
  previous = previous.then(() => handle(request));
});

async function handle(request: EncoderRequest): Promise<void> {
  const encoder = await opening.catch(() => null);
  if (!encoder) return;
  if (request.type === 'close') {
    await encoder.close();
    port.close();
    return;
  }
  // Results go back transferred, not copied.
  const transfer = new Set<ArrayBuffer>();
  const keep = (code: HashedCode) =>
    transfer.add(code.logits.buffer as ArrayBuffer).add(code.code.buffer as ArrayBuffer);
  let reply: EncoderReply;
  try {
    if (request.type === 'hash') {
      const hashed = await encoder.hash(request.role, request.descriptors);
      hashed.forEach(keep);
      reply = { type: 'hashed', id: request.id, hashed };
    } else {
      resetStages();
      const encoded = await encoder.encode(request.images, { roles: (i) => request.roles[i] });
      for (const e of encoded) {
        transfer.add(e.descriptor.buffer as ArrayBuffer);
        for (const code of Object.values(e.codes)) if (code) keep(code);
      }
      reply = { type: 'encoded', id: request.id, encoded, stages: stageTotals() };
    }
  } catch (error) {
    reply = { type: 'error', id: request.id, message: (error as Error).message };
  }
  port.postMessage(reply, [...transfer]);
}
