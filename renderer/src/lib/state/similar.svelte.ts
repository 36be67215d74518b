import type { Result } from '../../../../electron/api/contract.js';
import type { ApiClient } from '../api/client.js';
import { imageFileAsJpeg } from '../image-file.js';
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

  /** A photo is being dragged over the view (shown as a place to drop it). */
  dragOver = $state(false);
  /** An image given by its bytes (dropped or picked), while it is the query: its name, JPEG data and a page URL. */
  dropped = $state<{ name: string; data: string; url: string } | null>(null);

  /** Finds the photos nearest the query (a path, or the dropped image); a newer search cancels this one. */
  async find(path?: string): Promise<void> {
    if (path !== undefined) {
      this.query = path;
      this.forgetDropped();
    }
    const dropped = this.dropped;
    if (dropped) {
      await this.run((client, signal) =>
        client.invoke('similar.findImage', { name: dropped.name, data: dropped.data, limit: this.limit }, { signal }),
      );
    } else if (this.query.trim()) {
      const query = this.query.trim();
      await this.run((client, signal) => client.invoke('similar.find', { path: query, limit: this.limit }, { signal }));
    }
  }

  /** Photos like an image file dropped on the page or picked (the page sees its bytes, not its path). */
  async findFile(file: File): Promise<void> {
    let data: string;
    try {
      data = await imageFileAsJpeg(file);
    } catch (error) {
      this.error = describeError(error);
      return;
    }
    this.forgetDropped();
    this.query = '';
    this.dropped = { name: file.name, data, url: URL.createObjectURL(file) };
    await this.find();
  }

  private forgetDropped(): void {
    if (this.dropped) URL.revokeObjectURL(this.dropped.url);
    this.dropped = null;
  }

  private async run(call: (client: ApiClient, signal: AbortSignal) => Promise<Result<'similar.find'>>): Promise<void> {
    const client = this.client();
    if (!client) return;
    const search = this.searches.start();
    this.loading = true;
    this.error = null;
    try {
      const { query, results } = await call(client, search.signal);
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
