import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { Catalog } from '../../electron/library/catalog/catalog.js';
import { type KeepMeasures, MEASURED_HERE, type MeasuredFile } from '../../electron/search/duplicates/keep-facts.js';
import { KEEP_MEASURES_VERSION, KeptMeasures } from '../../electron/search/duplicates/kept-measures.js';
import { editImage, encodeImage } from '../../model/image/decode.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

let app: App | null = null;
let catalog: Catalog | null = null;
afterEach(() => {
  catalog?.close();
  catalog = null;
  app?.close();
  app = null;
});

/** MEASURED_HERE, counting the files it reads. */
function counting(): KeepMeasures & { calls: number } {
  const measures = {
    calls: 0,
    fileFacts: (file: MeasuredFile, thumbnail: Uint8Array | undefined) => {
      measures.calls++;
      return MEASURED_HERE.fileFacts(file, thumbnail);
    },
    isEnlargement: (large: MeasuredFile, small: MeasuredFile) => {
      measures.calls++;
      return MEASURED_HERE.isEnlargement(large, small);
    },
    sharpness: (file: MeasuredFile) => {
      measures.calls++;
      return MEASURED_HERE.sharpness(file);
    },
  };
  return measures;
}

describe('what the keep rule measured, kept in the library', () => {
  it('is read back by the next search instead of measured again, and follows the files’ contents', async () => {
    const dir = tempDir('kept-measures');
    const photo = syntheticPhoto({ width: 480, height: 360, seed: 21 });
    const files = {
      'photo.jpg': await encodeImage(photo, 'jpeg', { quality: 92 }),
      'half.jpg': await encodeImage(await editImage(photo, [{ op: 'resize', width: 240, height: 180 }]), 'jpeg', {
        quality: 92,
      }),
      'resaved.jpg': await encodeImage(photo, 'jpeg', { quality: 60 }),
      'copy.png': await encodeImage(photo, 'png'),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
    const dbPath = path.join(dir, 'library.db');
    app = createApp({ dbPath, loadEncoder: async () => averageHashEncoder() });
    const call = app.dispatcher.call.bind(app.dispatcher);
    await call('scan.run', { folders: [dir] });
    const found = async () =>
      (await call('dupes.find', { threshold: 'close' })).groups.map((g) =>
        g.files.map((f) => `${path.basename(f.path)}${f.keep ? ' (keep)' : ''}`),
      );

    const first = await found();
    expect(first).toHaveLength(1);
    expect(first[0]).toHaveLength(4);
    catalog = Catalog.open(dbPath);
    const rows = [...catalog.keepFacts.each(KEEP_MEASURES_VERSION)];
    const hashes = catalog.contentHashes();
    expect(new Set(rows.filter((r) => r.kind === 'file').map((r) => r.a))).toEqual(new Set(hashes.values()));
    // The copies of one size tied with the keeper were measured for sharpness.
    expect(rows.some((r) => r.kind === 'sharpness')).toBe(true);
    // The second search proposes the same, from the kept measures.
    expect(await found()).toEqual(first);

    // Read back, each answer is what measuring the file gives, and no file is read.
    const photos = catalog.photosByIds([...hashes.keys()]);
    const measured = photos.map((p) => ({
      id: p.id,
      path: p.path,
      format: p.format,
      width: p.width ?? 0,
      height: p.height ?? 0,
      jpegQuality: null,
    }));
    const reader = counting();
    const kept = new KeptMeasures(catalog, hashes, reader);
    for (const f of measured) {
      const thumbnail = catalog.thumbnail(f.id)?.webp;
      expect(await kept.fileFacts(f, thumbnail)).toEqual(await MEASURED_HERE.fileFacts(f, thumbnail));
    }
    const sharpnessRows = rows.filter((r) => r.kind === 'sharpness');
    for (const f of measured.filter((m) => sharpnessRows.some((r) => r.a === hashes.get(m.id))))
      expect(await kept.sharpness(f)).toBe(await MEASURED_HERE.sharpness(f));
    expect(reader.calls).toBe(0);
    expect(kept.counts.kept).toBe(measured.length + sharpnessRows.length);

    // A file that cannot be read now is measured again next time: nothing is kept of it.
    const missing = { ...measured[0], id: -1, path: path.join(dir, 'gone.jpg') };
    const unreadable = new KeptMeasures(catalog, new Map([...hashes, [-1, 'no-such-content']]), reader);
    expect(await unreadable.sharpness(missing)).toBeNull();
    expect(await unreadable.sharpness(missing)).toBeNull();
    expect(reader.calls).toBe(2);

    // A file whose content changes is measured anew, and what was kept of its old content goes at the next scan.
    const resaved = photos.find((p) => p.path.endsWith('resaved.jpg'))!;
    const oldHash = hashes.get(resaved.id)!;
    catalog.close();
    catalog = null;
    writeFileSync(resaved.path, await encodeImage(syntheticPhoto({ width: 480, height: 360, seed: 99 }), 'jpeg'));
    rmSync(path.join(dir, 'copy.png'));
    await call('scan.run', { folders: [dir] });
    catalog = Catalog.open(dbPath);
    const left = [...catalog.keepFacts.each(KEEP_MEASURES_VERSION)];
    expect(left.some((r) => r.a === oldHash || r.b === oldHash)).toBe(false);
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(rows.length);
  });
});
