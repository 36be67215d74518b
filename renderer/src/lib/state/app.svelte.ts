import type { AppInfo } from '../../../../electron/api/contract.js';
import { watchSentence } from '../watch.js';
import { ApiCallError, type ApiClient } from '../api/client.js';
import { connect } from '../api/connect.js';

export type View = 'library' | 'duplicates' | 'similar' | 'albums' | 'settings' | 'about';

/** How often a lost connection is retried. */
const RETRY_MS = 2000;

/** A sentence for the user from anything a call threw. */
export function describeError(error: unknown): string {
  if (error instanceof ApiCallError) return error.message;
  return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}

/** Connection and app-level state; components read it and stay presentational. */
export class AppState {
  client = $state<ApiClient | null>(null);
  info = $state<AppInfo | null>(null);
  error = $state<string | null>(null);
  loading = $state(true);
  view = $state<View>('library');
  /** The connection was lost and is being retried (browser mode). */
  disconnected = $state(false);
  /** Bumped whenever the server says the library changed, so views reload what they show. */
  libraryRevision = $state(0);
  /** What the last scan of watched folders did, in a sentence (Settings: watch folders). */
  watchNote = $state<string | null>(null);

  get transport(): string {
    return this.client?.transportName ?? 'none';
  }

  async start(): Promise<void> {
    this.loading = true;
    try {
      this.attach(await connect());
      this.info = await this.client!.invoke('app.info', {});
      this.error = null;
    } catch (error) {
      this.error = error instanceof ApiCallError ? error.message : `Could not reach Lookalike: ${String(error)}`;
    } finally {
      this.loading = false;
    }
  }

  private attach(client: ApiClient): void {
    this.client = client;
    client.on((event) => {
      if (event.type === 'library.changed') this.libraryRevision++;
      if (event.type === 'watch.scanned' || event.type === 'watch.failed' || event.type === 'watch.unwatchable')
        this.watchNote = watchSentence(event);
    });
    client.onDisconnect(() => {
      if (this.client !== client) return;
      this.disconnected = true;
      void this.reconnect();
    });
  }

  /** After a lost connection: try again every RETRY_MS until the server answers, then reload what views show. */
  private async reconnect(): Promise<void> {
    while (this.disconnected) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      try {
        const client = await connect();
        this.attach(client);
        this.disconnected = false;
        this.libraryRevision++;
      } catch {
        // still down: retry
      }
    }
  }

  async refreshInfo(): Promise<void> {
    if (this.client) this.info = await this.client.invoke('app.info', {});
  }
}
