/**
 * The library of one database, as the main process holds it: the catalog (opened on first use), its settings,
 * the encoder it scans with, one scan at a time, and a revision bumped by every change of photos or codes.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { LibrarySettings, Progress } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { PhotoEncoder } from './analyzer.js';
import { Catalog } from './catalog/catalog.js';
import { type JobName, type LockHolder, thisMachine } from './catalog/lock.js';
import { HeadStore } from './head-store.js';
import { openSimilarityHead, type SimilarityHead, withSimilarityHead } from './similarity-head.js';
import { type TrashFile, trashWithPackage } from './trash.js';

const SETTINGS_KEY = 'library.settings';
/** The retrained similarity head in use (its version, electron/library/head-store.ts); absent or null: the shipped one. */
const SIMILARITY_HEAD_KEY = 'library.similarityHead';
const DEFAULT_SETTINGS: LibrarySettings = {
  geometric: true,
  preset: 'close',
  keepRule: { kind: 'best-quality' },
  watch: false,
};

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

  /**
   * A library job (a scan, a trash action or its undo, a retrain, a switch of the similarity head): one at a time
   * in this process (`exclusive`), and across processes by the library's lock (catalog/lock.ts). While another
   * Lookalike (a window, the command line) runs one, this waits, telling `onWait` once in a sentence what it waits
   * for, and checks again every LOCK_POLL_MS; it stops waiting when `signal` aborts.
   */
  async job<T>(
    what: JobName,
    options: { signal?: AbortSignal; onWait?: (sentence: string) => void },
    work: () => Promise<T>,
  ): Promise<T> {
    return this.exclusive(async () => {
      const catalog = this.get();
      const me: LockHolder = {
        pid: process.pid,
        host: thisMachine(),
        token: randomUUID(),
        what,
        startedAt: new Date().toISOString(),
      };
      let told: string | null = null;
      for (;;) {
        options.signal?.throwIfAborted();
        const holder = catalog.lock.tryTake({ ...me, startedAt: new Date().toISOString() });
        if (!holder) break;
        if (holder.token !== told) {
          told = holder.token;
          options.onWait?.(busySentence(holder, me.host));
        }
        await abortableDelay(LOCK_POLL_MS, options.signal);
      }
      try {
        return await work();
      } finally {
        catalog.lock.release(me.token);
      }
    });
  }

  /** One job at a time in this process: a second request waits for the first instead of racing it. */
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

/** `Library.job`'s options for a handler: its signal, and the wait told as progress. */
export function jobOptions(signal: AbortSignal, onProgress: (progress: Progress) => void) {
  return { signal, onWait: (message: string) => onProgress({ phase: 'wait', done: 0, total: 1, message }) };
}

/** How often a job waiting for another process's job checks the lock again. */
const LOCK_POLL_MS = 500;

const JOB_WORDS: Record<JobName, string> = {
  scan: 'a scan',
  trash: 'a move to the trash',
  undo: 'an undo of the trash',
  retrain: 'a retrain on your albums',
  model: 'a switch of the similarity model',
  forget: 'the removal of a folder from the library',
};

/** "The library is busy with a scan started at 14:02:11 by another Lookalike (process 4242): …" */
export function busySentence(holder: LockHolder, host: string): string {
  const at = new Date(holder.startedAt).toLocaleTimeString();
  const where = holder.host === host ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
  return `The library is busy with ${JOB_WORDS[holder.what] ?? 'another job'} started at ${at} by another Lookalike (${where}): waiting for it to finish.`;
}

function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
