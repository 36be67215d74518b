/**
 * Moving duplicates to the OS trash, safely: the selection is judged against the duplicate groups as they are
 * now (found again, with the same threshold), and refused whole, before any file is touched, when a selected
 * photo is in no group or when it would leave a group without a copy on disk. Each trashed photo's albums move
 * to the copy that stays; the paths moved are remembered, so a person can find them in the trash.
 */
import { existsSync } from 'node:fs';
import type { Args, Result } from '../../api/contract.js';
import { AppError } from '../../api/errors.js';
import type { Library } from '../../library/library.js';
import { checkTrashSelection } from './keep.js';
import type { SearchService } from '../service.js';

const LAST_TRASHED = 'dupes.lastTrashed';

/** `dupes.trash`: `onChanged` is called once the library changed (files were moved, or tried). */
export async function trashDuplicates(
  library: Library,
  search: SearchService,
  { photoIds, threshold, geometric, dryRun = false }: Args<'dupes.trash'>,
  options: { signal?: AbortSignal; onChanged?: () => void } = {},
): Promise<Result<'dupes.trash'>> {
  const groups = await search.groups(search.resolve(threshold), {
    geometric: geometric ?? library.settings().geometric,
    signal: options.signal,
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
    throw new AppError('BAD_REQUEST', 'Refused: the selection would remove every copy of a photo; nothing was moved.', {
      groups: check.violations.map((v) => v.ids.map((id) => files.get(id)?.path ?? id)),
    });
  }
  const keptIds = present.map((g) => g.ids.find((id) => !selected.has(id))!);
  if (dryRun) return { dryRun: true, trashed: photoIds.map((id) => files.get(id)?.path ?? ''), keptIds };

  const catalog = library.get();
  const trashed: string[] = [];
  try {
    for (const [i, group] of present.entries()) {
      for (const id of group.ids.filter((m) => selected.has(m))) {
        options.signal?.throwIfAborted();
        const file = files.get(id)!;
        catalog.transaction(() => catalog.albums.mergeInto([id], keptIds[i]));
        await library.trashFile(file.path);
        catalog.transaction(() => catalog.markGone(id));
        trashed.push(file.path);
      }
    }
  } finally {
    catalog.transaction(() => catalog.settings.set(LAST_TRASHED, { at: new Date().toISOString(), paths: trashed }));
    library.touch();
    options.onChanged?.();
  }
  return { dryRun: false, trashed, keptIds };
}

/** The paths the last trash action moved. */
export function lastTrashed(library: Library): Result<'dupes.lastTrashed'> {
  return library.get().settings.get<{ at: string; paths: string[] }>(LAST_TRASHED) ?? { at: null, paths: [] };
}
