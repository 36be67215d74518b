import type { Result } from '../../../../electron/api/contract.js';
import type { ApiClient } from '../api/client.js';
import { describeError } from './app.svelte.js';
import { LatestRequest } from './latest.js';

/** "Find similar": a query image (path) and its nearest photos. */
export class SimilarState {
  query = $state('');
  results = $state<Result<'similar.find'>['results']>([]);
  loading = $state(false);
  error = $state<string | null>(null);

  private readonly searches = new LatestRequest();

  constructor(private readonly client: () => ApiClient | null) {}

  /** Finds the photos nearest the query; a newer search cancels this one, and only the latest is shown. */
  async find(path?: string): Promise<void> {
    const client = this.client();
    if (path !== undefined) this.query = path;
    if (!client || !this.query.trim()) return;
    const search = this.searches.start();
    this.loading = true;
    this.error = null;
    try {
      const { results } = await client.invoke(
        'similar.find',
        { path: this.query.trim(), limit: 24 },
        { signal: search.signal },
      );
      if (search.isLatest()) this.results = results;
    } catch (error) {
      if (search.isLatest()) {
        this.error = describeError(error);
        this.results = [];
      }
    } finally {
      if (search.finish()) this.loading = false;
    }
  }
}
