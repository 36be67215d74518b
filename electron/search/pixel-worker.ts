/**
 * Worker thread of the pixel check (electron/search/pixel-check.ts): takes one `PixelJob`, reports progress as
 * `{done, more}` (the verdicts made since the last message), answers `{verdicts}` (or `{error}`), and is
 * terminated by its owner.
 */
import { parentPort } from 'node:worker_threads';
import { checkPixelPairs, type PixelJob, type PixelVerdict, type PixelWorkerMessage } from './pixel-check.js';

const port = parentPort;
if (!port) throw new Error('pixel-worker.ts runs only as a worker thread');

port.once('message', (job: PixelJob) => {
  const post = (message: PixelWorkerMessage) => port.postMessage(message);
  let sent = 0;
  const onProgress = (done: number, verdicts: readonly PixelVerdict[]) => {
    post({ done, more: verdicts.slice(sent) });
    sent = verdicts.length;
  };
  checkPixelPairs(job, { onProgress }).then(
    (verdicts) => post({ verdicts }),
    (error: unknown) => post({ error: error instanceof Error ? error.message : String(error) }),
  );
});
