import type {
  AlbumSummary,
  Progress,
  Result,
  SimilarityHeadSummary,
  TrainResult,
} from '../../../../electron/api/contract.js';
import type { ApiClient } from '../api/client.js';
import { describeError } from './app.svelte.js';

/**
 * Albums and retraining the similarity head on them: the albums and one album's photos; a retrain with its
 * progress and its before → after on the albums' held-out photos; the similarity heads, and switching between them.
 */
export class AlbumsState {
  albums = $state<AlbumSummary[]>([]);
  selected = $state<string | null>(null);
  photos = $state<Result<'album.show'>['photos']>([]);
  heads = $state<SimilarityHeadSummary[]>([]);
  /** What the user typed: a new album's name, photos to add (one full path a line). */
  newName = $state('');
  toAdd = $state('');
  error = $state<string | null>(null);
  /** A retrain running (its last progress), its result, or what went wrong. */
  training = $state(false);
  trainProgress = $state<Progress | null>(null);
  trained = $state<TrainResult | null>(null);
  trainError = $state<string | null>(null);
  /** A switch of head running. */
  switching = $state(false);
  private controller: AbortController | null = null;
  /** Loads started: only the latest one's answers are shown. */
  private loads = 0;

  constructor(private readonly client: () => ApiClient | null) {}

  /** The head in use (the shipped one when none is marked). */
  get inUse(): SimilarityHeadSummary | undefined {
    return this.heads.find((h) => h.inUse);
  }

  /**
   * Reloads what the view shows (an error the last action left stays shown). Loads overlap (opening the view, then
   * an action's own reload): the answers of one that a later load overtook are dropped, so a list asked for before an
   * album was created cannot take the new album's selection away.
   */
  async load(): Promise<void> {
    const load = ++this.loads;
    const latest = () => load === this.loads;
    await this.call(async (client) => {
      const [{ albums }, { heads }] = await Promise.all([
        client.invoke('album.list', {}),
        client.invoke('model.list', {}),
      ]);
      if (!latest()) return;
      this.albums = albums;
      this.heads = heads;
      if (this.selected && !albums.some((a) => a.name === this.selected)) this.selected = null;
      const name = this.selected;
      if (!name) return;
      const { photos } = await client.invoke('album.show', { name });
      if (latest() && this.selected === name) this.photos = photos;
    }, false);
  }

  async show(name: string): Promise<void> {
    await this.call(async (client) => {
      const { photos } = await client.invoke('album.show', { name });
      this.selected = name;
      this.photos = photos;
    });
  }

  async create(): Promise<void> {
    const name = this.newName.trim();
    if (!name) return;
    await this.call(async (client) => {
      await client.invoke('album.create', { name });
      this.newName = '';
      this.selected = name;
    });
    await this.load();
  }

  async remove(name: string): Promise<void> {
    await this.call((client) => client.invoke('album.delete', { name }));
    await this.load();
  }

  /** Adds the photos typed in `toAdd` (full paths, one a line) to the selected album. */
  async addTyped(): Promise<void> {
    const paths = this.toAdd
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean);
    if (!this.selected || !paths.length) return;
    const name = this.selected;
    await this.call(async (client) => {
      await client.invoke('album.add', { name, paths });
      this.toAdd = '';
    });
    await this.load();
  }

  async takeOut(path: string): Promise<void> {
    if (!this.selected) return;
    const name = this.selected;
    await this.call((client) => client.invoke('album.remove', { name, paths: [path] }));
    await this.load();
  }

  /** Retrains the similarity head on every album; the new head is kept, not used, until the user says so. */
  async train(): Promise<void> {
    const client = this.client();
    if (!client || this.training) return;
    this.training = true;
    this.trained = null;
    this.trainError = null;
    this.controller = new AbortController();
    try {
      this.trained = await client.invoke(
        'train.run',
        {},
        { signal: this.controller.signal, onProgress: (p) => (this.trainProgress = p) },
      );
    } catch (error) {
      this.trainError = describeError(error);
    } finally {
      this.training = false;
      this.trainProgress = null;
      this.controller = null;
    }
    await this.load();
  }

  cancelTraining(): void {
    this.controller?.abort();
  }

  /** Switches to a kept head (null: back to the shipped one). */
  async use(version: string | null): Promise<void> {
    if (this.switching) return;
    this.switching = true;
    await this.call((client) =>
      version === null ? client.invoke('model.reset', {}) : client.invoke('model.use', { version }),
    );
    this.switching = false;
    await this.load();
  }

  /** Runs `work`, showing what went wrong as a sentence; a user's action first clears the last error. */
  private async call(work: (client: ApiClient) => Promise<unknown>, action = true): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      if (action) this.error = null;
      await work(client);
    } catch (error) {
      this.error = describeError(error);
    }
  }
}
