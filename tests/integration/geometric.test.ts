import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { encodeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { orientPixels } from '../../model/image/orientation.js';
import { tempDir } from '../helpers/temp-dir.js';

// Geometric matching with the shipped query network: turned and mirrored copies are found only when it is on.
const dir = tempDir('geometric');
const photos = path.join(dir, 'photos');
let app: App;

beforeAll(async () => {
  mkdirSync(photos);
  const original = syntheticPhoto({ width: 480, height: 360, seed: 77 });
  writeFileSync(path.join(photos, 'original.jpg'), await encodeImage(original, 'jpeg', { quality: 92 }));
  writeFileSync(
    path.join(photos, 'turned-90.jpg'),
    await encodeImage(orientPixels(original, 6), 'jpeg', { quality: 92 }),
  );
  // 90° the other way: no photo stores that variant, so it is found from the turned copy's side.
  writeFileSync(
    path.join(photos, 'turned-270.jpg'),
    await encodeImage(orientPixels(original, 8), 'jpeg', { quality: 92 }),
  );
  writeFileSync(
    path.join(photos, 'mirrored.jpg'),
    await encodeImage(orientPixels(original, 2), 'jpeg', { quality: 92 }),
  );
  // The other four: upside down, flipped, and mirrored about either diagonal.
  for (const o of [3, 4, 5, 7] as const)
    writeFileSync(
      path.join(photos, `turned-o${o}.jpg`),
      await encodeImage(orientPixels(original, o), 'jpeg', { quality: 92 }),
    );
  for (let i = 0; i < 6; i++) {
    writeFileSync(
      path.join(photos, `other-${i}.jpg`),
      await encodeImage(syntheticPhoto({ width: 480, height: 360, seed: 900 + i }), 'jpeg'),
    );
  }
  app = createApp({ dbPath: path.join(dir, 'library.db') });
  await app.dispatcher.call('scan.run', { folders: [photos] });
});
afterAll(() => app.close());

const groupOf = (groups: { files: { path: string }[] }[], name: string) =>
  groups
    .find((g) => g.files.some((f) => path.basename(f.path) === name))
    ?.files.map((f) => path.basename(f.path))
    .sort();

describe('geometric matching', () => {
  it('is on by default and groups rotated and mirrored copies with the original', async () => {
    expect(await app.dispatcher.call('settings.get', {})).toEqual({
      geometric: true,
      preset: 'close',
      keepRule: { kind: 'best-quality' },
      watch: false,
    });
    const { groups } = await app.dispatcher.call('dupes.find', { threshold: 'very-close' });
    expect(groupOf(groups, 'original.jpg')).toEqual([
      'mirrored.jpg',
      'original.jpg',
      'turned-270.jpg',
      'turned-90.jpg',
      'turned-o3.jpg',
      'turned-o4.jpg',
      'turned-o5.jpg',
      'turned-o7.jpg',
    ]);
    for (const g of groups) expect(g.files.some((f) => path.basename(f.path).startsWith('other-'))).toBe(false);
  });

  it('stores at most two turned codes a photo, those of its canonical orientations', () => {
    const catalog = app.library.get();
    const turned = catalog.variantCodes('dup', { orientations: [2, 3, 4, 5, 6, 7, 8] });
    const perPhoto = new Map<number, number>();
    for (const v of turned) perPhoto.set(v.id, (perPhoto.get(v.id) ?? 0) + 1);
    expect(Math.max(...perPhoto.values())).toBeLessThanOrEqual(2);
    // Of the eight orientations of one picture, at most a margin's worth are canonical upright: most store one.
    expect(turned.length).toBeLessThan(2 * 14);
    expect(turned.every((v) => v.canonical)).toBe(true);
  });

  it('finds the turned copies of one photo as copies of it, and it as theirs', async () => {
    const { results } = await app.dispatcher.call('similar.find', {
      path: path.join(photos, 'turned-o5.jpg'),
      limit: 8,
    });
    expect(
      results
        .filter((r) => r.copy)
        .map((r) => path.basename(r.path))
        .sort(),
    ).toEqual([
      'mirrored.jpg',
      'original.jpg',
      'turned-270.jpg',
      'turned-90.jpg',
      'turned-o3.jpg',
      'turned-o4.jpg',
      'turned-o7.jpg',
    ]);
  });

  it('does not match turned copies when switched off', async () => {
    const { groups } = await app.dispatcher.call('dupes.find', { threshold: 'very-close', geometric: false });
    expect(groupOf(groups, 'turned-90.jpg')).toBeUndefined();
    await app.dispatcher.call('settings.set', { geometric: false });
    expect((await app.dispatcher.call('settings.get', {})).geometric).toBe(false);
  });
});
