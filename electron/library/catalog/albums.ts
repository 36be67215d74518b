/**
 * The catalog's albums: named sets of photos, stored by photo row (catalog.ts holds the photos), so a membership
 * outlives rescans and moves (the row follows the file) and trash (it moves to the kept copy). A photo whose file
 * is gone stays a member but is not counted or listed. Names are unique; electron/library/albums.ts checks input.
 */
import type { Statements } from './statements.js';

export interface AlbumRecord {
  id: number;
  name: string;
  /** Members whose files are in the library (not gone). */
  count: number;
}

/** Albums with the number of their photos whose files are in the library (add WHERE, GROUP BY a.id). */
const WITH_COUNTS = `SELECT a.id, a.name, COUNT(p.id) AS count FROM albums a
  LEFT JOIN album_photos ap ON ap.album_id = a.id LEFT JOIN photos p ON p.id = ap.photo_id AND p.status != 'gone'`;

export class Albums {
  constructor(private readonly db: Statements) {}

  /**
   * Give `toId` every album of `fromIds` (used before trashing duplicates, so no album loses a photo); returns the
   * albums `toId` was not in before, so that undoing the trash can take it out of them again.
   */
  mergeInto(fromIds: readonly number[], toId: number): number[] {
    const insert = this.db.stmt('INSERT OR IGNORE INTO album_photos (album_id, photo_id) VALUES (?, ?)');
    const added: number[] = [];
    for (const id of fromIds)
      for (const album of this.albumsOf(id)) if (insert.run(album, toId).changes) added.push(album);
    return added;
  }

  /** The names of the albums of each of `photoIds` (photos in none are absent). */
  namesOf(photoIds: readonly number[]): Map<number, string[]> {
    const names = new Map<number, string[]>();
    const query = this.db.stmt(
      'SELECT ap.photo_id AS id, a.name FROM album_photos ap JOIN albums a ON a.id = ap.album_id WHERE ap.photo_id = ? ORDER BY a.name',
    );
    for (const id of photoIds)
      for (const { name } of query.all(id) as { id: number; name: string }[])
        names.set(id, [...(names.get(id) ?? []), name]);
    return names;
  }

  /** The albums a photo is a member of (whether its file is gone or not). */
  albumsOf(photoId: number): number[] {
    return (
      this.db.stmt('SELECT album_id AS id FROM album_photos WHERE photo_id = ? ORDER BY album_id').all(photoId) as {
        id: number;
      }[]
    ).map((r) => r.id);
  }

  create(name: string): number {
    const info = this.db
      .stmt('INSERT INTO albums (name, created_at) VALUES (?, ?)')
      .run(name, new Date().toISOString());
    return Number(info.lastInsertRowid);
  }

  /** Adds photos (already members stay as they are); returns how many joined. */
  add(albumId: number, photoIds: readonly number[]): number {
    const insert = this.db.stmt('INSERT OR IGNORE INTO album_photos (album_id, photo_id) VALUES (?, ?)');
    return this.db.transaction(() => photoIds.reduce((n, id) => n + insert.run(albumId, id).changes, 0));
  }

  photoIds(albumId: number): number[] {
    return (
      this.db.stmt('SELECT photo_id AS id FROM album_photos WHERE album_id = ? ORDER BY photo_id').all(albumId) as {
        id: number;
      }[]
    ).map((r) => r.id);
  }

  /** Every album with its count, by name. */
  list(): AlbumRecord[] {
    return this.db.stmt(`${WITH_COUNTS} GROUP BY a.id ORDER BY a.name`).all() as AlbumRecord[];
  }

  /** The album of that exact name. */
  byName(name: string): AlbumRecord | undefined {
    return this.db.stmt(`${WITH_COUNTS} WHERE a.name = ? GROUP BY a.id`).get(name) as AlbumRecord | undefined;
  }

  rename(albumId: number, name: string): void {
    this.db.stmt('UPDATE albums SET name = ? WHERE id = ?').run(name, albumId);
  }

  /** Deletes the album and its memberships; the photos stay. */
  delete(albumId: number): void {
    this.db.stmt('DELETE FROM album_photos WHERE album_id = ?').run(albumId);
    this.db.stmt('DELETE FROM albums WHERE id = ?').run(albumId);
  }

  /** Takes photos out of the album. */
  remove(albumId: number, photoIds: readonly number[]): void {
    const drop = this.db.stmt('DELETE FROM album_photos WHERE album_id = ? AND photo_id = ?');
    for (const id of photoIds) drop.run(albumId, id);
  }

  /**
   * What retraining the similarity head learns from: every ready photo in at least one album (of `albumIds`, or
   * any) with a stored descriptor of `backboneVersion`, its albums, and its descriptor (int8 and scale), by id.
   */
  trainingPhotos(
    backboneVersion: string,
    albumIds?: readonly number[],
  ): { id: number; albums: number[]; data: Int8Array; scale: number }[] {
    const only = albumIds ? `AND ap.album_id IN (${albumIds.map(() => '?').join(', ') || 'NULL'})` : '';
    const rows = this.db
      .stmt(
        `SELECT p.id AS id, group_concat(ap.album_id) AS albums, d.data AS data, d.scale AS scale
         FROM album_photos ap JOIN photos p ON p.id = ap.photo_id AND p.status = 'ready'
         JOIN descriptors d ON d.photo_id = p.id AND d.backbone_version = ?
         WHERE 1 ${only} GROUP BY p.id ORDER BY p.id`,
      )
      .all(backboneVersion, ...(albumIds ?? [])) as { id: number; albums: string; data: Buffer; scale: number }[];
    return rows.map((r) => ({
      id: r.id,
      albums: r.albums
        .split(',')
        .map(Number)
        .sort((a, b) => a - b),
      data: new Int8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength),
      scale: r.scale,
    }));
  }

  /** The album's members whose files are in the library, by path. */
  members(albumId: number): { id: number; path: string }[] {
    return this.db
      .stmt(
        `SELECT p.id, p.path FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
         WHERE ap.album_id = ? AND p.status != 'gone' ORDER BY p.path`,
      )
      .all(albumId) as { id: number; path: string }[];
  }
}
