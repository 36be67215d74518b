import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HandlerContext, HandlerGroup } from '../api/dispatch.js';
import { AppError } from '../api/errors.js';
import { SUPPORTED_EXTENSIONS } from '../../model/image/decode.js';
import { addToAlbum, createAlbum, deleteAlbum, removeFromAlbum, renameAlbum, showAlbum } from './albums.js';
import { createAnalyzer } from './analyzer.js';
import { listHeads, trainOnAlbums, useSimilarityHead } from './head-switch.js';
import { jobOptions, type Library } from './library.js';
import { scanFolders } from './scanner.js';

export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(SUPPORTED_EXTENSIONS);

/** Tells the clients that albums changed, and passes the result on. */
function changed<T>(broadcast: HandlerContext['broadcast'], result: T): T {
  broadcast({ type: 'library.changed', reason: 'album' });
  return result;
}

/** Tells the front ends that the similarity codes may have changed, once `work` is done. */
async function modelChanged<T>(broadcast: HandlerContext['broadcast'], work: Promise<T>): Promise<T> {
  const result = await work;
  broadcast({ type: 'library.changed', reason: 'model' });
  return result;
}

/** `scan.*`, `album.*`, `train.run` and `model.list|use|reset`. */
export function libraryHandlers(library: Library): HandlerGroup {
  return {
    'scan.run': async ({ folders }, { signal, onProgress, broadcast }) => {
      await checkScanFolders(folders);
      return library.job('scan', jobOptions(signal, onProgress), () =>
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
    'album.list': () => ({ albums: library.get().albums.list() }),
    'album.create': (args, { broadcast }) => changed(broadcast, createAlbum(library.get(), args)),
    'album.rename': (args, { broadcast }) => changed(broadcast, renameAlbum(library.get(), args)),
    'album.delete': (args, { broadcast }) => changed(broadcast, deleteAlbum(library.get(), args)),
    'album.add': (args, { broadcast }) => changed(broadcast, addToAlbum(library.get(), args)),
    'album.remove': (args, { broadcast }) => changed(broadcast, removeFromAlbum(library.get(), args)),
    'album.show': (args) => showAlbum(library.get(), args),
    'train.run': (args, { signal, onProgress, broadcast }) =>
      library.job('retrain', jobOptions(signal, onProgress), () =>
        modelChanged(broadcast, trainOnAlbums(library, args, { signal, onProgress })),
      ),
    'model.list': () => listHeads(library),
    'model.use': ({ version }, { signal, onProgress, broadcast }) =>
      library.job('model', jobOptions(signal, onProgress), () =>
        modelChanged(broadcast, useSimilarityHead(library, version, { signal, onProgress })),
      ),
    'model.reset': (_, { signal, onProgress, broadcast }) =>
      library.job('model', jobOptions(signal, onProgress), () =>
        modelChanged(broadcast, useSimilarityHead(library, null, { signal, onProgress })),
      ),
    'library.photos': ({ offset, limit, sort = 'name' }) => {
      const catalog = library.get();
      const { total, photos } = catalog.photosPage(offset, limit, sort);
      const albums = catalog.albums.namesOf(photos.map((p) => p.id));
      return {
        total,
        photos: photos.map((p) => ({
          id: p.id,
          path: p.path,
          width: p.width,
          height: p.height,
          bytes: p.size,
          takenAt: p.takenAt,
          camera: p.camera,
          format: p.format,
          albums: albums.get(p.id) ?? [],
        })),
      };
    },
    'library.failed': ({ offset, limit }) => {
      const { total, photos } = library.get().failedPage(offset, limit);
      return {
        total,
        files: photos.map((p) => ({ id: p.id, path: p.path, reason: p.error ?? 'it could not be read' })),
      };
    },
    'library.folders': () => ({ folders: library.get().folders() }),
    'library.forgetFolder': ({ path: folder }, { signal, onProgress, broadcast }) =>
      library.job('forget', jobOptions(signal, onProgress), async () => {
        const catalog = library.get();
        const known = catalog.rootPaths().find((root) => root === folder);
        if (!known) throw new AppError('NOT_FOUND', `${folder} is not one of the library's folders.`, { path: folder });
        const photos = catalog.forgetFolder(folder);
        library.touch();
        broadcast({ type: 'library.changed', reason: 'scan' });
        return { path: folder, photos };
      }),
    'library.completeFolder': ({ prefix }) => completeFolder(prefix),
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

/** At most this many completions. */
const COMPLETIONS = 20;

/**
 * Folders that complete `prefix`: the subfolders of the folder it names up to its last separator whose names start
 * with what follows (case-insensitively), hidden ones left out, by name. Nothing for a relative or unreadable path.
 */
export async function completeFolder(prefix: string): Promise<{ folders: string[] }> {
  if (!path.isAbsolute(prefix)) return { folders: [] };
  const cut = Math.max(prefix.lastIndexOf('/'), prefix.lastIndexOf(path.sep));
  const parent = prefix.slice(0, cut + 1) || path.sep;
  const start = prefix.slice(cut + 1).toLowerCase();
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
  const folders = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name.toLowerCase().startsWith(start))
    .map((e) => path.join(parent, e.name))
    .sort((a, b) => a.localeCompare(b))
    .slice(0, COMPLETIONS);
  return { folders };
}
