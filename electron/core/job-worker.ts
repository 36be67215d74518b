/**
 * The job thread's entry (electron/jobs/job-thread.ts): the app's composition root again, inside a worker thread,
 * with the jobs run here. Its dispatcher serves the main thread over the thread's port with the same wire
 * protocol as the WebSocket: requests, cancellations, progress and events; and asks the main thread to move files
 * to the trash.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HostClient } from '../jobs/job-thread.js';
import { createApp } from './app.js';

export interface JobWorkerData {
  dbPath: string;
}

const port = parentPort!;
const { dbPath } = workerData as JobWorkerData;
// Files go to the OS trash through the main thread (in Electron, only it has shell.trashItem).
const host = new HostClient((message) => port.postMessage(message));
const app = createApp({ dbPath, jobs: 'here', trashFile: (file) => host.trashFile(file) });
const listeners: ((message: unknown) => void)[] = [];
port.on('message', (message: unknown) => {
  if (host.receive(message)) return;
  for (const listener of listeners) listener(message);
});
app.dispatcher.connect({
  send: (message) => port.postMessage(message),
  onMessage: (listener) => listeners.push(listener),
  onClose: () => {},
});
