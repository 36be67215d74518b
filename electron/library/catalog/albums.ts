/** The catalog's albums: named sets of photos, stored by photo row (catalog.ts holds the photos). */
import type { Statements } from './statements.js';

export class Albums {
  constructor(private readonly db: Statements) {}

  /** Give `toId` every album of `fromIds` (used before trashing duplicates, so no album loses a photo). */
  mergeInto(fromIds: readonly number[], toId: number): void {
    const copy = this.db.stmt(
      'INSERT OR IGNORE INTO album_photos (album_id, photo_id) SELECT album_id, ? FROM album_photos WHERE photo_id = ?',
    );
    for (const id of fromIds) copy.run(toId, id);
  }

  create(name: string): number {
    const info = this.db
      .stmt('INSERT INTO albums (name, created_at) VALUES (?, ?)')
      .run(name, new Date().toISOString());
    return Number(info.lastInsertRowid);
  }

  add(albumId: number, photoIds: number[]): void {
    const insert = this.db.stmt('INSERT OR IGNORE INTO album_photos (album_id, photo_id) VALUES (?, ?)');
    this.db.transaction(() => photoIds.forEach((id) => insert.run(albumId, id)));
  }

  photoIds(albumId: number): number[] {
    return (
      this.db.stmt('SELECT photo_id AS id FROM album_photos WHERE album_id = ? ORDER BY photo_id').all(albumId) as {
        id: number;
      }[]
    ).map((r) => r.id);
  }

  list(): { id: number; name: string; count: number }[] {
    return this.db
      .stmt(
        `SELECT a.id, a.name, COUNT(p.id) AS count FROM albums a LEFT JOIN album_photos ap ON ap.album_id = a.id
       LEFT JOIN photos p ON p.id = ap.photo_id AND p.status != 'gone' GROUP BY a.id ORDER BY a.name`,
      )
      .all() as { id: number; name: string; count: number }[];
  }
}
