import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { dequantizeDescriptor } from '../../electron/library/analyzer.js';
import { useSimilarityHead } from '../../electron/library/head-switch.js';
import { MIN_ALBUM_PHOTOS, retrainSimilarity } from '../../electron/library/retrain.js';
import { toSqliteInteger } from '../../model/codes.js';
import { editImage, encodeImage } from '../../model/image/decode.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// Retraining the similarity head on albums, end to end from a scanned library: the fixture encoder's descriptors
// (8×8 grey) and its average-hash similarity head, blind to brightness by construction. Each album holds photos of
// one brightness (dim, mid, bright), so what the albums share is exactly what the head in use cannot see.
let app: App | null = null;
afterEach(() => app?.close());

const BRIGHTNESS = { dim: 0.35, mid: 0.8, bright: 1.8 };

async function library(perAlbum: Record<string, number>) {
  const dir = tempDir('retrain');
  const photos = path.join(dir, 'photos');
  mkdirSync(photos);
  const names: Record<string, string[]> = {};
  let seed = 300;
  for (const [album, count] of Object.entries(perAlbum)) {
    const brightness = BRIGHTNESS[album as keyof typeof BRIGHTNESS] ?? 1;
    names[album] = [];
    for (let i = 0; i < count; i++) {
      const photo = await editImage(syntheticPhoto({ width: 96, height: 72, seed: seed++ }), [
        { op: 'modulate', brightness },
      ]);
      const file = path.join(photos, `${album}-${i}.png`);
      writeFileSync(file, await encodeImage(photo, 'png'));
      names[album].push(file);
    }
  }
  app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
  await app.dispatcher.call('scan.run', { folders: [photos] });
  const catalog = app.library.get();
  for (const [album, files] of Object.entries(names)) {
    const id = catalog.albums.create(album);
    catalog.albums.add(
      id,
      files.map((f) => catalog.photoByPath(f)!.id),
    );
  }
  return { catalog, encoder: averageHashEncoder(), names, photos };
}

/** Each photo's code of `kind`, as stored (version included), by id. */
function storedCodes(catalog: ReturnType<App['library']['get']>, kind: 'dup' | 'sim') {
  return catalog.db
    .prepare(
      'SELECT photo_id AS id, code, bits, head_version AS version, embedding FROM codes WHERE kind = ? ORDER BY photo_id',
    )
    .safeIntegers(true)
    .all(kind) as { id: bigint; code: bigint; bits: bigint; version: string; embedding: Buffer | null }[];
}

describe('retraining the similarity head on albums', () => {
  it('learns what the albums share, measured on held-out photos against the head in use, and writes nothing', async () => {
    const { catalog, encoder } = await library({ dim: 14, mid: 14, bright: 14 });
    const codes = () => JSON.stringify(catalog.codes('sim'), (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    const before = codes();
    const progress: number[] = [];
    let heldOutMap: number | null = null;
    const result = await retrainSimilarity(
      catalog,
      encoder,
      { epochs: 20, threads: 1 },
      {
        onProgress: (p) => {
          if (p.phase !== 'train') return;
          progress.push(p.epoch);
          heldOutMap = p.mapValidation;
        },
      },
    );
    expect(result.photos).toBe(42);
    expect(progress).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(result.albums.map((a) => [a.name, a.photos + a.heldOut])).toEqual([
      ['bright', 14],
      ['dim', 14],
      ['mid', 14],
    ]);
    for (const album of result.albums) expect(album.heldOut).toBeGreaterThanOrEqual(2);
    expect(result.metadata).toMatchObject({ bits: encoder.codes.sim.bits, inputDim: 64 });
    expect(result.after.map).toBeGreaterThan(result.before.map + 0.2);
    // The progress's held-out MAP after the last epoch is the new head's, as its exported graph measures it.
    expect(heldOutMap).toBeCloseTo(result.after.map, 6);
    for (const album of result.albums) expect(album.after, album.name).toBeGreaterThan(album.before);
    expect(codes()).toBe(before); // the library's codes are the head in use's until the user chooses the new one
  });

  it('refuses too few albums or an album too small, and an album that does not exist, in a sentence', async () => {
    const { catalog, encoder } = await library({ dim: 12, bright: 4 });
    await expect(retrainSimilarity(catalog, encoder, { albums: ['dim'] })).rejects.toThrow(
      /at least 2 albums; there is only "dim"\. Make another album first\./,
    );
    await expect(retrainSimilarity(catalog, encoder, { albums: [] })).rejects.toThrow(
      /at least 2 albums; there are none yet\. Make albums of photos that belong together first\./,
    );
    await expect(retrainSimilarity(catalog, encoder)).rejects.toThrow(
      new RegExp(`Album "bright" has 4 photos .*at least ${MIN_ALBUM_PHOTOS} in every album`),
    );
    await expect(retrainSimilarity(catalog, encoder, { albums: ['dim', 'holidays'] })).rejects.toThrow(
      /no album named "holidays"/,
    );
    // What the trainer is given: each photo of the albums once, with all its albums.
    const [dim, bright] = [catalog.albums.byName('dim')!.id, catalog.albums.byName('bright')!.id];
    const shared = catalog.albums.photoIds(dim)[0]!;
    catalog.albums.add(bright, [shared]);
    const rows = catalog.albums.trainingPhotos(encoder.backboneVersion!);
    expect(rows).toHaveLength(16);
    expect(rows.find((r) => r.id === shared)!.albums).toEqual([dim, bright].sort((a, b) => a - b));
    expect(rows[0]!.data).toHaveLength(64);
    expect(catalog.albums.trainingPhotos(encoder.backboneVersion!, [bright])).toHaveLength(5);
    expect(catalog.albums.trainingPhotos('another backbone')).toEqual([]);
  });

  it('keeps the new head, switches every similarity code to it at once, and goes back; duplicate codes untouched', async () => {
    const { catalog, encoder, names, photos } = await library({ dim: 14, mid: 14, bright: 14 });
    const dispatcher = app!.dispatcher;
    const [dup, sim] = [storedCodes(catalog, 'dup'), storedCodes(catalog, 'sim')];
    const variants = () => catalog.db.prepare('SELECT * FROM code_variants ORDER BY photo_id, kind, orientation').all();
    const dupVariants = variants();
    const shipped = encoder.codes.sim.version;

    const trained = await dispatcher.call('train.run', { epochs: 20 });
    expect(trained.model).toMatch(new RegExp(`^${encoder.backboneVersion}\\+head-[0-9a-f]{16}$`));
    expect(trained).toMatchObject({ photos: 42, albums: 3, inUse: shipped });
    expect(trained.after.map).toBeGreaterThan(trained.before.map + 0.2);
    expect(storedCodes(catalog, 'sim')).toEqual(sim); // kept, not used
    let { heads } = await dispatcher.call('model.list', {});
    expect(heads.map((h) => [h.version, h.shipped, h.inUse])).toEqual([
      [shipped, true, true],
      [trained.model, false, false],
    ]);

    // "More like this" for a dim photo: its own album with the new head, not with the shipped one.
    const sameAlbum = async () => {
      const { results } = await dispatcher.call('similar.find', { path: names.dim[0]!, limit: 10 });
      return results.filter((r) => path.basename(r.path).startsWith('dim-')).length;
    };
    const before = await sameAlbum();
    const switched = await dispatcher.call('model.use', { version: trained.model });
    expect(switched).toEqual({ version: trained.model, rehashed: 42 });
    const now = storedCodes(catalog, 'sim');
    expect(new Set(now.map((c) => c.version))).toEqual(new Set([trained.model]));
    expect(now.filter((c, i) => c.code !== sim[i]!.code).length).toBeGreaterThan(30);
    expect(storedCodes(catalog, 'dup')).toEqual(dup);
    expect(variants()).toEqual(dupVariants);
    expect(await sameAlbum()).toBeGreaterThan(before);
    expect(await sameAlbum()).toBeGreaterThanOrEqual(9);
    ({ heads } = await dispatcher.call('model.list', {}));
    expect(heads.map((h) => h.inUse)).toEqual([false, true]);

    // A photo scanned now gets the new head's code.
    writeFileSync(
      path.join(photos, 'new.png'),
      await encodeImage(
        await editImage(syntheticPhoto({ width: 96, height: 72, seed: 999 }), [{ op: 'modulate', brightness: 0.35 }]),
        'png',
      ),
    );
    await dispatcher.call('scan.run', { folders: [photos] });
    const added = catalog.photoByPath(path.join(photos, 'new.png'))!.id;
    expect(storedCodes(catalog, 'sim').find((c) => Number(c.id) === added)!.version).toBe(trained.model);

    // Back to the shipped head: its codes again, re-made from the stored (int8) descriptors, so a bit at the
    // fixture's threshold may differ from the scan's; the duplicate codes byte for byte.
    expect(await dispatcher.call('model.reset', {})).toEqual({ version: shipped, rehashed: 43 });
    const reset = storedCodes(catalog, 'sim').filter((c) => Number(c.id) !== added);
    expect(reset.map((c) => [c.id, c.version])).toEqual(sim.map((c) => [c.id, shipped]));
    const stored = catalog.rehashableDescriptors('sim', 'no such head', encoder.backboneVersion!, 0, 1000);
    const expected = await encoder.hash(
      'sim',
      stored.map((d) => dequantizeDescriptor(d.data, d.scale)),
    );
    expect(reset.map((c) => c.code)).toEqual(
      stored.flatMap((d, i) => (d.id === added ? [] : [toSqliteInteger(expected[i]!, 64)])),
    );
    expect(storedCodes(catalog, 'dup').filter((c) => Number(c.id) !== added)).toEqual(dup);
    await expect(dispatcher.call('model.use', { version: 'head-nope' })).rejects.toThrow(
      /no similarity head head-nope/,
    );
  });

  it('retrains with DRLIH’s sequential bit policy too, and the library’s similarity codes come from that head', async () => {
    const { catalog, names } = await library({ dim: 12, mid: 12, bright: 12 });
    // "More like this" for a dim photo: how many of its 8 nearest are in its album.
    const sameAlbum = async () => {
      const { results } = await app!.dispatcher.call('similar.find', { path: names.dim[0]!, limit: 8 });
      return results.filter((r) => path.basename(r.path).startsWith('dim-')).length;
    };
    const before = await sameAlbum();
    const trained = await app!.dispatcher.call('train.run', { epochs: 20, method: 'drlih', use: true });
    expect(trained.after.map).toBeGreaterThan(trained.before.map + 0.2);
    expect(trained.inUse).toBe(trained.model);
    expect(new Set(storedCodes(catalog, 'sim').map((c) => c.version))).toEqual(new Set([trained.model]));
    const { heads } = await app!.dispatcher.call('model.list', {});
    expect(heads.find((h) => h.version === trained.model)).toBeDefined();
    const after = await sameAlbum();
    console.log(`DRLIH head: ${before} → ${after} of the dim photo's 8 nearest in its album`);
    expect(after).toBeGreaterThan(before);
  });

  it('switches to the new head right away with `use` when it ranks the held-out photos better', async () => {
    const { catalog } = await library({ dim: 12, bright: 12 });
    const trained = await app!.dispatcher.call('train.run', { epochs: 20, use: true });
    expect(trained.after.map).toBeGreaterThan(trained.before.map);
    expect(trained.inUse).toBe(trained.model);
    expect(app!.library.similarityHead()).toBe(trained.model);
    expect(new Set(storedCodes(catalog, 'sim').map((c) => c.version))).toEqual(new Set([trained.model]));
  });

  it('leaves the head in use when a switch is cancelled', async () => {
    const { catalog } = await library({ dim: 10, bright: 10 });
    const { model } = await app!.dispatcher.call('train.run', { epochs: 2 });
    const sim = storedCodes(catalog, 'sim');
    const controller = new AbortController();
    controller.abort();
    await expect(useSimilarityHead(app!.library, model, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(storedCodes(catalog, 'sim')).toEqual(sim);
    expect(app!.library.similarityHead()).toBeNull();
  });

  it('refuses a damaged head and leaves the head in use', async () => {
    const { catalog } = await library({ dim: 10, bright: 10 });
    const dispatcher = app!.dispatcher;
    const { model } = await dispatcher.call('train.run', { epochs: 2 });
    const sim = storedCodes(catalog, 'sim');
    const file = path.join(app!.library.heads.dir, `${model.replace(/[^A-Za-z0-9._-]/g, '_')}.onnx`);
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from('tampered')]));
    await expect(dispatcher.call('model.use', { version: model })).rejects.toThrow(/damaged.*model reset/);
    expect(storedCodes(catalog, 'sim')).toEqual(sim);
    expect(app!.library.similarityHead()).toBeNull();
  });

  it('stops when cancelled, with nothing made', async () => {
    const { catalog, encoder } = await library({ dim: 10, bright: 10 });
    const controller = new AbortController();
    const run = retrainSimilarity(
      catalog,
      encoder,
      { epochs: 50, threads: 1 },
      { signal: controller.signal, onProgress: (p) => p.phase === 'train' && p.epoch === 2 && controller.abort() },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});
