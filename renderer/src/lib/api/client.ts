import type {
  ApiError,
  Args,
  ClientMessage,
  Events,
  LookalikeBridge,
  Method,
  Progress,
  Result,
  ServerMessage,
} from '../../../../electron/api/contract.js';

/** A failed call: the server's `ApiError` as a throwable. */
export class ApiCallError extends Error implements ApiError {
  readonly code: ApiError['code'];
  readonly details?: unknown;
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.details = error.details;
  }
}

/** The minimal message pipe a transport provides; the client does the rest. */
export interface Transport {
  send(message: ClientMessage): void;
  onMessage(listener: (message: ServerMessage) => void): void;
  onClose(listener: (reason: string) => void): void;
  close(): void;
}

export interface InvokeOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: ApiCallError): void;
  onProgress?: (progress: Progress) => void;
}

/** Typed calls, cancellation and pushed events over any transport. */
export class ApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly disconnectListeners = new Set<(reason: string) => void>();
  private readonly listeners = new Set<(event: Events) => void>();

  constructor(
    private readonly transport: Transport,
    readonly transportName: 'ipc' | 'websocket',
  ) {
    transport.onMessage((message) => this.receive(message));
    transport.onClose((reason) => {
      for (const l of this.disconnectListeners) l(reason);
      for (const p of this.pending.values())
        p.reject(
          new ApiCallError({
            code: 'IO_ERROR',
            message: `Lost the connection to Lookalike (${reason}). If the server stopped, start it again and open the link it prints.`,
          }),
        );
      this.pending.clear();
    });
  }

  invoke<K extends Method>(method: K, args: Args<K>, options: InvokeOptions = {}): Promise<Result<K>> {
    const id = this.nextId++;
    const { signal } = options;
    if (signal?.aborted)
      return Promise.reject(new ApiCallError({ code: 'CANCELLED', message: 'The operation was cancelled.' }));
    return new Promise<Result<K>>((resolve, reject) => {
      const onAbort = () => this.transport.send({ t: 'cancel', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (result) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result as Result<K>);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
        onProgress: options.onProgress,
      });
      this.transport.send({ t: 'req', id, method, args });
    });
  }

  /** Listen to pushed events; returns the unsubscribe function. */
  on(listener: (event: Events) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when the connection to the app is lost (browser mode: the server stopped or the network dropped). */
  onDisconnect(listener: (reason: string) => void): void {
    this.disconnectListeners.add(listener);
  }

  close(): void {
    this.transport.close();
  }

  private receive(message: ServerMessage): void {
    if (message.t === 'event') {
      const { event } = message;
      if (event.type === 'progress') this.pending.get(event.requestId)?.onProgress?.(event.progress);
      for (const listener of this.listeners) listener(event);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new ApiCallError(message.error));
  }
}

/** Minimal shape of the WebSocket class (the browser's, or `ws` in Node tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(
    type: 'open' | 'close' | 'error' | 'message',
    listener: (event: { data?: unknown; reason?: string }) => void,
  ): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Connect over WebSocket to a `lookalike serve` server. `httpUrl` is the page URL carrying `?token=`. */
export function connectWebSocket(httpUrl: string, WebSocketImpl: WebSocketConstructor): Promise<ApiClient> {
  const page = new URL(httpUrl);
  const token = page.searchParams.get('token') ?? '';
  const wsUrl = `ws://${page.host}/api/ws?token=${encodeURIComponent(token)}`;
  const socket = new WebSocketImpl(wsUrl);
  return new Promise((resolve, reject) => {
    let opened = false;
    const closeListeners: ((reason: string) => void)[] = [];
    const messageListeners: ((message: ServerMessage) => void)[] = [];
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as ServerMessage;
      for (const l of messageListeners) l(message);
    });
    const refused = () => new ApiCallError({ code: 'FORBIDDEN', message: 'Could not connect to the Lookalike server' });
    socket.addEventListener('error', () => {
      if (!opened) reject(refused());
    });
    socket.addEventListener('close', (event) => {
      if (!opened) reject(refused());
      for (const l of closeListeners) l(event.reason || 'closed');
    });
    socket.addEventListener('open', () => {
      opened = true;
      resolve(
        new ApiClient(
          {
            send: (message) => socket.send(JSON.stringify(message)),
            onMessage: (l) => messageListeners.push(l),
            onClose: (l) => closeListeners.push(l),
            close: () => socket.close(),
          },
          'websocket',
        ),
      );
    });
  });
}

/** Connect through the Electron preload bridge. */
export function connectBridge(bridge: LookalikeBridge): ApiClient {
  let unsubscribe: (() => void) | null = null;
  return new ApiClient(
    {
      send: (message) => bridge.send(message),
      onMessage: (listener) => {
        unsubscribe = bridge.on(listener);
      },
      onClose: () => {},
      close: () => unsubscribe?.(),
    },
    'ipc',
  );
}
