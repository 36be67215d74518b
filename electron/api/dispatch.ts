import type { Args, ClientMessage, Events, Method, Progress, Result, ServerMessage } from './contract.js';
import { AppError, toApiError } from './errors.js';
import { isMethod, validateArgs } from './validate.js';

/** What a handler gets besides its arguments. */
export interface HandlerContext {
  signal: AbortSignal;
  onProgress(progress: Progress): void;
  /** Push an event to every connected client (for example `library.changed`). */
  broadcast(event: Events): void;
}

export type HandlerImpl<K extends Method> = (args: Args<K>, ctx: HandlerContext) => Promise<Result<K>> | Result<K>;
/** Requests one connection may have unanswered at once (the app needs a handful; a flood is refused). */
export const MAX_IN_FLIGHT = 64;

/** A group of handlers for one domain; methods not provided by any group answer NOT_IMPLEMENTED. */
export type HandlerGroup = { [K in Method]?: HandlerImpl<K> };

/** Merge per-domain handler groups, refusing two groups that define the same method. */
export function mergeHandlers(...groups: HandlerGroup[]): HandlerGroup {
  const merged: Record<string, unknown> = {};
  for (const group of groups) {
    for (const [name, impl] of Object.entries(group)) {
      if (Object.hasOwn(merged, name)) throw new Error(`Handler "${name}" is defined twice`);
      merged[name] = impl;
    }
  }
  return merged as HandlerGroup;
}

/** The transport-neutral side of a connection: Electron IPC and WebSocket adapters both provide this. */
export interface Channel {
  send(message: ServerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onClose(listener: () => void): void;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

function isClientMessage(value: unknown): value is ClientMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id)) return false;
  return (m.t === 'req' && typeof m.method === 'string') || m.t === 'cancel';
}

export class Dispatcher {
  private readonly channels = new Set<Channel>();

  constructor(private readonly handlers: HandlerGroup) {}

  /** Invoke a handler in-process (CLI, tests) with the same validation and error mapping as remote calls. */
  async call<K extends Method>(method: K, args: unknown, options: CallOptions = {}): Promise<Result<K>> {
    const signal = options.signal ?? new AbortController().signal;
    return this.run(method, args, {
      signal,
      onProgress: options.onProgress ?? (() => {}),
      broadcast: (event) => this.broadcast(event),
    });
  }

  private async run<K extends Method>(method: K | string, args: unknown, ctx: HandlerContext): Promise<Result<K>> {
    if (!isMethod(method)) throw new AppError('UNKNOWN_METHOD', `Unknown method "${method}"`);
    const impl = this.handlers[method] as HandlerImpl<K> | undefined;
    if (!impl) throw new AppError('NOT_IMPLEMENTED', `"${method}" is not implemented yet`);
    const valid = validateArgs(method as K, args);
    ctx.signal.throwIfAborted();
    return impl(valid, ctx);
  }

  /** Push an event to every connected client. */
  broadcast(event: Events): void {
    for (const channel of this.channels) channel.send({ t: 'event', event });
  }

  /** Serve one connection until it closes; in-flight requests are aborted when it does. */
  connect(channel: Channel): void {
    const inFlight = new Map<number, AbortController>();
    this.channels.add(channel);
    channel.onClose(() => {
      this.channels.delete(channel);
      for (const controller of inFlight.values()) controller.abort();
      inFlight.clear();
    });
    channel.onMessage((raw) => {
      if (!isClientMessage(raw)) return; // malformed frames carry no id to answer; drop them
      if (raw.t === 'cancel') {
        inFlight.get(raw.id)?.abort();
        return;
      }
      if (inFlight.has(raw.id)) {
        channel.send({ t: 'res', id: raw.id, ok: false, error: { code: 'BAD_REQUEST', message: 'Duplicate id' } });
        return;
      }
      if (inFlight.size >= MAX_IN_FLIGHT) {
        // A flood of requests on one connection is answered at once, not queued without bound.
        channel.send({
          t: 'res',
          id: raw.id,
          ok: false,
          error: {
            code: 'BAD_REQUEST',
            message: `Too many requests at once (${MAX_IN_FLIGHT}): wait for answers first.`,
          },
        });
        return;
      }
      const controller = new AbortController();
      inFlight.set(raw.id, controller);
      const ctx: HandlerContext = {
        signal: controller.signal,
        onProgress: (progress) => {
          if (!controller.signal.aborted)
            channel.send({ t: 'event', event: { type: 'progress', requestId: raw.id, progress } });
        },
        broadcast: (event) => this.broadcast(event),
      };
      this.run(raw.method, raw.args, ctx)
        .then((result) => {
          // A handler that ignores its signal may still finish; the client was promised CANCELLED.
          if (controller.signal.aborted) throw new AppError('CANCELLED', 'The operation was cancelled.');
          channel.send({ t: 'res', id: raw.id, ok: true, result });
        })
        .catch((error: unknown) => {
          const apiError = controller.signal.aborted
            ? toApiError(new AppError('CANCELLED', 'The operation was cancelled.'))
            : toApiError(error);
          channel.send({ t: 'res', id: raw.id, ok: false, error: apiError });
        })
        .finally(() => inFlight.delete(raw.id));
    });
  }
}
