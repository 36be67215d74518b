/**
 * Worker thread of the pixel check (electron/search/pixels/pixel-check.ts): takes the rule, then chunks of pairs with
 * their thumbnails, and answers each chunk with its verdicts (or `{error}`), in the order they came. It keeps its
 * prepared pictures between chunks (bounded), and is terminated by its owner.
 */
import { parentPort } from 'node:worker_threads';
import { PixelChecker, type PixelWorkerMessage, type PixelWorkerRequest } from './pixel-check.js';

const port = parentPort;
if (!port) throw new Error('pixel-worker.ts runs only as a worker thread');

let checker: PixelChecker | null = null;
/** Chunks are checked one after another and answered in the order they came (the next may wait here). */
let previous: Promise<void> = Promise.resolve();
port.on('message', (request: PixelWorkerRequest) => {
  const post = (message: PixelWorkerMessage) => port.postMessage(message);
  if ('rule' in request) {
    checker = new PixelChecker(request.rule);
    return;
  }
  const current = checker;
  if (!current) return post({ error: 'a chunk came before the rule' });
  previous = previous.then(() =>
    current.check(request.chunk).then(
      (checked) => post(checked),
      (error: unknown) => post({ error: error instanceof Error ? error.message : String(error) }),
    ),
  );
});
