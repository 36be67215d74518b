import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Catalog,
  GREYSCALE_VARIANT,
  type GridSort,
  gridPageSql,
  type PhotoAnalysis,
  TRIMMED_VARIANT,
  STORED_UPRIGHT_VARIANTS,
} from './catalog.js';
import { SCHEMA_VERSION } from '../db.js';
import { MIGRATIONS } from '../schema.js';
import { tempDir } from '../../../tests/helpers/temp-dir.js';

const tmp = () => path.join(tempDir('catalog'), 'library.db');
const embedding = (seed: number) => Int8Array.from({ length: 64 }, (_, i) => ((i * 37 + seed * 11) % 255) - 127);

function analysis(seed: number, withEmbeddings = true): PhotoAnalysis {
  return {
    width: 640,
    height: 480,
    format: 'jpeg',
    takenAt: null,
    camera: null,
    orientation: null,
    codes: {
      dup: { code: BigInt(seed), bits: 64, headVersion: 'dup-v', embedding: withEmbeddings ? embedding(seed) : null },
      sim: { code: BigInt(-seed), bits: 64, headVersion: 'sim-v' },
    },
    variants: {
      dup: [
        { orientation: 6, code: BigInt(seed + 100), embedding: withEmbeddings ? embedding(seed + 100) : null },
        { orientation: 2, code: BigInt(seed + 200), embedding: withEmbeddings ? embedding(seed + 200) : null },
      ],
    },
    descriptor: null,
    thumbnail: null,
  };
}

/**
 * A library file left at schema `version` (the migrations up to it, nothing after) holding one ready photo,
 * id 1 at /p/old.jpg (with a stored size when given); returns the file and the still-open old database.
 */
function libraryAtVersion(version: number, size?: { width: number; height: number }) {
  const file = tmp();
  const old = new Database(file);
  for (const migrate of MIGRATIONS.slice(0, version)) migrate(old);
  old.pragma(`user_version = ${version}`);
  old
    .prepare(
      `INSERT INTO photos (id, path, size, mtime_ms, width, height, status, encode_count, first_seen, last_seen)
         VALUES (1, '/p/old.jpg', 1, 1, ?, ?, 'ready', 1, 'x', 'x')`,
    )
    .run(size?.width ?? null, size?.height ?? null);
  return { file, old };
}

let catalog: Catalog | null = null;
afterEach(() => catalog?.close());

function addPhoto(c: Catalog, name: string, contentHash = name): number {
  return c.upsertSeen({ path: `/p/${name}`, rootId: c.addRoot('/p'), size: 1, mtimeMs: 1, contentHash });
}

describe('catalog embeddings', () => {
  it('stores the duplicate code’s embedding and its variants’, reads them back, and copies them to an identical file', () => {
    catalog = Catalog.open(tmp());
    const c = catalog;
    const a = addPhoto(c, 'a.jpg', 'same');
    const b = addPhoto(c, 'b.jpg', 'other');
    c.transaction(() => {
      c.recordAnalysis(a, analysis(1));
      c.recordAnalysis(b, analysis(2, false));
    });
    const dup = c.codes('dup');
    expect(dup.ids).toEqual([a, b]);
    expect(dup.embeddings[0]).toEqual(embedding(1));
    expect(dup.embeddings[1]).toBeNull(); // stored without one
    expect(c.codes('sim').embeddings).toEqual([null, null]); // similarity codes carry none
    expect(c.variantCodes('dup').filter((v) => v.id === a)).toEqual([
      { id: a, orientation: 2, canonical: false, code: 201n, embedding: embedding(201) },
      { id: a, orientation: 6, canonical: false, code: 101n, embedding: embedding(101) },
    ]);
    expect(
      c
        .variantCodes('dup')
        .filter((v) => v.id === b)
        .map((v) => v.embedding),
    ).toEqual([null, null]);

    const copy = addPhoto(c, 'copy.jpg', 'same');
    c.transaction(() => c.copyAnalysis(copy, a));
    const after = c.codes('dup');
    expect(after.embeddings[after.ids.indexOf(copy)]).toEqual(embedding(1));
    expect(
      c
        .variantCodes('dup')
        .filter((v) => v.id === copy)
        .map((v) => v.embedding),
    ).toEqual([embedding(201), embedding(101)]);
  });

  it('stores which turned codes are of canonical orientations, and copies that with the analysis', () => {
    catalog = Catalog.open(tmp());
    const c = catalog;
    const a = addPhoto(c, 'a.jpg', 'same');
    const made = analysis(1);
    made.variants!.dup![0].canonical = true; // orientation 6
    c.transaction(() => c.recordAnalysis(a, made));
    const copy = addPhoto(c, 'copy.jpg', 'same');
    c.transaction(() => c.copyAnalysis(copy, a));
    for (const id of [a, copy])
      expect(
        c
          .variantCodes('dup')
          .filter((v) => v.id === id)
          .map((v) => [v.orientation, v.canonical]),
      ).toEqual([
        [2, false],
        [6, true],
      ]);
  });

  it('upgrades a version-3 library: its codes stay searchable without embeddings, and new analyses store them', () => {
    const { file, old } = libraryAtVersion(3);
    old.prepare(`INSERT INTO codes VALUES (1, 'dup', 42, 64, 'dup-v')`).run();
    old.prepare(`INSERT INTO code_variants VALUES (1, 'dup', 6, 43)`).run();
    old.close();

    catalog = Catalog.open(file);
    const c = catalog;
    expect(c.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(16);
    expect(c.codes('dup')).toMatchObject({ ids: [1], codes: [42n], embeddings: [null] });
    expect(c.variantCodes('dup')).toEqual([{ id: 1, orientation: 6, canonical: false, code: 43n, embedding: null }]);
    const fresh = addPhoto(c, 'new.jpg');
    c.transaction(() => c.recordAnalysis(fresh, analysis(3)));
    expect(c.codes('dup').embeddings).toEqual([null, embedding(3)]);
  });

  it('upgrades a version-4 library: its variants survive, and a greyscale variant (9) can be stored beside them', () => {
    const { file, old } = libraryAtVersion(4);
    old.prepare(`INSERT INTO codes VALUES (1, 'dup', 42, 64, 'dup-v', ?)`).run(Buffer.from(embedding(1).buffer));
    old.prepare(`INSERT INTO code_variants VALUES (1, 'dup', 6, 43, ?)`).run(Buffer.from(embedding(6).buffer));
    old.prepare(`INSERT INTO code_variants VALUES (1, 'dup', 2, -44, NULL)`).run();
    expect(() => old.prepare(`INSERT INTO code_variants VALUES (1, 'dup', 9, 45, NULL)`).run()).toThrow(/CHECK/);
    old.close();

    catalog = Catalog.open(file);
    const c = catalog;
    expect(c.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(c.variantCodes('dup')).toEqual([
      { id: 1, orientation: 2, canonical: false, code: -44n, embedding: null },
      { id: 1, orientation: 6, canonical: false, code: 43n, embedding: embedding(6) },
    ]);
    expect(c.variantCodes('dup', { orientations: [6] })).toEqual([
      { id: 1, orientation: 6, canonical: false, code: 43n, embedding: embedding(6) },
    ]);
    expect(c.variantCodes('dup', { orientations: [GREYSCALE_VARIANT] })).toEqual([]);
    const table = c.db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'code_variants'`).get() as { sql: string };
    expect(table.sql).toMatch(/WITHOUT ROWID/);
    expect(table.sql).toMatch(/PRIMARY KEY \(photo_id, kind, orientation\)/);
    // The new value is accepted, 11 is not, and deleting the photo still removes its variants.
    const grey = {
      ...analysis(5),
      variants: { dup: [{ orientation: GREYSCALE_VARIANT, code: 46n, embedding: embedding(9) }] },
    };
    c.transaction(() => c.recordAnalysis(1, grey));
    expect(c.variantCodes('dup')).toEqual([
      { id: 1, orientation: 9, canonical: false, code: 46n, embedding: embedding(9) },
    ]);
    expect(() => c.db.prepare(`INSERT INTO code_variants VALUES (1, 'sim', 11, 1, NULL, 0)`).run()).toThrow(/CHECK/);
    c.db.prepare('DELETE FROM photos WHERE id = 1').run();
    expect(c.db.prepare('SELECT COUNT(*) AS n FROM code_variants').get()).toEqual({ n: 0 });
  });

  it('upgrades a version-5 library: its photos survive with no content size, and new analyses store and copy it', () => {
    const { file, old } = libraryAtVersion(5, { width: 574, height: 574 });
    old.prepare(`INSERT INTO codes VALUES (1, 'dup', 42, 64, 'dup-v', NULL)`).run();
    old.close();

    catalog = Catalog.open(file);
    const c = catalog;
    expect(c.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(c.photoById(1)).toMatchObject({
      path: '/p/old.jpg',
      width: 574,
      height: 574,
      contentWidth: null,
      contentHeight: null,
    });
    expect(c.codes('dup')).toMatchObject({ ids: [1], codes: [42n] });

    const framed = addPhoto(c, 'framed.jpg', 'same');
    const copy = addPhoto(c, 'framed copy.jpg', 'same');
    c.transaction(() => c.recordAnalysis(framed, { ...analysis(7), contentWidth: 512, contentHeight: 400 }));
    c.transaction(() => c.copyAnalysis(copy, framed));
    expect(c.photoById(framed)).toMatchObject({ width: 640, height: 480, contentWidth: 512, contentHeight: 400 });
    expect(c.photoById(copy)).toMatchObject({ contentWidth: 512, contentHeight: 400 });
    // An analysis that did not measure it stores NULL, not a stale value.
    c.transaction(() => c.recordAnalysis(framed, analysis(8)));
    expect(c.photoById(framed)).toMatchObject({ contentWidth: null, contentHeight: null });
  });
});

describe('trimmed variants', () => {
  it('upgrades a version-7 library: its variants survive, and a trimmed variant (10) is stored and filtered', () => {
    const { file, old } = libraryAtVersion(7);
    old.prepare(`INSERT INTO codes VALUES (1, 'dup', 42, 64, 'dup-v', NULL)`).run();
    old.prepare(`INSERT INTO code_variants VALUES (1, 'dup', 9, 45, ?)`).run(Buffer.from(embedding(9).buffer));
    old.prepare(`INSERT INTO code_variants VALUES (1, 'dup', 3, -7, NULL)`).run();
    expect(() => old.prepare(`INSERT INTO code_variants VALUES (1, 'dup', 10, 46, NULL)`).run()).toThrow(/CHECK/);
    old.close();

    catalog = Catalog.open(file);
    const c = catalog;
    expect(c.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(c.variantCodes('dup')).toEqual([
      { id: 1, orientation: 3, canonical: false, code: -7n, embedding: null },
      { id: 1, orientation: 9, canonical: false, code: 45n, embedding: embedding(9) },
    ]);
    const b = addPhoto(c, 'b.jpg');
    c.transaction(() =>
      c.recordAnalysis(b, {
        ...analysis(2),
        variants: {
          dup: [
            { orientation: GREYSCALE_VARIANT, code: 47n, embedding: embedding(3) },
            { orientation: TRIMMED_VARIANT, code: 48n, embedding: embedding(4) },
            { orientation: 6, code: 49n, embedding: null },
          ],
        },
      }),
    );
    // Both upright variants, and no turned one, when geometric matching is off.
    expect(c.variantCodes('dup', { orientations: STORED_UPRIGHT_VARIANTS })).toEqual([
      { id: 1, orientation: 9, canonical: false, code: 45n, embedding: embedding(9) },
      { id: b, orientation: 9, canonical: false, code: 47n, embedding: embedding(3) },
      { id: b, orientation: 10, canonical: false, code: 48n, embedding: embedding(4) },
    ]);
    expect(c.variantCodes('dup', { orientations: [] })).toEqual([]);
    expect(c.variantCodes('dup')).toHaveLength(5);
    const table = c.db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'code_variants'`).get() as { sql: string };
    expect(table.sql).toMatch(/WITHOUT ROWID/);
    expect(() => c.db.prepare(`INSERT INTO code_variants VALUES (1, 'dup', 11, 1, NULL, 0)`).run()).toThrow(/CHECK/);
  });
});

describe('kept pixel-check verdicts', () => {
  it('upgrades a version-6 library, keeps verdicts per rule (a new one replaces the old), and prunes orphans', () => {
    const { file, old } = libraryAtVersion(6);
    old.close();
    catalog = Catalog.open(file);
    const c = catalog;
    expect(c.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const [a, b] = [addPhoto(c, 'a.jpg', 'hash-a'), addPhoto(c, 'b.jpg', 'hash-b')];
    c.transaction(() => [a, b].forEach((id, k) => c.recordAnalysis(id, analysis(k + 1))));
    expect(c.contentHashes()).toEqual(
      new Map([
        [a, 'hash-a'],
        [b, 'hash-b'],
      ]),
    );
    c.verdicts.add('r1', [
      { a: 'hash-a', orientation: 1, b: 'hash-b', same: true, compared: 'copy' },
      { a: 'hash-b', orientation: 6, b: 'hash-a', same: false, compared: 'different' },
      { a: 'hash-a', orientation: 1, b: 'hash-gone', same: true, compared: null },
    ]);
    c.verdicts.add('r2', [{ a: 'hash-a', orientation: 1, b: 'hash-b', same: false, compared: 'different' }]);
    c.verdicts.add('r1', [{ a: 'hash-a', orientation: 1, b: 'hash-b', same: false, compared: null }]);
    const sorted = (rule: string) => c.verdicts.list(rule).sort((x, y) => (x.b + x.a < y.b + y.a ? -1 : 1));
    expect(sorted('r1')).toEqual([
      { a: 'hash-b', orientation: 6, b: 'hash-a', same: false, compared: 'different' },
      { a: 'hash-a', orientation: 1, b: 'hash-b', same: false, compared: null },
      { a: 'hash-a', orientation: 1, b: 'hash-gone', same: true, compared: null },
    ]);
    expect(() => c.verdicts.add('r1', [{ a: 'x', orientation: 9, b: 'y', same: true, compared: 'same' }])).toThrow(
      /CHECK/,
    );
    expect(() =>
      c.verdicts.add('r1', [{ a: 'x', orientation: 1, b: 'y', same: true, compared: 'maybe' as 'same' }]),
    ).toThrow(/CHECK/);
    expect(c.verdicts.list('r1')).toHaveLength(3); // the failed batch left nothing behind
    // A file that is gone still has its row (it may come back); content no photo has is pruned.
    c.transaction(() => c.markGone(b));
    expect(c.verdicts.prune()).toBe(1);
    expect(c.verdicts.list('r1').map((v) => v.b)).toEqual(expect.arrayContaining(['hash-a', 'hash-b']));
    expect(c.verdicts.list('r1')).toHaveLength(2);
    expect(c.verdicts.list('r2')).toHaveLength(1);
  });
});

describe('the library grid', () => {
  it("reads a page through its sort order's index, never sorting the library, and sorts names without folders", () => {
    const c = (catalog = Catalog.open(tmp()));
    const root = c.addRoot('/p');
    const add = (file: string, size: number) => {
      const id = c.upsertSeen({ path: file, rootId: root, size, mtimeMs: size * 1000, contentHash: file });
      c.db.prepare(`UPDATE photos SET status = 'ready' WHERE id = ?`).run(id);
    };
    add('/p/b/Apple.jpg', 3);
    add('/p/a/mango.jpg', 1);
    add('C:\\p\\z\\banana.jpg', 2);
    add('/p/c/zebra.jpg', 4);
    for (const sort of ['name', 'date', 'size', 'folder'] as const) {
      const plan = (c.db.prepare(`EXPLAIN QUERY PLAN ${gridPageSql(sort)}`).all(10, 0) as { detail: string }[])
        .map((r) => r.detail)
        .join('; ');
      expect(plan).toContain(`photos_ready_by_${sort}`);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
    const names = (sort: GridSort) => c.photosPage(0, 10, sort).photos.map((p) => p.path);
    expect(names('name')).toEqual(['/p/b/Apple.jpg', 'C:\\p\\z\\banana.jpg', '/p/a/mango.jpg', '/p/c/zebra.jpg']);
    expect(names('size')).toEqual(['/p/c/zebra.jpg', '/p/b/Apple.jpg', 'C:\\p\\z\\banana.jpg', '/p/a/mango.jpg']);
    expect(names('date')).toEqual(names('size')); // newest first: the file times follow the sizes here
    expect(c.photosPage(1, 2, 'folder')).toEqual({ total: 4, photos: expect.any(Array) });
    expect(c.photosPage(1, 2, 'folder').photos.map((p) => p.path)).toEqual(['/p/b/Apple.jpg', '/p/c/zebra.jpg']);
  });
});
