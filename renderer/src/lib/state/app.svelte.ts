import type { AppInfo } from '../../../../electron/api/contract.js';
import { ApiCallError, type ApiClient } from '../api/client.js';
import { connect } from '../api/connect.js';

/** Connection and app-level state; components read it and stay presentational. */
export class AppState {
  client = $state<ApiClient | null>(null);
  info = $state<AppInfo | null>(null);
  error = $state<string | null>(null);
  loading = $state(true);

  get transport(): string {
    return this.client?.transportName ?? 'none';
  }

  async start(): Promise<void> {
    this.loading = true;
    try {
      this.client = await connect();
      this.info = await this.client.invoke('app.info', {});
      this.error = null;
    } catch (error) {
      this.error = error instanceof ApiCallError ? error.message : `Could not reach Lookalike: ${String(error)}`;
    } finally {
      this.loading = false;
    }
  }
}
