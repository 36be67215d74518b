import type { AlbumSummary, LibraryPhoto } from '../../../../electron/api/contract.js';
import { SvelteMap } from 'svelte/reactivity';
import { rangeChoice } from '../selection.js';
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

  /** Photos chosen for an action (ctrl- or shift-click), by id: their paths. */
  readonly chosen = new SvelteMap<number, string>();
  /** Where the last plain or ctrl-click was (the start of a shift-click range). */
  private anchor: number | null = null;
  /** The albums, for "Add to album" (asked for when photos are chosen). */
  albums = $state<AlbumSummary[]>([]);
  message = $state<string | null>(null);
  /** Files that could not be read (the errors panel), and how many there are. */
  failed = $state<{ total: number; files: { id: number; path: string; reason: string }[] }>({ total: 0, files: [] });

  constructor(private readonly client: () => ApiClient | null) {}

  /** Starts again from the first page (a new order, a changed library). */
  async load(): Promise<void> {
    this.generation++;
    this.pages.clear();
    this.asked.clear();
    await Promise.all([this.fetch(0), this.loadFailed()]);
  }

  private async loadFailed(): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.failed = await client.invoke('library.failed', { offset: 0, limit: 500 });
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /**
   * A click on the photo at `index`: alone, it opens the photo (and chooses nothing); with ctrl (⌘) it is chosen or
   * not; with shift, every photo from the last click to it is chosen (those whose page is here).
   */
  click(index: number, photo: LibraryPhoto, keys: { ctrl: boolean; shift: boolean }): void {
    if (keys.shift && this.anchor !== null) {
      for (const i of rangeChoice(this.anchor, index)) {
        const p = this.photoAt(i);
        if (p) this.chosen.set(p.id, p.path);
      }
    } else if (keys.ctrl) {
      if (!this.chosen.delete(photo.id)) this.chosen.set(photo.id, photo.path);
      this.anchor = index;
    } else {
      this.selected = photo;
      this.anchor = index;
    }
    if (this.chosen.size && !this.albums.length) void this.loadAlbums();
  }

  /** What was chosen when a rubber-band drag began (kept when it began with ctrl or shift), while it lasts. */
  private bandBase: [number, string][] | null = null;

  /** A rubber-band drag begins: it adds to the photos chosen (`keep`) or chooses afresh. */
  startBand(keep: boolean): void {
    this.bandBase = keep ? [...this.chosen] : [];
  }

  /** The drag now covers the photos at `indices`: they are chosen, with those chosen before it when kept. */
  chooseBand(indices: readonly number[]): void {
    if (!this.bandBase) return;
    this.chosen.clear();
    for (const [id, path] of this.bandBase) this.chosen.set(id, path);
    for (const i of indices) {
      const p = this.photoAt(i);
      if (p) this.chosen.set(p.id, p.path);
    }
  }

  endBand(): void {
    this.bandBase = null;
    if (this.chosen.size && !this.albums.length) void this.loadAlbums();
  }

  clearChosen(): void {
    this.chosen.clear();
    this.message = null;
  }

  private async loadAlbums(): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.albums = (await client.invoke('album.list', {})).albums;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Desktop app: opens the photo in the OS viewer, or shows it in its folder. */
  async show(id: number, reveal: boolean): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.error = null;
      await client.invoke('app.showPhoto', { id, reveal });
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Adds the chosen photos to the album `name`. */
  async addChosenTo(name: string): Promise<void> {
    const client = this.client();
    if (!client || !this.chosen.size) return;
    try {
      const { added, album } = await client.invoke('album.add', { name, paths: [...this.chosen.values()] });
      this.message = `Added ${added} photo${added === 1 ? '' : 's'} to "${album.name}" (now ${album.count}).`;
      this.chosen.clear();
    } catch (error) {
      this.error = describeError(error);
    }
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
