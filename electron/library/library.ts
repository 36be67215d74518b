/**
 * The library of one database, as the main process holds it: the catalog (opened on first use), its settings,
 * the encoder it scans with, one scan at a time, and a revision bumped by every change of photos or codes.
 */
import { existsSync } from 'node:fs';
import type { LibrarySettings } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { PhotoEncoder } from './analyzer.js';
import { Catalog } from './catalog/catalog.js';
import { HeadStore } from './head-store.js';
import { openSimilarityHead, type SimilarityHead, withSimilarityHead } from './similarity-head.js';
import { type TrashFile, trashWithPackage } from './trash.js';

const SETTINGS_KEY = 'library.settings';
/** The retrained similarity head in use (its version, electron/library/head-store.ts); absent or null: the shipped one. */
const SIMILARITY_HEAD_KEY = 'library.similarityHead';
const DEFAULT_SETTINGS: LibrarySettings = { geometric: true };

/** The library of one database: opened on first use, shared by every handler, closed on shutdown. */
export class Library {
  private catalog: Catalog | null = null;
  private scanning: Promise<unknown> | null = null;
  private revision = 0;
  /** The similarity heads this library was retrained to. */
  readonly heads: HeadStore;

  constructor(
    readonly dbPath: string,
    private readonly loadEncoder: (options: { geometric: boolean }) => Promise<PhotoEncoder>,
    readonly trashFile: TrashFile = trashWithPackage,
  ) {
    this.heads = HeadStore.of(dbPath);
  }

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

  /**
   * Run `work` with a photo encoder (an encode pipeline), closed afterwards. Its similarity codes are the head in
   * use (`similarityHead`), or the one `head` names: a version kept in `heads`, or null for the shipped one.
   */
  async withEncoder<T>(work: (encoder: PhotoEncoder) => Promise<T>, head?: string | null): Promise<T> {
    const version = head === undefined ? this.similarityHead() : head;
    const base = await this.loadEncoder({ geometric: this.settings().geometric });
    let encoder = base;
    try {
      if (version !== null) encoder = withSimilarityHead(base, await this.openHead(version, base.backboneVersion));
    } catch (error) {
      await base.close();
      throw error;
    }
    try {
      return await work(encoder);
    } finally {
      await encoder.close();
    }
  }

  /** The version of the retrained similarity head in use, or null for the shipped head. */
  similarityHead(): string | null {
    return this.get().settings.get<string | null>(SIMILARITY_HEAD_KEY) ?? null;
  }

  /**
   * Records `version` (null: the shipped head) as the similarity head in use. Call it inside the transaction that
   * writes the codes it made, so that no search sees one without the other.
   */
  recordSimilarityHead(version: string | null): void {
    this.get().settings.set(SIMILARITY_HEAD_KEY, version);
  }

  /** Run `work` with the retrained similarity head in use (null: the shipped one is), released afterwards. */
  async withSimilarityHead<T>(backboneVersion: string | null, work: (head: SimilarityHead | null) => Promise<T>) {
    const version = this.similarityHead();
    if (version === null) return work(null);
    const head = await this.openHead(version, backboneVersion);
    try {
      return await work(head);
    } finally {
      await head.release();
    }
  }

  private async openHead(version: string, backboneVersion: string | null): Promise<SimilarityHead> {
    let loaded;
    try {
      loaded = this.heads.load(version);
    } catch (error) {
      throw new AppError(
        'MODEL_ERROR',
        `The similarity head ${version} cannot be read (${(error as Error).message}); \`lookalike model reset\` goes back to the shipped one.`,
      );
    }
    if (loaded.record.backboneVersion !== backboneVersion)
      throw new AppError(
        'MODEL_ERROR',
        `The similarity head ${version} was trained for another backbone than the model's; retrain it, or go back to the shipped one with \`lookalike model reset\`.`,
      );
    return openSimilarityHead(loaded.onnx, version, loaded.record.bits);
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

  /**
   * The file of a library photo that is on disk now (what the desktop app opens or shows in its folder); refused
   * in a sentence for a photo the library does not have or whose file is gone.
   */
  photoFile(id: number): string {
    const photo = this.get().photoById(id);
    if (!photo) throw new AppError('NOT_FOUND', 'That photo is not in the library.');
    if (photo.status === 'gone' || !existsSync(photo.path))
      throw new AppError('NOT_FOUND', `${photo.path} is no longer there: scan its folder again.`, { path: photo.path });
    return photo.path;
  }

  close(): void {
    this.catalog?.close();
    this.catalog = null;
  }
}
