import type { LibrarySettings } from '../api/contract.js';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HandlerGroup } from '../api/dispatch.js';
import { AppError } from '../api/errors.js';
import { SUPPORTED_EXTENSIONS } from '../../model/image.js';
import { createAnalyzer, type PhotoEncoder } from './analyzer.js';
import { Catalog } from './catalog.js';
import { scanFolders } from './scanner.js';
import type { CalibratedPresets } from '../search/presets.js';
import { SearchService } from '../search/service.js';
import { type TrashFile, trashWithPackage } from './trash.js';

const SETTINGS_KEY = 'library.settings';
const DEFAULT_SETTINGS: LibrarySettings = { geometric: true };

/** The library of one database: opened on first use, shared by every handler, closed on shutdown. */
export class Library {
  private catalog: Catalog | null = null;
  private scanning: Promise<unknown> | null = null;
  private revision = 0;
  readonly search: SearchService;

  constructor(
    readonly dbPath: string,
    private readonly loadEncoder: (options: { geometric: boolean }) => Promise<PhotoEncoder>,
    readonly trashFile: TrashFile = trashWithPackage,
    presetRules: () => CalibratedPresets | undefined = () => undefined,
  ) {
    this.search = new SearchService(
      () => this.get(),
      () => this.revision,
      presetRules,
    );
  }

  /** Note that photos or codes changed, so cached indexes are rebuilt on next use. */
  touch(): void {
    this.revision++;
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
    const stored = this.get().getSetting<Partial<LibrarySettings>>(SETTINGS_KEY) ?? {};
    return { ...DEFAULT_SETTINGS, ...stored };
  }

  updateSettings(change: Partial<LibrarySettings>): LibrarySettings {
    const next = { ...this.settings(), ...change };
    const catalog = this.get();
    catalog.transaction(() => catalog.setSetting(SETTINGS_KEY, next));
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

export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(SUPPORTED_EXTENSIONS);

/** `scan.*` and `album.*`. */
export function libraryHandlers(library: Library): HandlerGroup {
  return {
    'scan.run': async ({ folders }, { signal, onProgress, broadcast }) => {
      await checkScanFolders(folders);
      return library.exclusive(() =>
        library.withEncoder(async (encoder) => {
          try {
            return await scanFolders(library.get(), folders, {
              extensions: IMAGE_EXTENSIONS,
              analyzer: createAnalyzer(encoder),
              encoder,
              concurrency: encoder.capacity,
              signal,
              onProgress,
            });
          } finally {
            library.touch();
            broadcast({ type: 'library.changed', reason: 'scan' });
          }
        }),
      );
    },
    'album.list': () => ({ albums: library.get().albums() }),
    'settings.get': () => library.settings(),
    'settings.set': (change) => library.updateSettings(change),
  };
}

/**
 * Refuses a scan up front, with one sentence, when a folder is not a full path, does not exist, is a file or
 * cannot be opened: nothing is scanned and the library is unchanged. (A relative path would be resolved
 * against the server's working folder, not where the user is: front ends resolve it first, the CLI against
 * the shell's folder.)
 */
export async function checkScanFolders(folders: readonly string[]): Promise<void> {
  for (const folder of folders) {
    if (!path.isAbsolute(folder)) {
      throw new AppError('BAD_REQUEST', `"${folder}" is not a full path: give the folder's full path.`, { folder });
    }
    const info = await stat(folder).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      if (info.code === 'ENOENT' || info.code === 'ENOTDIR') {
        throw new AppError('NOT_FOUND', `${folder} does not exist.`, { folder });
      }
      throw new AppError('IO_ERROR', `${folder} cannot be opened (${info.code ?? info.message}).`, { folder });
    }
    if (!info.isDirectory()) throw new AppError('NOT_FOUND', `${folder} is a file, not a folder.`, { folder });
    const opened = await readdir(folder).catch((error: NodeJS.ErrnoException) => error);
    if (opened instanceof Error) {
      const why = opened.code === 'EACCES' || opened.code === 'EPERM' ? 'permission denied' : opened.code;
      throw new AppError('IO_ERROR', `${folder} cannot be opened (${why}).`, { folder });
    }
  }
}
