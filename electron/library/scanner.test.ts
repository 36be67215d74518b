import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeForCatalog, SUPPORTED_EXTENSIONS } from '../../model/image/decode.js';
import { toSqliteInteger } from '../../model/codes.js';
import { syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';
import { createAnalyzer } from './analyzer.js';
import { Catalog } from './catalog/catalog.js';
import { scanFolders } from './scanner.js';
import {
  averageHashEncoder,
  averageHashHead,
  brightnessHead,
  fixtureDescriptor,
  writeFixtureLibrary,
} from '../../tests/helpers/fixture-encoder.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';

const extensions = new Set(SUPPORTED_EXTENSIONS);

let dir: string;
let photos: string;
let catalog: Catalog;
let counter: { encodes: number };

function scan(signal?: AbortSignal, onProgress?: Parameters<typeof scanFolders>[2]['onProgress']) {
  return scanFolders(catalog, [photos], {
    extensions,
    analyzer: createAnalyzer(averageHashEncoder(counter)),
    signal,
    onProgress,
  });
}

beforeEach(async () => {
  dir = tempDir('scan');
  photos = path.join(dir, 'photos');
  await writeFixtureLibrary(photos, 24);
  catalog = Catalog.open(path.join(dir, 'library.db'));
  counter = { encodes: 0 };
  return () => catalog.close();
});

describe('scanner', () => {
  it('adds every photo in mixed formats, with thumbnails, codes and descriptors', async () => {
    const summary = await scan();
    expect(summary).toMatchObject({ added: 24, updated: 0, unchanged: 0, moved: 0, removed: 0, failed: [] });
    expect(catalog.counts()).toMatchObject({ ready: 24, failed: 0, pending: 0 });
    expect(counter.encodes).toBe(24);
    const formats = new Set(
      (catalog.db.prepare('SELECT format FROM photos').all() as { format: string }[]).map((r) => r.format),
    );
    expect(formats).toEqual(new Set(['jpeg', 'png', 'webp', 'tiff', 'gif', 'avif']));
    expect(catalog.codes('dup').ids).toHaveLength(24);
    const first = catalog.photoByPath(path.join(photos, 'set-0', 'photo-00000.jpg'))!;
    expect(catalog.thumbnail(first.id)?.webp.subarray(8, 12).toString()).toBe('WEBP');
    expect(first).toMatchObject({ width: 64, height: 64, status: 'ready', encodeCount: 1 });
  });

  it('stores a duplicate and a similarity code per photo, each with its head version; variants get the duplicate code', async () => {
    const encoder = averageHashEncoder(counter, { heads: { sim: brightnessHead }, variants: [6, 2] });
    await scanFolders(catalog, [photos], { extensions, analyzer: createAnalyzer(encoder) });
    expect(counter.encodes).toBe(24 * 3);
    const dup = catalog.codes('dup');
    const sim = catalog.codes('sim');
    expect([dup.ids.length, dup.bits, [...dup.headVersions]]).toEqual([24, 64, [averageHashHead.version]]);
    expect([sim.ids.length, sim.bits, [...sim.headVersions]]).toEqual([24, 64, [brightnessHead.version]]);
    // Each code is its own head's hash of the photo's model input (one decode served both).
    for (const [i, id] of dup.ids.entries()) {
      const { model } = await decodeForCatalog(catalog.photoById(id)!.path, { modelSize: 8 });
      const grey = fixtureDescriptor(model);
      expect(dup.codes[i]).toBe(toSqliteInteger(averageHashHead.hash(grey), 64));
      expect(sim.codes[sim.ids.indexOf(id)]).toBe(toSqliteInteger(brightnessHead.hash(grey), 64));
    }
    expect(dup.codes.filter((code, i) => code !== sim.codes[i]).length).toBeGreaterThan(20);
    expect(catalog.variantCodes('dup')).toHaveLength(24 * 2);
    expect(catalog.variantCodes('sim')).toHaveLength(0);
  });

  it('is incremental: a second scan decodes nothing', async () => {
    await scan();
    const again = await scan();
    expect(again).toMatchObject({ added: 0, unchanged: 24, failed: [] });
    expect(counter.encodes).toBe(24);
  });

  it('groups exact copies by content hash and never decodes a copy', async () => {
    await scan();
    const original = path.join(photos, 'set-0', 'photo-00001.png');
    mkdirSync(path.join(photos, 'copies'));
    copyFileSync(original, path.join(photos, 'copies', 'a.png'));
    copyFileSync(original, path.join(photos, 'copies', 'b.png'));
    const summary = await scan();
    expect(summary).toMatchObject({ added: 2, unchanged: 24 });
    expect(counter.encodes).toBe(24);
    const groups = catalog.exactDuplicateGroups();
    expect(groups).toHaveLength(1);
    expect(groups[0].map((p) => path.basename(p.path)).sort()).toEqual(['a.png', 'b.png', 'photo-00001.png']);
    expect(catalog.codes('dup').ids).toHaveLength(26);
  });

  it('recognises a moved file by its content and keeps its albums and codes', async () => {
    await scan();
    const from = path.join(photos, 'set-0', 'photo-00002.webp');
    const before = catalog.photoByPath(from)!;
    const album = catalog.albums.create('Holidays');
    catalog.albums.add(album, [before.id]);
    mkdirSync(path.join(photos, 'renamed'));
    const to = path.join(photos, 'renamed', 'beach.webp');
    renameSync(from, to);
    const summary = await scan();
    expect(summary).toMatchObject({ moved: 1, added: 0, removed: 0, unchanged: 23 });
    const after = catalog.photoByPath(to)!;
    expect(after.id).toBe(before.id);
    expect(after.status).toBe('ready');
    expect(catalog.albums.photoIds(album)).toEqual([before.id]);
    expect(counter.encodes).toBe(24);
  });

  it('marks deleted files gone and re-analyses changed ones', async () => {
    await scan();
    rmSync(path.join(photos, 'set-0', 'photo-00003.tif'));
    const changed = path.join(photos, 'set-0', 'photo-00000.jpg');
    copyFileSync(path.join(photos, 'set-0', 'photo-00006.jpg'), changed);
    const summary = await scan();
    expect(summary).toMatchObject({ removed: 1, updated: 1, unchanged: 22 });
    expect(catalog.counts()).toMatchObject({ gone: 1, ready: 23 });
  });

  it('records bad files with a clear error and goes on', async () => {
    const bad = path.join(photos, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'empty.jpg'), '');
    writeFileSync(path.join(bad, 'text.jpg'), 'this is not an image at all');
    const jpeg = path.join(photos, 'set-0', 'photo-00006.jpg');
    const bytes = (await import('node:fs')).readFileSync(jpeg);
    writeFileSync(path.join(bad, 'truncated.jpg'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const summary = await scan();
    // Added counts photos added to the library; the three unreadable files are failures only.
    expect(summary.added).toBe(24);
    expect(summary.failed.map((f) => path.basename(f.path)).sort()).toEqual(['empty.jpg', 'text.jpg', 'truncated.jpg']);
    for (const f of summary.failed) expect(f.error.length).toBeGreaterThan(5);
    expect(catalog.counts()).toMatchObject({ ready: 24, failed: 3 });
  });

  it('reports a symbolic-link loop and an unreadable path without failing the scan', async () => {
    symlinkSync(photos, path.join(photos, 'set-0', 'loop'));
    const summary = await scan();
    expect(summary.added).toBe(24);
    expect(summary.failed.some((f) => f.error.includes('loop'))).toBe(true);
    const missing = await scanFolders(catalog, [path.join(dir, 'nope')], {
      extensions,
      analyzer: createAnalyzer(averageHashEncoder()),
    });
    expect(missing.failed).toEqual([{ path: path.join(dir, 'nope'), error: 'file disappeared' }]);
  });

  it('cancels promptly and resumes without analysing any committed photo twice', async () => {
    const controller = new AbortController();
    await expect(
      scan(controller.signal, (p) => {
        if (p.phase === 'encode' && p.done === 10) controller.abort();
      }),
    ).rejects.toThrow();
    const partial = catalog.counts().ready;
    expect(partial).toBeGreaterThanOrEqual(10);
    expect(partial).toBeLessThan(24);
    const summary = await scan();
    expect(summary.failed).toEqual([]);
    expect(catalog.counts()).toMatchObject({ ready: 24, pending: 0 });
    const counts = catalog.db.prepare('SELECT MAX(encode_count) AS max FROM photos').get() as { max: number };
    expect(counts.max).toBe(1);
  });

  it('handles a file that changes or disappears while it is being analysed', async () => {
    const real = createAnalyzer(averageHashEncoder(counter));
    const changing = path.join(photos, 'set-0', 'photo-00000.jpg');
    const vanishing = path.join(photos, 'set-0', 'photo-00006.jpg');
    const analyzer = {
      async analyze(file: string, signal: AbortSignal) {
        const result = await real.analyze(file, signal);
        if (file === changing) writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from('appended')]));
        if (file === vanishing) rmSync(file);
        return result;
      },
    };
    const summary = await scanFolders(catalog, [photos], { extensions, analyzer });
    expect(summary.failed).toEqual([{ path: changing, error: expect.stringContaining('changed during the scan') }]);
    expect(catalog.photoByPath(changing)?.status).toBe('pending');
    expect(catalog.photoByPath(vanishing)?.status).toBe('gone');
    const again = await scan();
    expect(again).toMatchObject({ updated: 1, failed: [] });
    expect(catalog.photoByPath(changing)?.status).toBe('ready');
  });

  it('analyses identical files met in the same scan only once', async () => {
    mkdirSync(path.join(photos, 'copies'));
    for (let i = 0; i < 4; i++)
      copyFileSync(path.join(photos, 'set-0', 'photo-00001.png'), path.join(photos, 'copies', `c${i}.png`));
    const summary = await scanFolders(catalog, [photos], {
      extensions,
      analyzer: createAnalyzer(averageHashEncoder(counter)),
      concurrency: 4,
    });
    expect(summary).toMatchObject({ added: 28, failed: [] });
    expect(counter.encodes).toBe(24);
    expect(catalog.counts().ready).toBe(28);
  });

  it('records the capture date and camera from EXIF', async () => {
    const file = path.join(photos, 'exif.jpg');
    const pixels = syntheticPhoto({ width: 64, height: 48, seed: 3 });
    await sharp(pixels.data, { raw: { width: 64, height: 48, channels: 3 } })
      .withExif({ IFD0: { Make: 'Canon', Model: 'EOS 5D' }, IFD2: { DateTimeOriginal: '2019:07:14 12:00:00' } })
      .jpeg()
      .toFile(file);
    await scan();
    const photo = catalog.photoByPath(file)!;
    expect(photo.camera).toBe('Canon EOS 5D');
    expect(photo.takenAt?.slice(0, 10)).toBe('2019-07-14');
    expect(catalog.photoByPath(path.join(photos, 'set-0', 'photo-00000.jpg'))?.takenAt).toBeNull();
  });
});
