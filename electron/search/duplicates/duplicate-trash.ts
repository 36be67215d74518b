/**
 * Moving duplicates to the OS trash, safely, and putting them back. The selection is judged against the duplicate
 * groups as they are now (found again, with the same threshold), and refused whole, before any file is touched,
 * when a selected photo is in no group or when it would leave a group without a copy on disk. Each trashed photo's
 * albums move to the copy that stays.
 *
 * Every move is journaled in the library (`dupes.lastTrashed`), one file at a time: the intent is written before
 * the file moves, and the move is recorded (the photo gone, its albums given to the kept copy) in one transaction
 * after. A kill between the two leaves an intent, which the next trash action or undo settles by looking at the
 * disk (a listing counts it moved if its file is gone). So the library never lists as present a file that is in the trash, and undo finds every file the
 * last action moved: it puts each back from the OS trash (electron/library/trash.ts: only the very file, by size
 * and content hash, and never over another file), lists the photo again with its codes and albums, and takes the
 * kept copy out of the albums it joined only for it.
 */
import { existsSync, statSync } from 'node:fs';
import type { Args, Result } from '../../api/contract.js';
import { AppError } from '../../api/errors.js';
import type { Library } from '../../library/library.js';
import { restoreFromTrash, sameContent, type TrashPlaces, trashPlaces } from '../../library/trash.js';
import type { TrashedFile } from '../../library/catalog/trash-journal.js';
import { checkTrashSelection } from './keep.js';
import type { SearchService } from '../service.js';

/** Records a moved file: its photo gone, its albums given to the kept copy, its journal row `moved`. */
function recordMoved(library: Library, file: TrashedFile): void {
  const catalog = library.get();
  catalog.transaction(() => {
    catalog.trashJournal.moved(file.photoId, catalog.albums.mergeInto([file.photoId], file.keeperId));
    catalog.markGone(file.photoId);
  });
}

/**
 * Settles what a killed trash action left: a file whose move was intended is recorded moved if it is no longer at
 * its place, and dropped from the journal if it still is.
 */
export function settleTrashJournal(library: Library): void {
  const catalog = library.get();
  const pending = catalog.trashJournal.files().filter((f) => f.state === 'moving');
  if (!pending.length) return;
  for (const file of pending) {
    if (existsSync(file.path)) catalog.transaction(() => catalog.trashJournal.drop(file.photoId));
    else recordMoved(library, file);
  }
  library.touch();
}

/** `dupes.trash`: `onChanged` is called once the library changed (files were moved, or tried). */
export async function trashDuplicates(
  library: Library,
  search: SearchService,
  { photoIds, threshold, geometric, dryRun = false }: Args<'dupes.trash'>,
  options: { signal?: AbortSignal; onChanged?: () => void } = {},
): Promise<Result<'dupes.trash'>> {
  // What a killed action left is settled first: a file it moved stays undoable until this action begins.
  settleTrashJournal(library);
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
  // A new action: the journal is now this one's (the last action's undo is no longer offered).
  catalog.transaction(() => catalog.trashJournal.begin(new Date().toISOString()));
  const trashed: string[] = [];
  try {
    for (const [i, group] of present.entries()) {
      for (const id of group.ids.filter((m) => selected.has(m))) {
        options.signal?.throwIfAborted();
        const photo = files.get(id)!;
        const record = catalog.photoById(id);
        const file: TrashedFile = {
          path: photo.path,
          photoId: id,
          rootId: record?.rootId ?? 0,
          size: record?.size ?? 0,
          contentHash: record?.contentHash ?? '',
          keeperId: keptIds[i],
          state: 'moving',
          addedAlbums: [],
        };
        catalog.transaction(() => catalog.trashJournal.intend(file));
        try {
          await library.trashFile(photo.path);
        } catch (error) {
          if (existsSync(photo.path)) catalog.transaction(() => catalog.trashJournal.drop(id));
          else recordMoved(library, file);
          throw error;
        }
        recordMoved(library, file);
        trashed.push(photo.path);
      }
    }
  } finally {
    library.touch();
    options.onChanged?.();
  }
  return { dryRun: false, trashed, keptIds };
}

/** The paths the last trash action moved (those still in the trash), and whether undo can put them back. */
export function lastTrashed(library: Library): Result<'dupes.lastTrashed'> {
  // Read only (a trash action may be running in the job thread): an intent a kill left counts if its file is gone.
  const journal = library.get().trashJournal;
  const action = journal.action();
  if (!action) return { at: null, paths: [], undoable: false };
  const moved = journal.files().filter((f) => f.state === 'moved' || !existsSync(f.path));
  if (!moved.length && action.paths?.length) return { at: action.at, paths: action.paths, undoable: false };
  return { at: action.at, paths: moved.map((f) => f.path), undoable: moved.length > 0 };
}

/**
 * `dupes.undoTrash`: puts back every file of the last trash action that is still in the OS trash, and lists its
 * photo again (codes, albums) as it was; a file it cannot put back is named with the reason, and stays in the
 * journal so a later undo can try again.
 */
export async function undoTrash(
  library: Library,
  options: { signal?: AbortSignal; onChanged?: () => void; places?: TrashPlaces } = {},
): Promise<Result<'dupes.undoTrash'>> {
  settleTrashJournal(library);
  const catalog = library.get();
  const journal = catalog.trashJournal;
  const moved = journal.files().filter((f) => f.state === 'moved');
  const action = journal.action();
  if (!moved.length && action?.paths?.length)
    throw new AppError(
      'BAD_REQUEST',
      'The last move to the trash was made by an older version of Lookalike, which kept no record to undo it: ' +
        'put those files back from the trash by hand.',
      { paths: action.paths },
    );
  if (!moved.length)
    throw new AppError(
      'BAD_REQUEST',
      'There is nothing to undo: no photos moved to the trash are waiting to be put back.',
    );
  const places = options.places ?? trashPlaces();
  const restored: string[] = [];
  const notRestored: { path: string; reason: string }[] = [];
  const waiting = new Set(moved);
  try {
    for (const file of moved) {
      options.signal?.throwIfAborted();
      // Put back already (by hand, or by an undo killed before it could record it)?
      const back = existsSync(file.path) && (await sameContent(file.path, file));
      if (!back) {
        const outcome = await restoreFromTrash(file.path, file, places);
        if (!outcome.restored) {
          notRestored.push({ path: file.path, reason: outcome.reason });
          continue;
        }
      }
      const { mtimeMs } = statSync(file.path);
      waiting.delete(file);
      catalog.transaction(() => {
        catalog.movePhoto(file.photoId, { path: file.path, rootId: file.rootId, size: file.size, mtimeMs });
        for (const album of file.addedAlbums) {
          // Another photo still in the trash was in this album too: the kept copy stays in it for that one.
          const heir = [...waiting].find(
            (f) => f.keeperId === file.keeperId && catalog.albums.albumsOf(f.photoId).includes(album),
          );
          if (heir) {
            heir.addedAlbums.push(album);
            journal.setAddedAlbums(heir.photoId, heir.addedAlbums);
          } else catalog.albums.remove(album, [file.keeperId]);
        }
        journal.drop(file.photoId);
      });
      restored.push(file.path);
    }
  } finally {
    library.touch();
    options.onChanged?.();
  }
  return { restored, notRestored };
}
