/** Worker-thread entry: trains one head off the main thread, posting progress; 'cancel' aborts it. */
import { parentPort } from 'node:worker_threads';
import { exportHead } from '../compute/export-head.js';
import { trainHeadInProcess } from './train.js';
import type { TrainerRequest, TrainerResponse } from './train-head.js';

if (!parentPort) throw new Error('train-worker.ts must run in a worker thread');
const port = parentPort;
const controller = new AbortController();
const post = (message: TrainerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (request: TrainerRequest) => {
  if (request.type === 'cancel') {
    controller.abort();
    return;
  }
  void (async () => {
    try {
      const { head, metrics } = await trainHeadInProcess(request.data, request.options, {
        signal: controller.signal,
        onProgress: (progress) => post({ type: 'progress', progress }),
      });
      const { onnx, metadata } = exportHead(head, {
        method: request.options.method,
        data: request.dataDescription,
        metrics: { ...metrics },
      });
      post({ type: 'done', onnx, metadata }, [onnx.buffer as ArrayBuffer]);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      post({ type: 'error', name, message: error instanceof Error ? error.message : String(error) });
    }
  })();
});
