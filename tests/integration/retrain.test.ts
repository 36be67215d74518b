import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { MIN_ALBUM_PHOTOS, retrainSimilarity } from '../../electron/library/retrain.js';
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
  return { catalog, encoder: averageHashEncoder() };
}

describe('retraining the similarity head on albums', () => {
  it('learns what the albums share, measured on held-out photos against the head in use, and writes nothing', async () => {
    const { catalog, encoder } = await library({ dim: 14, mid: 14, bright: 14 });
    const codes = () => JSON.stringify(catalog.codes('sim'), (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    const before = codes();
    const progress: number[] = [];
    const result = await retrainSimilarity(
      catalog,
      encoder,
      { epochs: 20, threads: 1 },
      { onProgress: (p) => p.phase === 'train' && progress.push(p.epoch) },
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
    for (const album of result.albums) expect(album.after, album.name).toBeGreaterThan(album.before);
    expect(codes()).toBe(before); // the library's codes are the head in use's until the user chooses the new one
  });

  it('refuses too few albums or an album too small, and an album that does not exist, in a sentence', async () => {
    const { catalog, encoder } = await library({ dim: 12, bright: 4 });
    await expect(retrainSimilarity(catalog, encoder, { albums: ['dim'] })).rejects.toThrow(
      /at least 2 albums; there is only "dim"/,
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
