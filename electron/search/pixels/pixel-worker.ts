/**
 * Worker thread of the pixel check (electron/search/pixels/pixel-check.ts): takes the rule, then chunks of pairs with
 * their thumbnails, and answers each chunk with its verdicts (or `{error}`). It keeps its prepared pictures
 * between chunks (bounded), and is terminated by its owner.
 */
import { parentPort } from 'node:worker_threads';
import { PixelChecker, type PixelWorkerMessage, type PixelWorkerRequest } from './pixel-check.js';

const port = parentPort;
if (!port) throw new Error('pixel-worker.ts runs only as a worker thread');

let checker: PixelChecker | null = null;
port.on('message', (request: PixelWorkerRequest) => {
  const post = (message: PixelWorkerMessage) => port.postMessage(message);
  if ('rule' in request) {
    checker = new PixelChecker(request.rule);
    return;
  }
  if (!checker) return post({ error: 'a chunk came before the rule' });
  checker.check(request.chunk).then(
    (checked) => post(checked),
    (error: unknown) => post({ error: error instanceof Error ? error.message : String(error) }),
  );
});
