import type { LibraryFolder, Progress, ScanSummary } from '../../../../electron/api/contract.js';
import type { ApiClient } from '../api/client.js';
import { describeError } from './app.svelte.js';
import { RateEstimate } from './progress.js';

/** Scanning folders: progress, cancellation and the last summary. */
export class ScanState {
  folder = $state('');
  running = $state(false);
  progress = $state<Progress | null>(null);
  /** The current phase's speed and time left (null until there is enough to tell). */
  rate = $state<{ perSecond: number; secondsLeft: number } | null>(null);
  summary = $state<ScanSummary | null>(null);
  error = $state<string | null>(null);
  /** The library's folders, with their photos. */
  folders = $state<LibraryFolder[]>([]);
  /** The folder asked about before it is forgotten. */
  forgetting = $state<string | null>(null);
  message = $state<string | null>(null);
  /** Folders completing the one typed (browser mode). */
  completions = $state<string[]>([]);
  private completing = 0;
  private controller: AbortController | null = null;

  constructor(private readonly client: () => ApiClient | null) {}

  async scan(): Promise<void> {
    const client = this.client();
    const folder = this.folder.trim();
    if (!client || !folder || this.running) return;
    this.running = true;
    this.error = null;
    this.summary = null;
    this.controller = new AbortController();
    const estimate = new RateEstimate();
    try {
      this.summary = await client.invoke(
        'scan.run',
        { folders: [folder] },
        {
          signal: this.controller.signal,
          onProgress: (p) => {
            this.progress = p;
            this.rate = estimate.update(p, performance.now());
          },
        },
      );
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.running = false;
      this.progress = null;
      this.rate = null;
      this.controller = null;
    }
  }

  /** Desktop app only: let the OS folder picker fill in the folder. */
  async browse(): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      const { path } = await client.invoke('app.pickFolder', {});
      if (path) this.folder = path;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  cancel(): void {
    this.controller?.abort();
  }

  async loadFolders(): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.folders = (await client.invoke('library.folders', {})).folders;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Forgets the folder asked about (`forgetting`): its photos leave the library, the files stay. */
  async forget(): Promise<void> {
    const client = this.client();
    const folder = this.forgetting;
    if (!client || !folder) return;
    try {
      this.error = null;
      const { photos } = await client.invoke('library.forgetFolder', { path: folder });
      this.message = `${folder} left the library with its ${photos} photo${photos === 1 ? '' : 's'}; the files are where they were.`;
      this.forgetting = null;
      await this.loadFolders();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Folders that complete what is typed (the latest answer wins). */
  async complete(): Promise<void> {
    const client = this.client();
    const prefix = this.folder;
    if (!client || !prefix.trim()) {
      this.completions = [];
      return;
    }
    const ask = ++this.completing;
    try {
      const { folders } = await client.invoke('library.completeFolder', { prefix });
      if (ask === this.completing) this.completions = folders;
    } catch {
      // completion is a help: a failure shows none
    }
  }
}
