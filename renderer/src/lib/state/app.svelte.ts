import type { AppInfo } from '../../../../electron/api/contract.js';
import { ApiCallError, type ApiClient } from '../api/client.js';
import { connect } from '../api/connect.js';

export type View = 'library' | 'duplicates' | 'similar' | 'about';

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
  /** Bumped whenever the server says the library changed, so views reload what they show. */
  libraryRevision = $state(0);

  get transport(): string {
    return this.client?.transportName ?? 'none';
  }

  async start(): Promise<void> {
    this.loading = true;
    try {
      this.client = await connect();
      this.client.on((event) => {
        if (event.type === 'library.changed') this.libraryRevision++;
      });
      this.info = await this.client.invoke('app.info', {});
      this.error = null;
    } catch (error) {
      this.error = error instanceof ApiCallError ? error.message : `Could not reach Lookalike: ${String(error)}`;
    } finally {
      this.loading = false;
    }
  }

  async refreshInfo(): Promise<void> {
    if (this.client) this.info = await this.client.invoke('app.info', {});
  }
}
