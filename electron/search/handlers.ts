import type { HandlerGroup } from '../api/dispatch.js';
import { AppError } from '../api/errors.js';
import { jobOptions, type Library } from '../library/library.js';
import { lastTrashed, trashDuplicates, undoTrash } from './duplicates/duplicate-trash.js';
import type { SearchService } from './service.js';
import { findSimilar, findSimilarImage } from './similar.js';

/** `dupes.*`: duplicate groups and their safe removal. */
export function duplicateHandlers(library: Library, search: SearchService): HandlerGroup {
  return {
    'dupes.find': (args, { signal, onProgress }) =>
      search.find(
        {
          ...args,
          threshold: args.threshold ?? library.settings().preset,
          keepRule: args.keepRule ?? library.settings().keepRule,
        },
        { geometric: library.settings().geometric, signal, onProgress },
      ),

    'dupes.trash': (args, { signal, onProgress, broadcast }) =>
      library.job('trash', jobOptions(signal, onProgress), () =>
        trashDuplicates(
          library,
          search,
          { ...args, threshold: args.threshold ?? library.settings().preset },
          {
            signal,
            onChanged: () => broadcast({ type: 'library.changed', reason: 'trash' }),
          },
        ),
      ),

    'dupes.undoTrash': (_args, { signal, onProgress, broadcast }) =>
      library.job('undo', jobOptions(signal, onProgress), () =>
        undoTrash(library, { signal, onChanged: () => broadcast({ type: 'library.changed', reason: 'trash' }) }),
      ),

    'dupes.lastTrashed': () => lastTrashed(library),

    'dupes.markApart': ({ photoIds, apart = true }, { broadcast }) => {
      const catalog = library.get();
      const hashOf = new Map(catalog.photosByIds(photoIds).map((p) => [p.id, p.contentHash]));
      const unknown = photoIds.filter((id) => !hashOf.has(id));
      if (unknown.length)
        throw new AppError(
          'NOT_FOUND',
          `${unknown.length} of these photos are not in the library; nothing was marked.`,
          {
            photoIds: unknown,
          },
        );
      const changed = catalog.transaction(() =>
        apart
          ? catalog.apart.mark(photoIds.map((id) => hashOf.get(id)!))
          : catalog.apart.unmark(photoIds.map((id) => hashOf.get(id)!)),
      );
      broadcast({ type: 'library.changed', reason: 'apart' });
      return { changed, total: catalog.apart.count() };
    },

    'dupes.markedApart': () => ({ total: library.get().apart.count() }),

    'dupes.forgetApart': (_args, { broadcast }) => {
      const catalog = library.get();
      const forgotten = catalog.transaction(() => catalog.apart.clear());
      broadcast({ type: 'library.changed', reason: 'apart' });
      return { forgotten };
    },
  };
}

/** `similar.*`: photos that look like an image, by the similarity code. */
export function similarHandlers(library: Library, search: SearchService): HandlerGroup {
  return {
    'similar.find': (args, { signal }) => findSimilar(library, search, args, signal),
    'similar.findImage': (args, { signal }) => findSimilarImage(library, search, args, signal),
  };
}
