/** Worker-thread entry of DecodeWorkerPool: decodes one photo per request into model input + thumbnail. */
import { parentPort } from 'node:worker_threads';
import type { DecodeErrorCode } from '../image/errors.js';
import { decodeForCatalog } from '../image/decode.js';
import type { WorkerRequest, WorkerResponse } from './decode-pool.js';

if (!parentPort) throw new Error('decode-worker.ts must run in a worker thread');
const port = parentPort;

port.on('message', (request: WorkerRequest) => {
  void (async () => {
    let response: WorkerResponse;
    try {
      const { model, thumbnail, content, trimmed } = await decodeForCatalog(request.source, request.settings);
      response = { id: request.id, ok: true, model, thumbnail, content, trimmed };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const { code, path } = e as { code?: unknown; path?: unknown };
      response = {
        id: request.id,
        ok: false,
        error: {
          name: e.name,
          message: e.message,
          ...(typeof code === 'string' ? { code: code as DecodeErrorCode } : {}),
          ...(typeof path === 'string' ? { path } : {}),
        },
      };
    }
    // Pixels and thumbnail are small (≤ 100 KB); a copy is simpler than transferring sharp's buffers.
    port.postMessage(response);
  })();
});
