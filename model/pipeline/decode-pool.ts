/**
 * Decoding in worker threads, for the formats whose decoders run in JavaScript or wasm and would
 * otherwise block the event loop (HEIC through wasm libheif ~0.6–1 s per 12-MP photo, BMP through
 * the TS reader ~0.2 s per 12 MP, RAW preview extraction on 20–50 MB files). Formats that libvips
 * decodes need no worker: sharp already runs them on the libuv pool.
 *
 * Workers are started on first use and stopped again after `idleMs` without work, so a library
 * without HEIC never pays for a worker or the ~2 MB wasm bundle, and one with a few does not keep it.
 */
import type { Worker } from 'node:worker_threads';
import { DecodeError, type CatalogDecode, type Fit } from '../image/decode.js';
import { startModuleWorker } from '../module-worker.js';
import type { DecodeErrorCode } from '../image/errors.js';
import type { RawImage } from '../types.js';

/** How a photo is cut into the model input and the thumbnail (one decode feeds both). */
export interface PhotoDecodeSettings {
  modelSize: number;
  modelFit: Fit;
  thumbnailSize: number;
  maxPixels?: number;
}

export type PhotoSource = string | Uint8Array;

export interface WorkerRequest {
  id: number;
  source: PhotoSource;
  settings: PhotoDecodeSettings;
}

export type WorkerResponse =
  | {
      id: number;
      ok: true;
      model: RawImage;
      thumbnail: Uint8Array;
      content: { width: number; height: number };
      trimmed: RawImage | null;
    }
  | { id: number; ok: false; error: { name: string; message: string; code?: DecodeErrorCode; path?: string } };

interface Task {
  request: WorkerRequest;
  resolve: (decoded: CatalogDecode) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  tasks: Map<number, Task>;
}

function reviveError(error: Extract<WorkerResponse, { ok: false }>['error']): Error {
  if (error.name === 'DecodeError' && error.code) {
    // The message already names the path; pass it as data only.
    const revived = new DecodeError(error.code, error.message);
    if (error.path !== undefined) Object.assign(revived, { path: error.path });
    return revived;
  }
  return new Error(error.message);
}

/** A fixed number of decode workers, each taking up to `tasksPerWorker` photos at a time. */
export class DecodeWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly backlog: Task[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly tasksPerWorker = 1,
    private readonly idleMs = 30_000,
  ) {
    if (!(size >= 1)) throw new RangeError(`worker pool size must be at least 1, got ${size}`);
  }

  /** Workers currently running (started lazily, stopped when idle). */
  get running(): number {
    return this.workers.length;
  }

  decode(source: PhotoSource, settings: PhotoDecodeSettings): Promise<CatalogDecode> {
    if (this.closed) return Promise.reject(new Error('the decode worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.backlog.push({ request: { id: this.nextId++, source, settings }, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clearIdleTimer();
    const closing = new Error('the decode worker pool was closed');
    for (const task of this.backlog.splice(0)) task.reject(closing);
    await Promise.all(this.workers.splice(0).map((w) => this.stop(w, closing)));
  }

  private dispatch(): void {
    while (this.backlog.length > 0) {
      let target = this.workers.reduce<PoolWorker | null>(
        (best, w) => (w.tasks.size < this.tasksPerWorker && (!best || w.tasks.size < best.tasks.size) ? w : best),
        null,
      );
      if (!target && this.workers.length < this.size) target = this.spawn();
      if (!target) return;
      const task = this.backlog.shift()!;
      target.tasks.set(task.request.id, task);
      this.clearIdleTimer();
      target.worker.postMessage(task.request);
    }
  }

  private spawn(): PoolWorker {
    const entry: PoolWorker = { worker: startModuleWorker(import.meta.url, 'decode-worker'), tasks: new Map() };
    // A scan must be able to end while an idle worker is still alive.
    entry.worker.unref();
    entry.worker.on('message', (response: WorkerResponse) => {
      const task = entry.tasks.get(response.id);
      if (!task) return;
      entry.tasks.delete(response.id);
      if (response.ok) {
        const { model, thumbnail, content, trimmed } = response;
        task.resolve({
          model,
          thumbnail: Buffer.from(thumbnail.buffer, thumbnail.byteOffset, thumbnail.byteLength),
          content,
          trimmed,
        });
      } else {
        task.reject(reviveError(response.error));
      }
      this.afterTask();
    });
    const fail = (error: Error) => {
      // A crashed worker (e.g. out of memory in wasm) fails only the photos it held; the next task starts a fresh one.
      const index = this.workers.indexOf(entry);
      if (index >= 0) this.workers.splice(index, 1);
      for (const task of entry.tasks.values()) task.reject(error);
      entry.tasks.clear();
      this.afterTask();
    };
    entry.worker.on('error', (error) => fail(new Error(`decode worker failed: ${error.message}`)));
    entry.worker.on('exit', (code) => fail(new Error(`decode worker exited (code ${code})`)));
    this.workers.push(entry);
    return entry;
  }

  private afterTask(): void {
    if (this.closed) return;
    this.dispatch();
    if (this.backlog.length === 0 && this.workers.every((w) => w.tasks.size === 0) && this.workers.length > 0) {
      this.clearIdleTimer();
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        const idle = this.workers.splice(0);
        void Promise.all(idle.map((w) => this.stop(w, new Error('decode worker stopped while idle'))));
      }, this.idleMs);
      this.idleTimer.unref();
    }
  }

  private async stop(entry: PoolWorker, reason: Error): Promise<void> {
    entry.worker.removeAllListeners();
    for (const task of entry.tasks.values()) task.reject(reason);
    entry.tasks.clear();
    await entry.worker.terminate();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
