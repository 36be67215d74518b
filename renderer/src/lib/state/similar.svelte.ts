import type { Result } from '../../../../electron/api/contract.js';
import type { ApiClient } from '../api/client.js';
import { describeError } from './app.svelte.js';
import { LatestRequest } from './latest.js';

/** "Find similar": a query image (path) and its nearest photos. */
export class SimilarState {
  query = $state('');
  /** How many photos to show. */
  limit = $state(24);
  /** The query as last searched: its library id (for its thumbnail) and path. */
  shown = $state<Result<'similar.find'>['query'] | null>(null);
  results = $state<Result<'similar.find'>['results']>([]);
  loading = $state(false);
  error = $state<string | null>(null);

  /** The library's albums (to add results to), the one chosen, and what the last addition did. */
  albums = $state<string[]>([]);
  album = $state('');
  added = $state<string | null>(null);

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
      const { query, results } = await client.invoke(
        'similar.find',
        { path: this.query.trim(), limit: this.limit },
        { signal: search.signal },
      );
      if (search.isLatest()) {
        this.shown = query;
        this.results = results;
        this.added = null;
        this.albums = (await client.invoke('album.list', {})).albums.map((a) => a.name);
        if (!this.albums.includes(this.album)) this.album = this.albums[0] ?? '';
      }
    } catch (error) {
      if (search.isLatest()) {
        this.error = describeError(error);
        this.shown = null;
        this.results = [];
      }
    } finally {
      if (search.finish()) this.loading = false;
    }
  }

  /** Adds the photos found (not the query) to the chosen album. */
  async addToAlbum(): Promise<void> {
    const client = this.client();
    if (!client || !this.album || !this.results.length) return;
    try {
      const { album, added } = await client.invoke('album.add', {
        name: this.album,
        paths: this.results.map((r) => r.path),
      });
      this.added = `Added ${added} photo${added === 1 ? '' : 's'} to “${album.name}” (now ${album.count}).`;
    } catch (error) {
      this.error = describeError(error);
    }
  }
}
