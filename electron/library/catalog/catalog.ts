/**
 * The photo catalog: typed queries over the library database. Callers never see SQL or better-sqlite3.
 * Photos, their codes and thumbnails are here; albums, settings, kept pixel verdicts and the keep rule's kept measures
 * are parts of their own (`catalog.albums`, `catalog.settings`, `catalog.verdicts`, `catalog.keepFacts`) over the same
 * connection.
 */
import { MAY_HOLD_FRAMES } from '../../../model/image/formats.js';
import { MIN_TRIMMED_CUT } from '../../../model/variants.js';
import { openDatabase, type SqliteDatabase, type SqliteStatement } from '../db.js';
import { Albums } from './albums.js';
import { ApartPairs } from './apart.js';
import { LibraryLock } from './lock.js';
import { Settings } from './settings.js';
import { Statements } from './statements.js';
import { TrashJournal } from './trash-journal.js';
import { PixelVerdicts } from './verdicts.js';
import { KeepFacts } from './keep-facts.js';

import {
  type CodeKind,
  type PhotoAnalysis,
  type PhotoRecord,
  type PhotoStatus,
  type StoredCode,
  TRIMMED_VARIANT,
  type VariantCode,
} from './records.js';

export type { PixelVerdictRow } from './verdicts.js';
export type { KeepFactKind, KeepFactRow } from './keep-facts.js';
export * from './records.js';

/**
 * A stored variant code: photo id, orientation 2..8, GREYSCALE_VARIANT or TRIMMED_VARIANT, code, embedding or null,
 * and whether the orientation is one of the photo's canonical ones (model/variants.ts).
 */
export interface VariantRow {
  id: number;
  orientation: number;
  canonical: boolean;
  code: bigint;
  embedding: Int8Array | null;
}

/**
 * A photo whose stored content size is below this share of its width or height should have a trimmed variant
 * (model/image/decode.ts makes one at 1 − MIN_TRIMMED_CUT = 0.95 of the decode it measures). The margin keeps a photo
 * near that line, whose stored size is rounded from another decode's, from being decoded again on every scan.
 */
const STALE_BELOW_CONTENT = 1 - MIN_TRIMMED_CUT - 0.01;

const PHOTO_COLUMNS = `id, root_id AS rootId, path, size, mtime_ms AS mtimeMs, content_hash AS contentHash, width, height,
  content_width AS contentWidth, content_height AS contentHeight, format, taken_at AS takenAt, camera, orientation, status, error, encode_count AS encodeCount`;

/** Ready photos with a descriptor of one backbone whose code of one kind is missing or another head's (parameters: kind, backbone version, head version, after id). */
const REHASHABLE = `FROM photos p JOIN descriptors d ON d.photo_id = p.id
  LEFT JOIN codes c ON c.photo_id = p.id AND c.kind = ?
  WHERE p.status = 'ready' AND d.backbone_version = ? AND c.head_version IS NOT ? AND p.id > ?`;

export type GridSort = 'name' | 'date' | 'size' | 'folder';

/** A folder's path with its separator at the end: what the paths of the files under it start with. */
function folderPrefix(root: string): string {
  return root.endsWith('/') || root.endsWith('\\') ? root : root + (root.includes('\\') ? '\\' : '/');
}

/**
 * The statement of a page of the library grid (`Catalog.photosPage`; parameters: limit, offset): the ready photos
 * in `sort` order, ties by path, read through the sort's index (schema 13). Without statistics SQLite would take
 * the status index and sort every ready photo for each page; INDEXED BY fails loudly if an order no longer matches
 * its index.
 */
export function gridPageSql(sort: GridSort): string {
  const order = {
    // The name without its folder: the text after the last '/' or '\'.
    name: `lower(replace(path, rtrim(path, replace(replace(path, '\\', '/'), '/', '')), '')), path`,
    date: "coalesce(taken_at, datetime(mtime_ms / 1000, 'unixepoch')) DESC, path",
    size: 'size DESC, path',
    folder: 'path',
  }[sort];
  return `SELECT ${PHOTO_COLUMNS} FROM photos INDEXED BY photos_ready_by_${sort} WHERE status = 'ready'
    ORDER BY ${order} LIMIT ? OFFSET ?`;
}

export class Catalog {
  private readonly statements: Statements;
  readonly albums: Albums;
  readonly settings: Settings;
  readonly verdicts: PixelVerdicts;
  /** What the keep rule measured in files. */
  readonly keepFacts: KeepFacts;
  /** Pairs the user said are not duplicates. */
  readonly apart: ApartPairs;
  /** Which process runs a library job now. */
  readonly lock: LibraryLock;
  /** The last move to the trash, a row a file (for its undo). */
  readonly trashJournal: TrashJournal;

  constructor(readonly db: SqliteDatabase) {
    this.statements = new Statements(db);
    this.albums = new Albums(this.statements);
    this.settings = new Settings(this.statements);
    this.verdicts = new PixelVerdicts(this.statements);
    this.keepFacts = new KeepFacts(this.statements);
    this.apart = new ApartPairs(this.statements);
    this.lock = new LibraryLock(this.statements);
    this.trashJournal = new TrashJournal(this.statements, this.settings);
  }

  static open(file: string): Catalog {
    return new Catalog(openDatabase(file));
  }

  close(): void {
    this.db.close();
  }

  /** Run `fn` in one write transaction (taken immediately, so concurrent writers queue instead of failing). */
  transaction<T>(fn: () => T): T {
    return this.statements.transaction(fn);
  }

  private stmt(sql: string): SqliteStatement {
    return this.statements.stmt(sql);
  }

  /** The library's folders (each one a scan was given), by path. */
  rootPaths(): string[] {
    return (this.stmt('SELECT path FROM roots ORDER BY path').all() as { path: string }[]).map((r) => r.path);
  }

  addRoot(rootPath: string): number {
    this.stmt('INSERT INTO roots (path, added_at) VALUES (?, ?) ON CONFLICT(path) DO NOTHING').run(
      rootPath,
      new Date().toISOString(),
    );
    return (this.stmt('SELECT id FROM roots WHERE path = ?').get(rootPath) as { id: number }).id;
  }

  photoByPath(photoPath: string): PhotoRecord | undefined {
    return this.stmt(`SELECT ${PHOTO_COLUMNS} FROM photos WHERE path = ?`).get(photoPath) as PhotoRecord | undefined;
  }

  photoById(id: number): PhotoRecord | undefined {
    return this.stmt(`SELECT ${PHOTO_COLUMNS} FROM photos WHERE id = ?`).get(id) as PhotoRecord | undefined;
  }

  /**
   * The library's folders with how many photos lie under each (scanned or waiting for it), and how many files there
   * could not be read.
   */
  folders(): { path: string; photos: number; unreadable: number }[] {
    return this.rootPaths().map((root) => ({ path: root, ...this.countUnder(folderPrefix(root)) }));
  }

  /**
   * Forgets a folder: every photo under it leaves the library (with its codes, thumbnail and album memberships), and
   * the folder and any library folder inside it are no longer the library's. The files are not touched. Returns how
   * many photos left (as `folders` counts them: files that could not be read leave too, but are no photos).
   */
  forgetFolder(root: string): number {
    const prefix = folderPrefix(root);
    return this.transaction(() => {
      const left = this.countUnder(prefix).photos;
      this.stmt('DELETE FROM photos WHERE substr(path, 1, ?) = ?').run(prefix.length, prefix);
      this.stmt('DELETE FROM roots WHERE path = ? OR substr(path, 1, ?) = ?').run(root, prefix.length, prefix);
      return left;
    });
  }

  /**
   * Under `prefix` (a folder's, separator included): how many photos (neither gone nor failed) and how many files
   * that could not be read (failed).
   */
  private countUnder(prefix: string): { photos: number; unreadable: number } {
    const row = this.stmt(
      `SELECT COUNT(*) FILTER (WHERE status != 'failed') AS photos, COUNT(*) FILTER (WHERE status = 'failed') AS unreadable
         FROM photos WHERE status != 'gone' AND substr(path, 1, ?) = ?`,
    ).get(prefix.length, prefix) as { photos: number; unreadable: number };
    return { photos: row.photos, unreadable: row.unreadable };
  }

  /** Photos (not gone) whose path lies under `root`. */
  photosUnder(root: string): PhotoRecord[] {
    const prefix = folderPrefix(root);
    return this.stmt(`SELECT ${PHOTO_COLUMNS} FROM photos WHERE status != 'gone' AND substr(path, 1, ?) = ?`).all(
      prefix.length,
      prefix,
    ) as PhotoRecord[];
  }

  /**
   * A ready photo with this content hash other than `exceptId`, whose analysis can be shared; with
   * `dupVersion`, only one whose duplicate code that model made (a stale twin is being re-encoded itself).
   */
  readyTwin(contentHash: string, exceptId: number, dupVersion: string | null = null): PhotoRecord | undefined {
    return this.stmt(
      `SELECT ${PHOTO_COLUMNS} FROM photos WHERE content_hash = ? AND id != ? AND status = 'ready' AND encode_count > 0
         AND (? IS NULL OR EXISTS (SELECT 1 FROM codes c WHERE c.photo_id = photos.id AND c.kind = 'dup' AND c.head_version = ?))
       LIMIT 1`,
    ).get(contentHash, exceptId, dupVersion, dupVersion) as PhotoRecord | undefined;
  }

  /**
   * Ready photos that must be decoded again to be up to date with the current model: their duplicate code
   * is missing or another model's, or their similarity code is and no descriptor of `backboneVersion` is
   * stored to re-hash it from (null: descriptors are not kept, so none can be re-hashed). With `trimmed` (the
   * encoder makes trimmed variants), also photos measured with borders wide enough for one (STALE_BELOW_CONTENT)
   * that have none: they were analysed before it existed. Also GIFs, WebPs and TIFFs analysed before frames were
   * counted (an animation must not be taken for a copy of a still).
   */
  photosToReencode(
    current: Record<CodeKind, string>,
    backboneVersion: string | null,
    options: { trimmed?: boolean } = {},
  ): Set<number> {
    const rows = this.stmt(
      `SELECT p.id AS id FROM photos p
         LEFT JOIN codes dc ON dc.photo_id = p.id AND dc.kind = 'dup'
         LEFT JOIN codes sc ON sc.photo_id = p.id AND sc.kind = 'sim'
         LEFT JOIN descriptors d ON d.photo_id = p.id
       WHERE p.status = 'ready' AND (dc.head_version IS NOT ?
         OR (sc.head_version IS NOT ? AND (? IS NULL OR d.backbone_version IS NOT ?))
         OR (? AND (p.content_width < ? * p.width OR p.content_height < ? * p.height) AND NOT EXISTS
           (SELECT 1 FROM code_variants v WHERE v.photo_id = p.id AND v.kind = 'dup' AND v.orientation = ?))
         OR (p.frames IS NULL AND p.format IN (${MAY_HOLD_FRAMES.map((f) => `'${f}'`).join(', ')})))`,
    ).all(
      current.dup,
      current.sim,
      backboneVersion,
      backboneVersion,
      options.trimmed ? 1 : 0,
      STALE_BELOW_CONTENT,
      STALE_BELOW_CONTENT,
      TRIMMED_VARIANT,
    ) as { id: number }[];
    return new Set(rows.map((r) => r.id));
  }

  /**
   * A page of the library's ready photos in `sort` order (ties by path), and how many there are: what a grid of the
   * whole library shows a screen at a time.
   */
  photosPage(offset: number, limit: number, sort: GridSort): { total: number; photos: PhotoRecord[] } {
    const total = (this.stmt(`SELECT COUNT(*) AS n FROM photos WHERE status = 'ready'`).get() as { n: number }).n;
    const photos = this.stmt(gridPageSql(sort)).all(limit, offset) as PhotoRecord[];
    return { total, photos };
  }

  /** A page of the photos whose files could not be read at their last scan (by path), and how many there are. */
  failedPage(offset: number, limit: number): { total: number; photos: PhotoRecord[] } {
    const total = (this.stmt(`SELECT COUNT(*) AS n FROM photos WHERE status = 'failed'`).get() as { n: number }).n;
    const photos = this.stmt(
      `SELECT ${PHOTO_COLUMNS} FROM photos WHERE status = 'failed' ORDER BY path LIMIT ? OFFSET ?`,
    ).all(limit, offset) as PhotoRecord[];
    return { total, photos };
  }

  /** How many ready photos have no stored descriptor of `backboneVersion` (their codes cannot be re-made without decoding). */
  countWithoutDescriptor(backboneVersion: string): number {
    return (
      this.stmt(
        `SELECT COUNT(*) AS n FROM photos p LEFT JOIN descriptors d ON d.photo_id = p.id AND d.backbone_version = ?
         WHERE p.status = 'ready' AND d.photo_id IS NULL`,
      ).get(backboneVersion) as { n: number }
    ).n;
  }

  /** How many ready photos have a `kind` code other than `headVersion` (or none) and a descriptor of `backboneVersion`. */
  countRehashable(kind: CodeKind, headVersion: string, backboneVersion: string): number {
    return (this.stmt(`SELECT COUNT(*) AS n ${REHASHABLE}`).get(kind, backboneVersion, headVersion, 0) as { n: number })
      .n;
  }

  /** The next `limit` of those photos after id `afterId`, with their stored descriptors (int8 and scale). */
  rehashableDescriptors(
    kind: CodeKind,
    headVersion: string,
    backboneVersion: string,
    afterId: number,
    limit: number,
  ): { id: number; data: Int8Array; scale: number }[] {
    const rows = this.stmt(
      `SELECT p.id AS id, d.data AS data, d.scale AS scale ${REHASHABLE} ORDER BY p.id LIMIT ?`,
    ).all(kind, backboneVersion, headVersion, afterId, limit) as { id: number; data: Buffer; scale: number }[];
    return rows.map((r) => ({
      id: r.id,
      scale: r.scale,
      data: new Int8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength),
    }));
  }

  /**
   * Replace one kind's code of each photo (with its embedding, if given), leaving its other codes and its
   * variants as they are.
   */
  replaceCodes(kind: CodeKind, codes: { id: number; code: StoredCode }[]): void {
    for (const { id, code } of codes) this.upsertCode(id, kind, code);
  }

  private upsertCode(id: number, kind: CodeKind, c: StoredCode): void {
    this.stmt(
      'INSERT OR REPLACE INTO codes (photo_id, kind, code, bits, head_version, embedding) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(id, kind, c.code, c.bits, c.headVersion, blob(c.embedding));
  }

  /** Create or refresh the row for a file seen on disk; a changed file goes back to pending. */
  upsertSeen(file: { path: string; rootId: number; size: number; mtimeMs: number; contentHash: string }): number {
    const now = new Date().toISOString();
    const existing = this.photoByPath(file.path);
    if (existing) {
      this.stmt(
        `UPDATE photos SET root_id = ?, size = ?, mtime_ms = ?, content_hash = ?, status = 'pending', error = NULL, last_seen = ? WHERE id = ?`,
      ).run(file.rootId, file.size, file.mtimeMs, file.contentHash, now, existing.id);
      return existing.id;
    }
    const info = this.stmt(
      `INSERT INTO photos (root_id, path, size, mtime_ms, content_hash, status, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
    ).run(file.rootId, file.path, file.size, file.mtimeMs, file.contentHash, now, now);
    return Number(info.lastInsertRowid);
  }

  /**
   * A file that moved (or came back from the trash) keeps its row (and so its albums and codes); only its location
   * changes. A gone photo is ready again if it was analysed (by itself, or given an identical file's analysis).
   */
  movePhoto(id: number, file: { path: string; rootId: number; size: number; mtimeMs: number }): void {
    this.stmt(
      `UPDATE photos SET path = ?, root_id = ?, size = ?, mtime_ms = ?, last_seen = ?, status = CASE WHEN status = 'gone' THEN (CASE WHEN encode_count > 0 OR EXISTS (SELECT 1 FROM codes WHERE codes.photo_id = photos.id) THEN 'ready' ELSE 'pending' END) ELSE status END WHERE id = ?`,
    ).run(file.path, file.rootId, file.size, file.mtimeMs, new Date().toISOString(), id);
  }

  markSeen(id: number): void {
    this.stmt('UPDATE photos SET last_seen = ? WHERE id = ?').run(new Date().toISOString(), id);
  }

  markGone(id: number): void {
    this.stmt(`UPDATE photos SET status = 'gone' WHERE id = ?`).run(id);
  }

  recordFailure(id: number, error: string): void {
    this.stmt(`UPDATE photos SET status = 'failed', error = ? WHERE id = ?`).run(error, id);
  }

  /** Store an analysis: metadata, codes, descriptor and thumbnail, and count the encode. */
  recordAnalysis(id: number, a: PhotoAnalysis): void {
    this.stmt(
      `UPDATE photos SET width = ?, height = ?, content_width = ?, content_height = ?, format = ?, taken_at = ?, camera = ?,
         orientation = ?, frames = ?, status = 'ready', error = NULL, encode_count = encode_count + 1 WHERE id = ?`,
    ).run(
      a.width,
      a.height,
      a.contentWidth ?? null,
      a.contentHeight ?? null,
      a.format,
      a.takenAt,
      a.camera,
      a.orientation,
      a.frames ?? null,
      id,
    );
    this.storeDerived(id, a);
  }

  /** Give `id` the analysis of an identical file (same content hash) without decoding it again. */
  copyAnalysis(id: number, fromId: number): void {
    this.stmt(
      `UPDATE photos SET (width, height, content_width, content_height, format, taken_at, camera, orientation, frames, status, error) =
         (SELECT width, height, content_width, content_height, format, taken_at, camera, orientation, frames, 'ready', NULL
          FROM photos WHERE id = ?) WHERE id = ?`,
    ).run(fromId, id);
    this.stmt(
      `INSERT OR REPLACE INTO codes (photo_id, kind, code, bits, head_version, embedding)
         SELECT ?, kind, code, bits, head_version, embedding FROM codes WHERE photo_id = ?`,
    ).run(id, fromId);
    this.stmt(
      `INSERT OR REPLACE INTO code_variants (photo_id, kind, orientation, code, embedding, canonical)
         SELECT ?, kind, orientation, code, embedding, canonical FROM code_variants WHERE photo_id = ?`,
    ).run(id, fromId);
    this.stmt(
      `INSERT OR REPLACE INTO descriptors SELECT ?, backbone_version, dim, scale, data FROM descriptors WHERE photo_id = ?`,
    ).run(id, fromId);
    this.stmt(`INSERT OR REPLACE INTO thumbnails SELECT ?, width, height, webp FROM thumbnails WHERE photo_id = ?`).run(
      id,
      fromId,
    );
  }

  private storeDerived(id: number, a: PhotoAnalysis): void {
    for (const [kind, c] of Object.entries(a.codes) as [CodeKind, StoredCode][]) this.upsertCode(id, kind, c);
    for (const [kind, list] of Object.entries(a.variants ?? {}) as [CodeKind, VariantCode[]][]) {
      this.stmt('DELETE FROM code_variants WHERE photo_id = ? AND kind = ?').run(id, kind);
      const insert = this.stmt(
        'INSERT INTO code_variants (photo_id, kind, orientation, code, embedding, canonical) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const v of list) insert.run(id, kind, v.orientation, v.code, blob(v.embedding), v.canonical ? 1 : 0);
    }
    if (a.descriptor) {
      const d = a.descriptor;
      this.stmt(
        'INSERT OR REPLACE INTO descriptors (photo_id, backbone_version, dim, scale, data) VALUES (?, ?, ?, ?, ?)',
      ).run(
        id,
        d.backboneVersion,
        d.data.length,
        d.scale,
        Buffer.from(d.data.buffer, d.data.byteOffset, d.data.byteLength),
      );
    }
    if (a.thumbnail) {
      const t = a.thumbnail;
      this.stmt('INSERT OR REPLACE INTO thumbnails (photo_id, width, height, webp) VALUES (?, ?, ?, ?)').run(
        id,
        t.width,
        t.height,
        Buffer.from(t.webp),
      );
    }
  }

  /**
   * Codes of one kind for every ready photo, for loading a search index, with their embeddings (null for
   * a code stored without one: a similarity code, or a library scanned before embeddings were kept).
   */
  codes(kind: CodeKind): {
    ids: number[];
    codes: bigint[];
    embeddings: (Int8Array | null)[];
    bits: number | null;
    headVersions: Set<string>;
  } {
    const rows = this.stmt(
      `SELECT c.photo_id AS id, c.code AS code, c.bits AS bits, c.head_version AS headVersion, c.embedding AS embedding
       FROM codes c JOIN photos p ON p.id = c.photo_id WHERE c.kind = ? AND p.status = 'ready' ORDER BY c.photo_id`,
    )
      .safeIntegers(true)
      .all(kind) as { id: bigint; code: bigint; bits: bigint; headVersion: string; embedding: Buffer | null }[];
    return {
      ids: rows.map((r) => Number(r.id)),
      codes: rows.map((r) => r.code),
      embeddings: rows.map((r) => int8(r.embedding)),
      bits: rows.length ? Number(rows[0].bits) : null,
      headVersions: new Set(rows.map((r) => r.headVersion)),
    };
  }

  /**
   * Variant codes of one kind for every ready photo (photo id, orientation 2..8, GREYSCALE_VARIANT or
   * TRIMMED_VARIANT, code, embedding or null); with `only.orientations`, those variants alone.
   */
  variantCodes(kind: CodeKind, only: { orientations?: readonly number[] } = {}): VariantRow[] {
    return [...this.eachVariantCode(kind, only)];
  }

  /** Ready photos other than `id` whose files are byte-identical to it (content hash `hash`). */
  twinsOf(id: number, hash: string): number[] {
    return (
      this.stmt(`SELECT id FROM photos WHERE content_hash = ? AND id != ? AND status = 'ready'`).all(hash, id) as {
        id: number;
      }[]
    ).map((r) => r.id);
  }

  /** The embedding of one stored variant code (null when it has none or the variant is not stored). */
  variantEmbedding(photoId: number, kind: CodeKind, orientation: number): Int8Array | null {
    const row = this.stmt(
      'SELECT embedding FROM code_variants WHERE photo_id = ? AND kind = ? AND orientation = ?',
    ).get(photoId, kind, orientation) as { embedding: Buffer | null } | undefined;
    return int8(row?.embedding ?? null);
  }

  /** `variantCodes`, one row at a time: a large library's variants (up to 9 a photo) are never all in memory. */
  *eachVariantCode(kind: CodeKind, only: { orientations?: readonly number[] } = {}): IterableIterator<VariantRow> {
    const orientations = only.orientations ? JSON.stringify(only.orientations) : null;
    const rows = this.stmt(
      `SELECT v.photo_id AS id, v.orientation AS orientation, v.code AS code, v.embedding AS embedding,
              v.canonical AS canonical FROM code_variants v
         JOIN photos p ON p.id = v.photo_id WHERE v.kind = ? AND p.status = 'ready'
           AND (? IS NULL OR v.orientation IN (SELECT value FROM json_each(?)))
         ORDER BY v.photo_id, v.orientation`,
    )
      .safeIntegers(true)
      .iterate(kind, orientations, orientations) as IterableIterator<{
      id: bigint;
      orientation: bigint;
      code: bigint;
      embedding: Buffer | null;
      canonical: bigint;
    }>;
    for (const r of rows) {
      yield {
        id: Number(r.id),
        orientation: Number(r.orientation),
        canonical: r.canonical !== 0n,
        code: r.code,
        embedding: int8(r.embedding),
      };
    }
  }

  /**
   * Groups of two or more analysed photos with identical content. Files that could not be read are not photos
   * of the library: two identical broken files are not offered as duplicates.
   */
  exactDuplicateGroups(): PhotoRecord[][] {
    const rows = this.stmt(
      `SELECT ${PHOTO_COLUMNS} FROM photos WHERE status = 'ready' AND content_hash IN
         (SELECT content_hash FROM photos WHERE status = 'ready' AND content_hash IS NOT NULL GROUP BY content_hash HAVING COUNT(*) > 1)
       ORDER BY content_hash, path`,
    ).all() as PhotoRecord[];
    const groups = new Map<string, PhotoRecord[]>();
    for (const row of rows) {
      const list = groups.get(row.contentHash!) ?? [];
      list.push(row);
      groups.set(row.contentHash!, list);
    }
    return [...groups.values()];
  }

  photosByIds(ids: readonly number[]): PhotoRecord[] {
    const out: PhotoRecord[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      out.push(
        ...(this.db
          .prepare(`SELECT ${PHOTO_COLUMNS} FROM photos WHERE id IN (${chunk.map(() => '?').join(',')})`)
          .all(...chunk) as PhotoRecord[]),
      );
    }
    return out;
  }

  thumbnail(photoId: number): { webp: Buffer; width: number; height: number } | undefined {
    return this.stmt('SELECT webp, width, height FROM thumbnails WHERE photo_id = ?').get(photoId) as
      { webp: Buffer; width: number; height: number } | undefined;
  }

  /** The capture time (ms since the epoch) of every ready photo whose EXIF gave one. */
  captureTimes(): Map<number, number> {
    const rows = this.stmt(
      `SELECT id, taken_at AS takenAt FROM photos WHERE status = 'ready' AND taken_at IS NOT NULL`,
    ).all() as {
      id: number;
      takenAt: string;
    }[];
    const times = new Map<number, number>();
    for (const r of rows) {
      const time = Date.parse(r.takenAt);
      if (!Number.isNaN(time)) times.set(r.id, time);
    }
    return times;
  }

  /**
   * The frame count of every ready photo that holds more than one frame or page (an animated GIF or WebP, a
   * multi-page TIFF); the others are stills, or were analysed before frames were counted.
   */
  frameCounts(): Map<number, number> {
    const rows = this.stmt(`SELECT id, frames FROM photos WHERE status = 'ready' AND frames > 1`).all() as {
      id: number;
      frames: number;
    }[];
    return new Map(rows.map((r) => [r.id, r.frames]));
  }

  /** The content hash of every ready photo that has one. */
  contentHashes(): Map<number, string> {
    const rows = this.stmt(
      `SELECT id, content_hash AS hash FROM photos WHERE status = 'ready' AND content_hash IS NOT NULL`,
    ).all() as { id: number; hash: string }[];
    return new Map(rows.map((r) => [r.id, r.hash]));
  }

  counts(): Record<PhotoStatus, number> {
    const result: Record<PhotoStatus, number> = { pending: 0, ready: 0, failed: 0, gone: 0 };
    for (const row of this.stmt('SELECT status, COUNT(*) AS n FROM photos GROUP BY status').all() as {
      status: PhotoStatus;
      n: number;
    }[]) {
      result[row.status] = row.n;
    }
    return result;
  }

  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }
}

/** An int8 vector as a BLOB (null stays NULL). */
function blob(values: Int8Array | null | undefined): Buffer | null {
  return values ? Buffer.from(values.buffer, values.byteOffset, values.byteLength) : null;
}

/** A BLOB read back as int8 values (a view of the row's own buffer). */
function int8(value: Buffer | null): Int8Array | null {
  return value ? new Int8Array(value.buffer, value.byteOffset, value.byteLength) : null;
}
