/**
 * The journal of the last move to the trash (electron/search/duplicates/duplicate-trash.ts): a row a file, so that
 * each file's intent and record is one small write, and the action's time under a settings key.
 */
import type { Settings } from './settings.js';
import type { Statements } from './statements.js';

/** The action's time (and, from a version without undo, its paths alone). */
const LAST_TRASHED = 'dupes.lastTrashed';

export interface TrashedFile {
  photoId: number;
  path: string;
  rootId: number;
  size: number;
  contentHash: string;
  /** The group's copy that stayed (it took this photo's albums). */
  keeperId: number;
  /** `moving`: about to be moved (a kill may leave it so); `moved`: in the trash, the photo recorded gone. */
  state: 'moving' | 'moved';
  /** Albums the kept copy joined for this photo alone: undo takes it out of them again. */
  addedAlbums: number[];
}

/** A journal row as SQLite gives it: the albums as JSON text. */
type Row = Omit<TrashedFile, 'addedAlbums'> & { addedAlbums: string };

export class TrashJournal {
  constructor(
    private readonly db: Statements,
    private readonly settings: Settings,
  ) {}

  /** When the last action began, and (from an older version) the paths it kept without a journal. */
  action(): { at: string; paths?: string[] } | undefined {
    return this.settings.get<{ at: string; paths?: string[] }>(LAST_TRASHED);
  }

  /** A new action: the last one's journal is dropped (its undo is no longer offered). */
  begin(at: string): void {
    this.db.stmt('DELETE FROM trash_journal').run();
    this.settings.set(LAST_TRASHED, { at });
  }

  files(): TrashedFile[] {
    const rows = this.db
      .stmt(
        `SELECT photo_id AS photoId, path, root_id AS rootId, size, content_hash AS contentHash, keeper_id AS keeperId,
           state, added_albums AS addedAlbums FROM trash_journal ORDER BY seq`,
      )
      .all() as Row[];
    return rows.map((r) => ({ ...r, addedAlbums: JSON.parse(r.addedAlbums) as number[] }));
  }

  /** The intent to move a file (before it moves). */
  intend(file: TrashedFile): void {
    this.db
      .stmt(
        `INSERT OR REPLACE INTO trash_journal (photo_id, seq, path, root_id, size, content_hash, keeper_id, state, added_albums)
         VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM trash_journal), ?, ?, ?, ?, ?, 'moving', '[]')`,
      )
      .run(file.photoId, file.path, file.rootId, file.size, file.contentHash, file.keeperId);
  }

  /** The file moved: recorded with the albums its kept copy joined for it. */
  moved(photoId: number, addedAlbums: readonly number[]): void {
    this.db
      .stmt(`UPDATE trash_journal SET state = 'moved', added_albums = ? WHERE photo_id = ?`)
      .run(JSON.stringify(addedAlbums), photoId);
  }

  setAddedAlbums(photoId: number, addedAlbums: readonly number[]): void {
    this.db
      .stmt('UPDATE trash_journal SET added_albums = ? WHERE photo_id = ?')
      .run(JSON.stringify(addedAlbums), photoId);
  }

  /** The file is no longer the journal's (put back, or its move never happened). */
  drop(photoId: number): void {
    this.db.stmt('DELETE FROM trash_journal WHERE photo_id = ?').run(photoId);
  }
}
