/**
 * Versioned migrations. MIGRATIONS[i] upgrades a database from schema i to i + 1; the schema version is
 * SQLite's `user_version`. Never edit a released migration: append a new one.
 */

/** A step of the schema, given the database it runs on (db.ts opens it and runs the steps it lacks). */
export type Migration = (db: { exec(sql: string): unknown }) => void;

export const MIGRATIONS: Migration[] = [
  // 1: the first catalog.
  (db) =>
    db.exec(`
      CREATE TABLE roots (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        added_at TEXT NOT NULL
      );
      CREATE TABLE photos (
        id INTEGER PRIMARY KEY,
        root_id INTEGER REFERENCES roots(id) ON DELETE SET NULL,
        path TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        content_hash TEXT,
        width INTEGER,
        height INTEGER,
        format TEXT,
        taken_at TEXT,
        camera TEXT,
        orientation INTEGER,
        -- pending: seen, not yet analysed; ready: codes stored; failed: see error; gone: file no longer on disk
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed', 'gone')),
        error TEXT,
        encode_count INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL
      );
      CREATE INDEX photos_by_hash ON photos(content_hash);
      CREATE INDEX photos_by_status ON photos(status);

      -- One row per photo and code kind ('dup': duplicate head, 'sim': similarity head).
      -- code is the packed little-endian code as a signed 64-bit integer (K <= 64).
      CREATE TABLE codes (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('dup', 'sim')),
        code INTEGER NOT NULL,
        bits INTEGER NOT NULL,
        head_version TEXT NOT NULL,
        PRIMARY KEY (photo_id, kind)
      ) WITHOUT ROWID;

      -- Backbone descriptors, int8 with a per-vector scale, so a new head re-encodes without decoding.
      CREATE TABLE descriptors (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        backbone_version TEXT NOT NULL,
        dim INTEGER NOT NULL,
        scale REAL NOT NULL,
        data BLOB NOT NULL
      );

      CREATE TABLE albums (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE album_photos (
        album_id INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        PRIMARY KEY (album_id, photo_id)
      ) WITHOUT ROWID;

      CREATE TABLE thumbnails (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        webp BLOB NOT NULL
      );
    `),
  // 2: per-library settings (keep rule, threshold, geometric matching) and a lookup by root.
  (db) =>
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE INDEX photos_by_root ON photos(root_id);
    `),
  // 3: codes of a photo's rotated and mirrored versions (EXIF orientation numbers 2..8), for geometric matching.
  (db) =>
    db.exec(`
      CREATE TABLE code_variants (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('dup', 'sim')),
        orientation INTEGER NOT NULL CHECK (orientation BETWEEN 2 AND 8),
        code INTEGER NOT NULL,
        PRIMARY KEY (photo_id, kind, orientation)
      ) WITHOUT ROWID;
    `),
  // 4: the duplicate head's output per code, for verifying candidate pairs (model/embedding.ts): K int8
  // values of the L2-normalised logits. Only 'dup' rows fill it; NULL where the library predates it.
  (db) =>
    db.exec(`
      ALTER TABLE codes ADD COLUMN embedding BLOB;
      ALTER TABLE code_variants ADD COLUMN embedding BLOB;
    `),
  // 5: code_variants also holds the greyscale version of the upright picture (colour invariance), stored as
  // orientation 9 = greyscale version of the upright picture; 2..8 stay the rotated/mirrored ones. SQLite cannot
  // alter a CHECK, so the table is rebuilt with its rows.
  (db) =>
    db.exec(`
      CREATE TABLE code_variants_v5 (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('dup', 'sim')),
        orientation INTEGER NOT NULL CHECK (orientation BETWEEN 2 AND 9),
        code INTEGER NOT NULL,
        embedding BLOB,
        PRIMARY KEY (photo_id, kind, orientation)
      ) WITHOUT ROWID;
      INSERT INTO code_variants_v5 (photo_id, kind, orientation, code, embedding)
        SELECT photo_id, kind, orientation, code, embedding FROM code_variants;
      DROP TABLE code_variants;
      ALTER TABLE code_variants_v5 RENAME TO code_variants;
    `),
  // 6: the photo's size without uniform borders (frames, letterbox bars), in its own pixels; the keep rule's
  // resolution (electron/search/duplicates/keep.ts). NULL for photos analysed before: the rule falls back to width × height.
  (db) =>
    db.exec(`
      ALTER TABLE photos ADD COLUMN content_width INTEGER;
      ALTER TABLE photos ADD COLUMN content_height INTEGER;
    `),
  // 7: verdicts of the pixel check (electron/search/pixels/pixel-check.ts), by the content hashes of the two files, so a
  // duplicate search compares only pairs no earlier search judged, across runs, rescans, moves and renames. `rule`
  // is the check's version and rule (pixelRuleKey); `orientation` turns photo `a` (1: upright, then a < b); `same`
  // is 1 for one picture. Rows whose files left the catalog are pruned after a scan.
  (db) =>
    db.exec(`
      CREATE TABLE pixel_verdicts (
        rule TEXT NOT NULL,
        a TEXT NOT NULL,
        orientation INTEGER NOT NULL CHECK (orientation BETWEEN 1 AND 8),
        b TEXT NOT NULL,
        same INTEGER NOT NULL CHECK (same IN (0, 1)),
        PRIMARY KEY (rule, a, orientation, b)
      ) WITHOUT ROWID;
    `),
  // 8: code_variants also holds the picture inside its uniform borders (frames, letterbox bars), stored as
  // orientation 10 = TRIMMED_VARIANT, for photos that have borders. The table is rebuilt with its rows, as in 5.
  (db) =>
    db.exec(`
      CREATE TABLE code_variants_v8 (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('dup', 'sim')),
        orientation INTEGER NOT NULL CHECK (orientation BETWEEN 2 AND 10),
        code INTEGER NOT NULL,
        embedding BLOB,
        PRIMARY KEY (photo_id, kind, orientation)
      ) WITHOUT ROWID;
      INSERT INTO code_variants_v8 (photo_id, kind, orientation, code, embedding)
        SELECT photo_id, kind, orientation, code, embedding FROM code_variants;
      DROP TABLE code_variants;
      ALTER TABLE code_variants_v8 RENAME TO code_variants;
    `),
  // 9: how a kept pixel verdict was reached: `compared` is the pair's own comparison ('copy', 'same', 'different'),
  // NULL a verdict inferred from the pair's families (or kept before this column). A search replays its rounds from
  // the compared ones, so one resumed after an interruption finds what an uninterrupted one finds.
  (db) =>
    db.exec(`
      ALTER TABLE pixel_verdicts ADD COLUMN compared TEXT CHECK (compared IN ('copy', 'same', 'different'));
    `),
  // 10: pairs of pictures the user said are not duplicates ("Not duplicates" on a group): a search never groups them
  // again. By the content hashes of the two files (a <= b), as pixel verdicts are: the mark follows a file that
  // moves or is renamed, and holds for a byte-identical copy of either; (h, h) marks identical files themselves.
  (db) =>
    db.exec(`
      CREATE TABLE apart_pairs (
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        marked_at TEXT NOT NULL,
        PRIMARY KEY (a, b),
        CHECK (a <= b)
      ) WITHOUT ROWID;
    `),
  // 11: which process is running a library job (a scan, a trash action, a retrain or a switch of the similarity
  // head), so that a second Lookalike (another window, the command line) waits for it instead of running beside it.
  (db) =>
    db.exec(`
      CREATE TABLE library_lock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        token TEXT NOT NULL,
        what TEXT NOT NULL,
        started_at TEXT NOT NULL
      );
    `),
  // 12: the journal of the last move to the trash, a row a file (it was one JSON value, rewritten whole for each
  // file: quadratic for a move of thousands). `state`: 'moving' before the file moves, 'moved' once recorded.
  // `added_albums`: JSON array of the albums the kept copy joined for this photo alone (undo takes them back).
  (db) =>
    db.exec(`
      CREATE TABLE trash_journal (
        photo_id INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL,
        path TEXT NOT NULL,
        root_id INTEGER NOT NULL,
        size INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        keeper_id INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('moving', 'moved')),
        added_albums TEXT NOT NULL DEFAULT '[]'
      );
    `),
  // 13: the library grid's sort orders as indexes of the ready photos (catalog.ts's photosPage reads a page through
  // them), so a page of a 100,000-photo library does not sort the whole library. The expressions are photosPage's,
  // character for character: the name without its folder, the date taken (else the file's time), the size.
  (db) =>
    db.exec(`
      CREATE INDEX photos_ready_by_name
        ON photos(lower(replace(path, rtrim(path, replace(replace(path, '\\', '/'), '/', '')), '')), path)
        WHERE status = 'ready';
      CREATE INDEX photos_ready_by_date
        ON photos(coalesce(taken_at, datetime(mtime_ms / 1000, 'unixepoch')) DESC, path) WHERE status = 'ready';
      CREATE INDEX photos_ready_by_size ON photos(size DESC, path) WHERE status = 'ready';
      CREATE INDEX photos_ready_by_folder ON photos(path) WHERE status = 'ready';
    `),
  // 14: which turned codes are of the photo's canonical orientations (model/variants.ts, canonicalOrientations):
  // those are matched against each other as well as against upright codes. Rows stored before (0) are the six
  // fixed orientations 2..7, matched against upright codes and canonical ones.
  (db) => db.exec(`ALTER TABLE code_variants ADD COLUMN canonical INTEGER NOT NULL DEFAULT 0;`),
  // 15: what the keep rule measured in files (electron/search/duplicates/keep-facts.ts): a file's cheap facts
  // ('file'), its sharpness ('sharpness'), whether file `a` is only file `b` enlarged ('enlargement'; '' for the
  // others), by content hash, so a search run again (after a move to the trash, another threshold or keep rule)
  // does not decode the files again. `version` is the measures' version; `value` is JSON. Rows whose files left
  // the catalog are pruned after a scan.
  (db) =>
    db.exec(`
      CREATE TABLE keep_facts (
        version TEXT NOT NULL,
        a TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('file', 'sharpness', 'enlargement')),
        b TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (version, a, kind, b)
      ) WITHOUT ROWID;
    `),
  // 16: how many frames or pages the file holds (an animated GIF or WebP, a multi-page TIFF; 1: a still), so that an
  // animation is never taken for a copy of a still of its first frame. NULL: analysed before; a GIF, WebP or TIFF
  // among those is analysed again by the next scan (Catalog.photosToReencode).
  (db) => db.exec(`ALTER TABLE photos ADD COLUMN frames INTEGER;`),
];
