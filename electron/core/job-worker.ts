/**
 * The job thread's entry (electron/jobs/job-thread.ts): the app's composition root again, inside a worker thread,
 * with the jobs run here. Its dispatcher serves the main thread over the thread's port with the same wire
 * protocol as the WebSocket: requests, cancellations, progress and events; and asks the main thread to move files
 * to the trash.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ClientMessage } from '../api/contract.js';
import { HostClient, type JobThreadClose } from '../jobs/job-thread.js';
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
// Requests not answered yet: on JobThreadClose the thread waits for them (cancelled just before) to end.
const open = new Set<number>();
let closing = false;
let stopping: Promise<void> | null = null;
function stop(): Promise<void> {
  stopping ??= leave();
  return stopping;
}
async function leave(): Promise<void> {
  // No session of the model runs while this runs (a run holds this thread), and every job has closed what it
  // opened (a scan its encoder thread): closing the model and leaving is safe, where termination is not.
  await app.close();
  process.exit(0);
}
port.on('message', (message: unknown) => {
  if (host.receive(message)) return;
  const m = message as ClientMessage | JobThreadClose;
  if (m.t === 'close') {
    closing = true;
    if (open.size === 0) void stop();
    return;
  }
  if (m.t === 'req') open.add(m.id);
  for (const listener of listeners) listener(message);
});
app.dispatcher.connect({
  send: (message) => {
    port.postMessage(message);
    if (message.t !== 'res') return;
    open.delete(message.id);
    if (closing && open.size === 0) void stop();
  },
  onMessage: (listener) => listeners.push(listener),
  onClose: () => {},
});
