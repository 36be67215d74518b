/**
 * Codes another model made: a new similarity head re-hashes stored descriptors without decoding and leaves
 * every duplicate code alone; a new duplicate head makes the scan decode the photos again.
 */
import { renameSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { SUPPORTED_EXTENSIONS } from '../../model/image/decode.js';
import { toSqliteInteger } from '../../model/codes.js';
import { createAnalyzer, dequantizeDescriptor, type PhotoEncoder } from './analyzer.js';
import { Catalog } from './catalog/catalog.js';
import { rehashStaleCodes } from './rehash.js';
import { scanFolders } from './scanner.js';
import {
  averageHashEncoder,
  averageHashHead,
  brightnessHead,
  type FixtureHead,
  writeFixtureLibrary,
} from '../../tests/helpers/fixture-encoder.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';

const extensions = new Set(SUPPORTED_EXTENSIONS);
const PHOTOS = 12;
const VARIANTS = [2, 3, 6] as const;

let dir: string;
let photos: string;
let catalog: Catalog;

function encoderWith(heads: { dup?: FixtureHead; sim?: FixtureHead }, counter?: { encodes: number }): PhotoEncoder {
  return averageHashEncoder(counter, { heads, variants: VARIANTS });
}

function scan(encoder: PhotoEncoder) {
  return scanFolders(catalog, [photos], { extensions, analyzer: createAnalyzer(encoder), encoder });
}

type Row = Record<string, unknown>;
const rows = (sql: string): Row[] => catalog.db.prepare(sql).safeIntegers(true).all() as Row[];
const dupCodes = () => rows(`SELECT * FROM codes WHERE kind = 'dup' ORDER BY photo_id`);
const simCodes = () => rows(`SELECT * FROM codes WHERE kind = 'sim' ORDER BY photo_id`);
const variants = () => rows('SELECT * FROM code_variants ORDER BY photo_id, kind, orientation');

/** What the similarity head makes of each photo's stored (int8) descriptor. */
function expectedSimCodes(head: FixtureHead): Map<bigint, bigint> {
  const stored = catalog.db.prepare('SELECT photo_id, data, scale FROM descriptors').safeIntegers(true).all() as {
    photo_id: bigint;
    data: Buffer;
    scale: number;
  }[];
  return new Map(
    stored.map((d) => {
      const data = new Int8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength);
      return [d.photo_id, toSqliteInteger(head.hash(dequantizeDescriptor(data, Number(d.scale))), 64)];
    }),
  );
}

beforeEach(async () => {
  dir = tempDir('rehash');
  photos = path.join(dir, 'photos');
  await writeFixtureLibrary(photos, PHOTOS);
  catalog = Catalog.open(path.join(dir, 'library.db'));
  // The library as the first model left it: the average hash serves both searches.
  await scan(encoderWith({}));
  return () => catalog.close();
});

describe('a new similarity head', () => {
  it('re-hashes every similarity code from the stored descriptor, touching no duplicate code and no file', async () => {
    const dupBefore = dupCodes();
    const variantsBefore = variants();
    const simBefore = simCodes();
    expect(dupBefore).toHaveLength(PHOTOS);
    expect(variantsBefore).toHaveLength(PHOTOS * VARIANTS.length);
    expect(simBefore.every((r) => r.head_version === averageHashHead.version)).toBe(true);
    // Duplicate codes and their variants carry embeddings (64 int8 values); similarity codes none.
    const isEmbedding = (r: Row) => r.embedding instanceof Buffer && r.embedding.length === 64;
    expect(dupBefore.every(isEmbedding) && variantsBefore.every(isEmbedding)).toBe(true);
    expect(simBefore.every((r) => r.embedding === null)).toBe(true);
    // No photo can be decoded now: the folder is gone.
    renameSync(photos, `${photos}-elsewhere`);
    const counter = { encodes: 0 };
    const progress: number[] = [];
    const rehashed = await rehashStaleCodes(catalog, encoderWith({ sim: brightnessHead }, counter), {
      batchSize: 5,
      onProgress: (p) => p.phase === 'rehash' && progress.push(p.done),
    });
    expect(rehashed).toBe(PHOTOS);
    expect(counter.encodes).toBe(0);
    expect(progress).toEqual([5, 10, 12]);

    expect(dupCodes()).toEqual(dupBefore); // embeddings included
    expect(variants()).toEqual(variantsBefore);
    const expected = expectedSimCodes(brightnessHead);
    const simAfter = simCodes();
    expect(simAfter).toHaveLength(PHOTOS);
    for (const row of simAfter) {
      expect(row).toMatchObject({ head_version: brightnessHead.version, bits: 64n });
      expect(row.code).toBe(expected.get(row.photo_id as bigint));
    }
    // The new head really disagrees with the old one, so the check above can tell them apart.
    expect(simAfter.filter((row, i) => row.code !== simBefore[i].code).length).toBeGreaterThan(PHOTOS / 2);
    expect(simAfter.filter((row, i) => row.code !== dupBefore[i].code).length).toBeGreaterThan(PHOTOS / 2);

    // Up to date now: nothing left to re-hash.
    expect(await rehashStaleCodes(catalog, encoderWith({ sim: brightnessHead }))).toBe(0);
  });

  it('is caught up by the next scan without decoding; a photo without a usable descriptor is decoded again', async () => {
    const dupBefore = dupCodes();
    const variantsBefore = variants();
    const [first] = catalog.codes('dup').ids;
    // This photo's descriptor came from another backbone: it cannot be re-hashed, only re-encoded.
    catalog.db.prepare(`UPDATE descriptors SET backbone_version = 'older' WHERE photo_id = ?`).run(first);
    const counter = { encodes: 0 };
    const summary = await scan(encoderWith({ sim: brightnessHead }, counter));
    expect(summary).toMatchObject({ unchanged: PHOTOS, reencoded: 1, rehashed: PHOTOS - 1, failed: [] });
    expect(counter.encodes).toBe(1 + VARIANTS.length);
    expect(dupCodes()).toEqual(dupBefore); // same duplicate head: re-encoding one photo gives the same code
    expect(variants()).toEqual(variantsBefore);
    expect(new Set(simCodes().map((r) => r.head_version))).toEqual(new Set([brightnessHead.version]));
    const again = await scan(encoderWith({ sim: brightnessHead }, counter));
    expect(again).toMatchObject({ unchanged: PHOTOS, reencoded: 0, rehashed: 0 });
  });
});

describe('a new duplicate head', () => {
  it('makes the scan decode every photo again, since its variant codes need the pixels', async () => {
    const newDup: FixtureHead = { version: 'brightness-as-dup', hash: brightnessHead.hash };
    const counter = { encodes: 0 };
    const summary = await scan(encoderWith({ dup: newDup }, counter));
    expect(summary).toMatchObject({ unchanged: PHOTOS, reencoded: PHOTOS, rehashed: 0, failed: [] });
    expect(counter.encodes).toBe(PHOTOS * (1 + VARIANTS.length));
    expect(new Set(dupCodes().map((r) => r.head_version))).toEqual(new Set([newDup.version]));
    expect(new Set(simCodes().map((r) => r.head_version))).toEqual(new Set([averageHashHead.version]));
    const counts = catalog.db.prepare('SELECT MIN(encode_count) AS min FROM photos').get() as { min: number };
    expect(counts.min).toBe(2);
    // Once re-encoded, the next scan has nothing to do.
    expect(await scan(encoderWith({ dup: newDup }, counter))).toMatchObject({ reencoded: 0, rehashed: 0 });
    expect(counter.encodes).toBe(PHOTOS * (1 + VARIANTS.length));
  });
});
