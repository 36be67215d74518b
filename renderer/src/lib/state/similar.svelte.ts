import type { Result } from '../../../../electron/api/contract.js';
import type { ApiClient } from '../api/client.js';
import { describeError } from './app.svelte.js';

/** "Find similar": a query image (path) and its nearest photos. */
export class SimilarState {
  query = $state('');
  results = $state<Result<'similar.find'>['results']>([]);
  loading = $state(false);
  error = $state<string | null>(null);

  constructor(private readonly client: () => ApiClient | null) {}

  async find(path?: string): Promise<void> {
    const client = this.client();
    if (path !== undefined) this.query = path;
    if (!client || !this.query.trim()) return;
    this.loading = true;
    this.error = null;
    try {
      this.results = (await client.invoke('similar.find', { path: this.query.trim(), limit: 24 })).results;
    } catch (error) {
      this.error = describeError(error);
      this.results = [];
    } finally {
      this.loading = false;
    }
  }
}
