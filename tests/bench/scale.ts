/**
 * `npm run bench:scale`: what `lookalike dupes` costs as the library grows to 100,000 photos (issue 21's scale
 * test): wall time, seconds per stage, pairs per photo at each stage and peak RSS, at several library sizes.
 *
 *   nice npm run bench:scale [-- --photos 10000,30000,100000] [--base DB] [--seed 1] [--threshold close]
 *                             [--out bench-results/scale.json]
 *
 * The libraries are made from a real scanned one (the base: `--base DB`, else the stress library of bench:dedup,
 * tests/bench/dedup/stress-set.ts, made and scanned here), so every photo has the codes, embeddings, variant codes
 * and thumbnail the scanner gave a real photo. A library of N photos is the base's ready photos laid down again as
 * independent "tiles" until there are N: tile t's codes are the base's with the bits of a random mask flipped (and
 * the embeddings' matching components negated), which keeps every distance and cosine inside a tile and puts
 * tiles ~32 bits apart, as unrelated photos are; its files get their own paths and content hashes (so no verdict
 * or exact copy is shared between tiles) and the base's thumbnails. A tile is therefore as crowded as the base:
 * with the stress library that is a library made entirely of look-alike photos (bursts, frames, one kind of
 * subject), a harder case than a real 100,000-photo library. Each size starts from an empty verdict memory;
 * the libraries are kept in $TMPDIR/lookalike-scale/ and reused.
 *
 * Its check of the answers: tiles are separate libraries, so a group that spans two tiles is a false duplicate
 * (counted), and every tile should hold the base's groups (groups per tile is printed).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DuplicateSearchStats } from '../../electron/api/contract.js';
import { fromSqliteInteger, toSqliteInteger, wordsPerCode } from '../../model/codes.js';
import { seededRandom } from '../helpers/reference-search.js';
import { table } from './dedup/report.js';
import { runCli, scanStressLibrary, SEARCH_STAGE_HEADER, searchStageCells } from './dedup/stress.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const SIZES = option('photos', '10000,30000,100000').split(',').map(Number);
const SEED = Number(option('seed', '1'));
const THRESHOLD = option('threshold', 'close');
const BASE = process.argv.includes('--base') ? path.resolve(option('base', '')) : undefined;
const OUT = option('out', 'bench-results/scale.json');
/** Bump when the way a scaled library is made changes: older libraries in $TMPDIR are made again. */
const SCALE_LIBRARY_VERSION = 1;

const log = (message: string) => process.stderr.write(`${message}\n`);

interface ScaleRun {
  photos: number;
  tiles: number;
  dbMB: number;
  dupesSeconds: number;
  dupesPeakMB: number | null;
  stats: DuplicateSearchStats;
  groups: number;
  groupsAcrossTiles: number;
}

/** The tile of a scaled photo, from its path (`…/tile-<t>/name`); tile 0 keeps the base's paths. */
function tileOf(file: string): number {
  const m = /[\\/]tile-(\d+)[\\/][^\\/]*$/.exec(file);
  return m ? Number(m[1]) : 0;
}

/** Flips the bits of `mask` in a stored code (SQLite's signed integer) and negates those embedding components. */
function masked(
  code: bigint,
  bits: number,
  embedding: Buffer | null,
  mask: Uint32Array,
): { code: bigint; embedding: Buffer | null } {
  const words = fromSqliteInteger(code, bits);
  for (let w = 0; w < words.length; w++) words[w] ^= mask[w];
  let flipped: Buffer | null = null;
  if (embedding) {
    const values = new Int8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength);
    const out = new Int8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const flip = i < bits && (mask[i >>> 5] >>> (i & 31)) & 1;
      out[i] = flip ? Math.max(-127, -values[i]) : values[i];
    }
    flipped = Buffer.from(out.buffer);
  }
  return { code: toSqliteInteger(words, bits), embedding: flipped };
}

/** A library of `photos` ready photos made from the base catalog (see the header), kept and reused. */
function scaledLibrary(base: string, photos: number): { db: string; tiles: number } {
  const key = createHash('sha256')
    .update(`${path.resolve(base)}:${statSync(base).mtimeMs}:${SCALE_LIBRARY_VERSION}`)
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(os.tmpdir(), 'lookalike-scale');
  mkdirSync(dir, { recursive: true });
  const db = path.join(dir, `library-${photos}-${key}.db`);
  const source = new Database(base, { readonly: true });
  const baseIds = (
    source.prepare(`SELECT id FROM photos WHERE status = 'ready' ORDER BY id`).all() as { id: number }[]
  ).map((r) => r.id);
  const tiles = Math.ceil(photos / baseIds.length);
  if (existsSync(db)) {
    source.close();
    return { db, tiles };
  }
  const building = `${db}.building`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${building}${suffix}`, { force: true });
  log(`scale: making a library of ${photos} photos (${tiles} tiles of ${baseIds.length}) in ${db}`);
  source.prepare('VACUUM INTO ?').run(building);
  source.close();
  const out = new Database(building);
  out.pragma('journal_mode = OFF');
  out.pragma('synchronous = OFF');
  out.exec(`DELETE FROM pixel_verdicts; DELETE FROM photos WHERE status <> 'ready';`);
  const columns = (out.prepare('PRAGMA table_info(photos)').all() as { name: string }[]).map((c) => c.name);
  const insertPhoto = out.prepare(
    `INSERT INTO photos (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  const insertCode = out.prepare(
    'INSERT INTO codes (photo_id, kind, code, bits, head_version, embedding) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertVariant = out.prepare(
    'INSERT INTO code_variants (photo_id, kind, orientation, code, embedding) VALUES (?, ?, ?, ?, ?)',
  );
  const copyThumbnail = out.prepare(
    'INSERT INTO thumbnails (photo_id, width, height, webp) SELECT ?, width, height, webp FROM thumbnails WHERE photo_id = ?',
  );
  const photoRow = out.prepare('SELECT * FROM photos WHERE id = ?');
  const codeRows = out
    .prepare('SELECT kind, code, bits, head_version, embedding FROM codes WHERE photo_id = ?')
    .safeIntegers(true);
  const variantRows = out
    .prepare('SELECT kind, orientation, code, embedding FROM code_variants WHERE photo_id = ?')
    .safeIntegers(true);
  const stride = (out.prepare('SELECT MAX(id) AS m FROM photos').get() as { m: number }).m + 1;
  const random = seededRandom(SEED);
  let made = baseIds.length;
  for (let t = 1; t < tiles && made < photos; t++) {
    const masks = new Map<number, Uint32Array>();
    const maskFor = (bits: number) => {
      let mask = masks.get(bits);
      if (!mask) {
        mask = new Uint32Array(wordsPerCode(bits)).map(() => Math.floor(random() * 2 ** 32));
        masks.set(bits, mask);
      }
      return mask;
    };
    out.transaction(() => {
      for (const id of baseIds) {
        if (made >= photos) break;
        const row = photoRow.get(id) as Record<string, unknown>;
        const newId = id + t * stride;
        const file = String(row.path);
        insertPhoto.run({
          ...row,
          id: newId,
          path: path.join(path.dirname(file), `tile-${t}`, path.basename(file)),
          content_hash: row.content_hash === null ? null : `${String(row.content_hash)}:tile-${t}`,
        });
        for (const c of codeRows.all(id) as {
          kind: string;
          code: bigint;
          bits: bigint;
          head_version: string;
          embedding: Buffer | null;
        }[]) {
          const bits = Number(c.bits);
          const m = masked(c.code, bits, c.embedding, maskFor(bits));
          insertCode.run(newId, c.kind, m.code, bits, c.head_version, m.embedding);
        }
        const bitsOf = new Map(
          (codeRows.all(id) as { kind: string; bits: bigint }[]).map((c) => [c.kind, Number(c.bits)] as const),
        );
        for (const v of variantRows.all(id) as {
          kind: string;
          orientation: bigint;
          code: bigint;
          embedding: Buffer | null;
        }[]) {
          const bits = bitsOf.get(v.kind) ?? 64;
          const m = masked(v.code, bits, v.embedding, maskFor(bits));
          insertVariant.run(newId, v.kind, v.orientation, m.code, m.embedding);
        }
        copyThumbnail.run(newId, id);
        made++;
      }
    })();
    if (t % 10 === 0) log(`scale: ${made} of ${photos} photos`);
  }
  // The last tile may be partial; tile 0 is cut when N is below the base's size.
  if (photos < baseIds.length) out.prepare('DELETE FROM photos WHERE id > ?').run(baseIds[photos - 1]);
  out.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  renameSync(building, db);
  return { db, tiles };
}

async function main(): Promise<void> {
  let base = BASE;
  if (!base) {
    const stress = await scanStressLibrary({ seed: SEED });
    base = stress.db;
  }
  const runs: ScaleRun[] = [];
  for (const photos of SIZES) {
    const { db, tiles } = scaledLibrary(base, photos);
    // An empty verdict memory for each run: a copy of the made library.
    const copy = `${db}.run.db`;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
    const source = new Database(db, { readonly: true });
    source.prepare('VACUUM INTO ?').run(copy);
    source.close();
    log(`scale: dupes --threshold ${THRESHOLD} on ${photos} photos`);
    const dupes = runCli(['dupes', '--db', copy, '--threshold', THRESHOLD, '--json']);
    const result = JSON.parse(dupes.stdout) as { groups: { files: { path: string }[] }[]; stats: DuplicateSearchStats };
    const acrossTiles = result.groups.filter((g) => new Set(g.files.map((f) => tileOf(f.path))).size > 1).length;
    runs.push({
      photos,
      tiles,
      dbMB: statSync(db).size / 2 ** 20,
      dupesSeconds: dupes.seconds,
      dupesPeakMB: dupes.peakMB,
      stats: result.stats,
      groups: result.groups.length,
      groupsAcrossTiles: acrossTiles,
    });
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
  }
  console.log(`\n## dupes --threshold ${THRESHOLD} against library size (base ${base})\n`);
  console.log(
    table(
      [
        'photos',
        'tiles',
        ...SEARCH_STAGE_HEADER,
        'dupes s',
        'ms per photo',
        'peak RSS MB',
        'groups',
        'groups across tiles',
      ],
      runs.map((r) => [
        r.stats.photos,
        r.tiles,
        ...searchStageCells(r.stats),
        r.dupesSeconds.toFixed(1),
        ((1000 * r.dupesSeconds) / r.stats.photos).toFixed(2),
        r.dupesPeakMB === null ? 'n/a' : r.dupesPeakMB.toFixed(0),
        r.groups,
        r.groupsAcrossTiles,
      ]),
    ),
  );
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ base, threshold: THRESHOLD, runs }, null, 2));
  log(`wrote ${OUT}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
