/**
 * The library of one database, as the main process holds it: the catalog (opened on first use), its settings,
 * the encoder it scans with, one scan at a time, and a revision bumped by every change of photos or codes.
 */
import type { LibrarySettings } from '../api/contract.js';
import type { PhotoEncoder } from './analyzer.js';
import { Catalog } from './catalog/catalog.js';
import { type TrashFile, trashWithPackage } from './trash.js';

const SETTINGS_KEY = 'library.settings';
const DEFAULT_SETTINGS: LibrarySettings = { geometric: true };

/** The library of one database: opened on first use, shared by every handler, closed on shutdown. */
export class Library {
  private catalog: Catalog | null = null;
  private scanning: Promise<unknown> | null = null;
  private revision = 0;

  constructor(
    readonly dbPath: string,
    private readonly loadEncoder: (options: { geometric: boolean }) => Promise<PhotoEncoder>,
    readonly trashFile: TrashFile = trashWithPackage,
  ) {}

  /** Note that photos or codes changed, so caches built from them (the search's indexes) are rebuilt on next use. */
  touch(): void {
    this.revision++;
  }

  /** Bumped by every change of photos or codes (`touch`). */
  get changes(): number {
    return this.revision;
  }

  get(): Catalog {
    this.catalog ??= Catalog.open(this.dbPath);
    return this.catalog;
  }

  /** Run `work` with a photo encoder (an encode pipeline), closed afterwards. */
  async withEncoder<T>(work: (encoder: PhotoEncoder) => Promise<T>): Promise<T> {
    const encoder = await this.loadEncoder({ geometric: this.settings().geometric });
    try {
      return await work(encoder);
    } finally {
      await encoder.close();
    }
  }

  settings(): LibrarySettings {
    const stored = this.get().settings.get<Partial<LibrarySettings>>(SETTINGS_KEY) ?? {};
    return { ...DEFAULT_SETTINGS, ...stored };
  }

  updateSettings(change: Partial<LibrarySettings>): LibrarySettings {
    const next = { ...this.settings(), ...change };
    const catalog = this.get();
    catalog.transaction(() => catalog.settings.set(SETTINGS_KEY, next));
    return next;
  }

  /** One scan at a time per library: a second request waits for the first instead of racing it. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.scanning) await this.scanning.catch(() => {});
    const running = work();
    this.scanning = running;
    try {
      return await running;
    } finally {
      this.scanning = null;
    }
  }

  close(): void {
    this.catalog?.close();
    this.catalog = null;
  }
}
