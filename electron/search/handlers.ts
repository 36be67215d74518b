import type { HandlerGroup } from '../api/dispatch.js';
import type { Library } from '../library/library.js';
import { lastTrashed, trashDuplicates, undoTrash } from './duplicates/duplicate-trash.js';
import type { SearchService } from './service.js';
import { findSimilar } from './similar.js';

/** `dupes.*`: duplicate groups and their safe removal. */
export function duplicateHandlers(library: Library, search: SearchService): HandlerGroup {
  return {
    'dupes.find': (args, { signal, onProgress }) =>
      search.find(args, { geometric: library.settings().geometric, signal, onProgress }),

    'dupes.trash': (args, { signal, broadcast }) =>
      library.exclusive(() =>
        trashDuplicates(library, search, args, {
          signal,
          onChanged: () => broadcast({ type: 'library.changed', reason: 'trash' }),
        }),
      ),

    'dupes.undoTrash': (_args, { signal, broadcast }) =>
      library.exclusive(() =>
        undoTrash(library, { signal, onChanged: () => broadcast({ type: 'library.changed', reason: 'trash' }) }),
      ),

    'dupes.lastTrashed': () => lastTrashed(library),
  };
}

/** `similar.*`: photos that look like an image, by the similarity code. */
export function similarHandlers(library: Library, search: SearchService): HandlerGroup {
  return {
    'similar.find': (args, { signal }) => findSimilar(library, search, args, signal),
  };
}
