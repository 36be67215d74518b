import type { LibraryPhoto } from '../../../../electron/api/contract.js';
import { SvelteMap } from 'svelte/reactivity';
import type { ApiClient } from '../api/client.js';
import { describeError } from './app.svelte.js';

/** Photos fetched at a time as the grid scrolls. */
export const PAGE = 200;

export type LibrarySort = 'name' | 'date' | 'size' | 'folder';

/** The whole library as a grid: fetched a page at a time as it scrolls, in the order chosen; the photo opened. */
export class LibraryState {
  sort = $state<LibrarySort>('name');
  total = $state(0);
  selected = $state<LibraryPhoto | null>(null);
  error = $state<string | null>(null);
  private readonly pages = new SvelteMap<number, LibraryPhoto[]>();
  /**
   * Pages asked for: bookkeeping only, and changed while the grid renders (`photoAt`), where changing reactive
   * state is not allowed, so a plain Set.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly asked = new Set<number>();
  /** Bumped by every reload, so that a page asked for in another order is dropped when it arrives. */
  private generation = 0;

  constructor(private readonly client: () => ApiClient | null) {}

  /** Starts again from the first page (a new order, a changed library). */
  async load(): Promise<void> {
    this.generation++;
    this.pages.clear();
    this.asked.clear();
    await this.fetch(0);
  }

  /** The photo at `index` in the current order, if its page is here (otherwise it is asked for). */
  photoAt(index: number): LibraryPhoto | undefined {
    const page = Math.floor(index / PAGE);
    const photos = this.pages.get(page);
    if (!photos) void this.fetch(page);
    return photos?.[index - page * PAGE];
  }

  private async fetch(page: number): Promise<void> {
    const client = this.client();
    if (!client || this.asked.has(page)) return;
    this.asked.add(page);
    const generation = this.generation;
    try {
      const { total, photos } = await client.invoke('library.photos', {
        offset: page * PAGE,
        limit: PAGE,
        sort: this.sort,
      });
      if (generation !== this.generation) return;
      this.total = total;
      this.pages.set(page, photos);
    } catch (error) {
      this.asked.delete(page);
      this.error = describeError(error);
    }
  }
}
