/**
 * Long jobs off the main thread. The process that serves the window (Electron's main process, `lookalike serve`)
 * must answer within a frame or two, while a scan or a duplicate search works for minutes: their handlers run in
 * one worker thread, which serves the same typed API with its own dispatcher (the worker's entry is
 * electron/core/job-worker.ts, a composition root like electron/core/app.ts), and the main thread relays calls to
 * it over the dispatcher's own wire protocol: arguments, progress, cancellation, events and errors (as data) cross
 * exactly as they cross the WebSocket. So a job runs the same code in the worker, in the CLI and in tests.
 *
 * One thread serves every job, started on the first one and kept: its library connection, loaded model and
 * search indexes serve the next job too. Within it, jobs keep the library's one-at-a-time rule (scans and trash
 * actions wait for each other: Library.exclusive); the main thread applies the same rule around the jobs it
 * relays, so a trash action in the main thread never runs beside a scan in the worker. If the thread dies, the
 * jobs in flight fail with a sentence and the next job starts a new thread.
 */
import type { Worker } from 'node:worker_threads';
import type { ClientMessage, Events, Method, ServerMessage } from '../api/contract.js';
import type { HandlerContext, HandlerGroup, HandlerImpl } from '../api/dispatch.js';
import { AppError } from '../api/errors.js';

/** The API methods that run as jobs on the worker thread. */
export const JOB_METHODS = ['scan.run', 'dupes.find'] as const satisfies readonly Method[];
export type JobMethod = (typeof JOB_METHODS)[number];

interface InFlight {
  ctx: HandlerContext;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

export class JobThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly inFlight = new Map<number, InFlight>();

  /**
   * @param start starts the worker (electron/core/job-worker.ts with the library's settings)
   * @param onEvent events the worker pushes that are not a job's progress (`library.changed`): the main thread
   *   passes them on to its clients and drops what it cached of the library
   */
  constructor(
    private readonly start: () => Worker,
    private readonly onEvent: (event: Events) => void,
  ) {}

  /** Handlers for `methods` that run them on the worker thread; `around` wraps each call (the library's rules). */
  handlers(
    methods: readonly JobMethod[],
    around: <T>(method: JobMethod, work: () => Promise<T>) => Promise<T> = (_, work) => work(),
  ): HandlerGroup {
    const group: HandlerGroup = {};
    for (const method of methods) {
      const relay: HandlerImpl<JobMethod> = (args, ctx) => around(method, () => this.call(method, args, ctx) as never);
      (group as Record<string, unknown>)[method] = relay;
    }
    return group;
  }

  /** Runs `method` on the worker thread; progress and cancellation go through `ctx`. */
  call(method: Method, args: unknown, ctx: HandlerContext): Promise<unknown> {
    ctx.signal.throwIfAborted();
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => this.send(worker, { t: 'cancel', id });
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const done = () => ctx.signal.removeEventListener('abort', onAbort);
      this.inFlight.set(id, {
        ctx,
        resolve: (result) => (done(), resolve(result)),
        reject: (error) => (done(), reject(error)),
      });
      // A job in flight keeps the process alive; an idle thread does not (a CLI command ends when its work does).
      worker.ref();
      this.send(worker, { t: 'req', id, method, args });
    });
  }

  /** Stops the thread (jobs in flight fail as cancelled). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new AppError('CANCELLED', 'The operation was cancelled: the app is closing.'));
    await worker?.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = this.start();
    worker.unref();
    worker.on('message', (message: ServerMessage) => this.receive(message));
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(new AppError('INTERNAL', `The job thread stopped (${why}); try again.`));
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private send(worker: Worker, message: ClientMessage): void {
    worker.postMessage(message);
  }

  private receive(message: ServerMessage): void {
    if (message.t === 'event') {
      const event = message.event;
      if (event.type === 'progress') this.inFlight.get(event.requestId)?.ctx.onProgress(event.progress);
      else this.onEvent(event);
      return;
    }
    const call = this.inFlight.get(message.id);
    if (!call) return;
    this.inFlight.delete(message.id);
    if (this.inFlight.size === 0) this.worker?.unref();
    if (message.ok) call.resolve(message.result);
    else call.reject(new AppError(message.error.code, message.error.message, message.error.details));
  }

  private failAll(error: AppError): void {
    const calls = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const call of calls) call.reject(error);
  }
}
