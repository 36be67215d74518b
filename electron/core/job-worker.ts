/**
 * The job thread's entry (electron/jobs/job-thread.ts): the app's composition root again, inside a worker thread,
 * with the jobs run here. Its dispatcher serves the main thread over the thread's port with the same wire
 * protocol as the WebSocket: requests, cancellations, progress and events.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createApp } from './app.js';

export interface JobWorkerData {
  dbPath: string;
}

const port = parentPort!;
const { dbPath } = workerData as JobWorkerData;
const app = createApp({ dbPath, jobs: 'here' });
const listeners: ((message: unknown) => void)[] = [];
port.on('message', (message: unknown) => {
  for (const listener of listeners) listener(message);
});
app.dispatcher.connect({
  send: (message) => port.postMessage(message),
  onMessage: (listener) => listeners.push(listener),
  onClose: () => {},
});
