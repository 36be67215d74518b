import { existsSync } from 'node:fs';
import path from 'node:path';
import type { HandlerGroup } from '../api/dispatch.js';
import { AppError } from '../api/errors.js';
import type { Library } from '../library/handlers.js';
import { createAnalyzer, imageInputError } from '../library/analyzer.js';
import { fromSqliteInteger } from './codes.js';
import { checkTrashSelection } from './keep.js';

const LAST_TRASHED = 'dupes.lastTrashed';

/** `dupes.*`: duplicate groups and their safe removal. */
export function duplicateHandlers(library: Library): HandlerGroup {
  return {
    'dupes.find': async ({ threshold, keepRule, geometric }, { signal, onProgress }) => {
      const resolved = library.search.resolve(threshold);
      const { groups, stats } = await library.search.search(resolved, {
        geometric: geometric ?? library.settings().geometric,
        signal,
        onProgress,
      });
      return { threshold: resolved, groups: await library.search.report(groups, keepRule), stats };
    },

    'dupes.trash': ({ photoIds, threshold, geometric, dryRun = false }, { signal, broadcast }) =>
      library.exclusive(async () => {
        const search = library.search;
        const groups = await search.groups(search.resolve(threshold), {
          geometric: geometric ?? library.settings().geometric,
          signal,
        });
        const selected = new Set(photoIds);
        const groupOf = new Map<number, number[]>();
        for (const g of groups) for (const id of g.ids) groupOf.set(id, g.ids);
        const strangers = photoIds.filter((id) => !groupOf.has(id));
        if (strangers.length) {
          throw new AppError(
            'BAD_REQUEST',
            `${strangers.length} of the selected photos are not in any duplicate group; nothing was moved.`,
            {
              photoIds: strangers,
            },
          );
        }
        // A member counts as a surviving copy only if it is not selected and still on disk.
        const files = search.candidates([...groupOf.keys()]);
        const relevant = groups.filter((g) => g.ids.some((id) => selected.has(id)));
        const present = relevant.map((g) => ({
          ids: g.ids.filter((id) => files.has(id) && existsSync(files.get(id)!.path)),
        }));
        const check = checkTrashSelection(present, photoIds);
        if (!check.ok) {
          throw new AppError(
            'BAD_REQUEST',
            'Refused: the selection would remove every copy of a photo; nothing was moved.',
            {
              groups: check.violations.map((v) => v.ids.map((id) => files.get(id)?.path ?? id)),
            },
          );
        }
        const keptIds = present.map((g) => g.ids.find((id) => !selected.has(id))!);
        if (dryRun) return { dryRun: true, trashed: photoIds.map((id) => files.get(id)?.path ?? ''), keptIds };

        const catalog = library.get();
        const trashed: string[] = [];
        try {
          for (const [i, group] of present.entries()) {
            for (const id of group.ids.filter((m) => selected.has(m))) {
              signal.throwIfAborted();
              const file = files.get(id)!;
              catalog.transaction(() => catalog.mergeAlbums([id], keptIds[i]));
              await library.trashFile(file.path);
              catalog.transaction(() => catalog.markGone(id));
              trashed.push(file.path);
            }
          }
        } finally {
          catalog.transaction(() => catalog.setSetting(LAST_TRASHED, { at: new Date().toISOString(), paths: trashed }));
          library.touch();
          broadcast({ type: 'library.changed', reason: 'trash' });
        }
        return { dryRun: false, trashed, keptIds };
      }),

    'dupes.lastTrashed': () =>
      library.get().getSetting<{ at: string; paths: string[] }>(LAST_TRASHED) ?? { at: null, paths: [] },
  };
}

/** `similar.*`: photos that look like an image, by the similarity code. */
export function similarHandlers(library: Library): HandlerGroup {
  return {
    'similar.find': async ({ path: file, limit = 20 }, { signal }) => {
      const absolute = path.resolve(file);
      const catalog = library.get();
      const index = library.search.index('sim');
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
      const files = library.search.candidates(neighbours.map((n) => n.id));
      const results = neighbours
        .filter((n) => files.has(n.id))
        .slice(0, limit)
        .map((n) => ({ id: n.id, path: files.get(n.id)!.path, distance: n.distance }));
      return { results };
    },
  };
}
