import path from 'node:path';
import type { HandlerGroup } from '../api/dispatch.js';
import { AppError } from '../api/errors.js';
import type { Library } from '../library/library.js';
import { createAnalyzer, imageInputError } from '../library/analyzer.js';
import { fromSqliteInteger } from '../../model/codes.js';
import { lastTrashed, trashDuplicates } from './duplicate-trash.js';
import type { SearchService } from './service.js';

/** `dupes.*`: duplicate groups and their safe removal. */
export function duplicateHandlers(library: Library, search: SearchService): HandlerGroup {
  return {
    'dupes.find': async ({ threshold, keepRule, geometric }, { signal, onProgress }) => {
      const resolved = search.resolve(threshold);
      const { groups, stats } = await search.search(resolved, {
        geometric: geometric ?? library.settings().geometric,
        signal,
        onProgress,
      });
      return { threshold: resolved, groups: await search.report(groups, keepRule), stats };
    },

    'dupes.trash': (args, { signal, broadcast }) =>
      library.exclusive(() =>
        trashDuplicates(library, search, args, {
          signal,
          onChanged: () => broadcast({ type: 'library.changed', reason: 'trash' }),
        }),
      ),

    'dupes.lastTrashed': () => lastTrashed(library),
  };
}
/** `similar.*`: photos that look like an image, by the similarity code. */
export function similarHandlers(library: Library, search: SearchService): HandlerGroup {
  return {
    'similar.find': async ({ path: file, limit = 20 }, { signal }) => {
      const absolute = path.resolve(file);
      const catalog = library.get();
      const index = search.index('sim');
      const known = catalog.photoByPath(absolute);
      let query = known && known.status === 'ready' ? index.getCode(known.id) : undefined;
      if (!query) {
        // An image outside the library (or not analysed yet) is encoded exactly as the scanner would.
        let analysis;
        try {
          analysis = await library.withEncoder((encoder) => createAnalyzer(encoder).analyze(absolute, signal));
        } catch (error) {
          throw imageInputError(error, absolute);
        }
        const sim = analysis.codes.sim;
        if (!sim) throw new AppError('MODEL_ERROR', 'The model produced no similarity code.');
        query = fromSqliteInteger(sim.code, sim.bits);
      }
      const neighbours = index.knnSearch(query, limit + (known ? 1 : 0)).filter((n) => n.id !== known?.id);
      const files = search.candidates(neighbours.map((n) => n.id));
      const results = neighbours
        .filter((n) => files.has(n.id))
        .slice(0, limit)
        .map((n) => ({ id: n.id, path: files.get(n.id)!.path, distance: n.distance }));
      return { results };
    },
  };
}
