/**
 * Long jobs off the main thread. The process that serves the window (Electron's main process, `lookalike serve`)
 * must answer within a frame or two, while a scan or a duplicate search works for minutes: their handlers run in
 * one worker thread, which serves the same typed API with its own dispatcher (the worker's entry is
 * electron/core/job-worker.ts, a composition root like electron/core/app.ts), and the main thread relays calls to
 * it over the dispatcher's own wire protocol: arguments, progress, cancellation, events and errors (as data) cross
 * exactly as they cross the WebSocket. So a job runs the same code in the worker, in the CLI and in tests.
 *
 * One thread serves every job, started on the first one and kept: its library connection, loaded model and
 * search indexes serve the next job too. What only the main thread may do (move a file to the OS trash) a job asks
 * of it (`HostCalls`). Within it, jobs keep the library's one-at-a-time rule (scans and trash
 * actions wait for each other: Library.exclusive); the main thread applies the same rule around the jobs it
 * relays, so a trash action in the main thread never runs beside a scan in the worker. If the thread dies, the
 * jobs in flight fail with a sentence and the next job starts a new thread.
 */
import type { Worker } from 'node:worker_threads';
import type { ClientMessage, Events, Method, ServerMessage } from '../api/contract.js';
import type { HandlerContext, HandlerGroup, HandlerImpl } from '../api/dispatch.js';
import { AppError } from '../api/errors.js';

/** The API methods that run as jobs on the worker thread. */
export const JOB_METHODS = [
  'scan.run',
  // It changes the library's photos: run where the jobs' caches (the search's indexes) see it.
  'library.forgetFolder',
  'dupes.find',
  'dupes.trash',
  'dupes.undoTrash',
  'train.run',
  'model.use',
  'model.reset',
] as const satisfies readonly Method[];
export type JobMethod = (typeof JOB_METHODS)[number];

/**
 * What a job asks of the main thread, which alone may do it: moving a file to the OS trash (in Electron,
 * `shell.trashItem` exists only there). The worker sends `host`; the main thread answers `host-res`.
 */
export interface HostCalls {
  trashFile(path: string): Promise<void>;
}
export type HostRequest = { t: 'host'; id: number; call: 'trashFile'; path: string };
export type HostResponse =
  { t: 'host-res'; id: number; ok: true } | { t: 'host-res'; id: number; ok: false; message: string };

/**
 * The main thread's last message to the job thread: stop. The thread lets the jobs in flight (cancelled just before)
 * end, closes the library and the model, and exits by itself. It is not terminated from outside while it works:
 * onnxruntime-node aborts the whole process when a thread is terminated while it runs a session (measured: a
 * `lookalike serve` stopped during a scan died with SIGABRT, "terminate called after throwing an instance of
 * 'Napi::Error'").
 */
export type JobThreadClose = { t: 'close' };

/** How long the job thread may take to stop by itself before it is terminated anyway. */
const CLOSE_GRACE_MS = 20_000;

/** In the worker: calls the main thread's `HostCalls` over `port`; feed it the port's `host-res` messages. */
export class HostClient implements HostCalls {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(): void; reject(error: Error): void }>();

  constructor(private readonly post: (message: HostRequest) => void) {}

  trashFile(path: string): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ t: 'host', id, call: 'trashFile', path });
    });
  }

  /** Takes a message from the main thread; false when it is not an answer to a host call. */
  receive(message: unknown): boolean {
    const m = message as HostResponse;
    if (m?.t !== 'host-res') return false;
    const call = this.pending.get(m.id);
    this.pending.delete(m.id);
    if (m.ok) call?.resolve();
    else call?.reject(new Error(m.message));
    return true;
  }
}

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
    private readonly host?: HostCalls,
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

  /**
   * Stops the thread: the jobs in flight are cancelled (their callers' promises fail as cancelled at once) and the
   * thread is asked to stop (JobThreadClose); it is terminated only if it has not ended after CLOSE_GRACE_MS.
   */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    for (const id of this.inFlight.keys()) this.send(worker, { t: 'cancel', id });
    this.failAll(new AppError('CANCELLED', 'The operation was cancelled: the app is closing.'));
    const exited = new Promise<boolean>((resolve) => worker.once('exit', () => resolve(true)));
    worker.postMessage({ t: 'close' } satisfies JobThreadClose);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS)));
    const ended = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (!ended) await worker.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = this.start();
    worker.unref();
    worker.on('message', (message: ServerMessage | HostRequest) =>
      message.t === 'host' ? this.serveHost(worker, message) : this.receive(message),
    );
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

  /** Does what a job asked of this thread, and answers it. */
  private serveHost(worker: Worker, request: HostRequest): void {
    const answer = (response: HostResponse) => worker.postMessage(response);
    if (!this.host) {
      answer({ t: 'host-res', id: request.id, ok: false, message: 'the main thread offers no trash' });
      return;
    }
    this.host.trashFile(request.path).then(
      () => answer({ t: 'host-res', id: request.id, ok: true }),
      (error: unknown) =>
        answer({
          t: 'host-res',
          id: request.id,
          ok: false,
          message: error instanceof Error ? error.message : String(error),
        }),
    );
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
