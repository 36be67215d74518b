import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { encodedVariants } from '../../electron/core/model-host.js';
import { averageHashEncoder, brightnessHead } from '../helpers/fixture-encoder.js';
import { encodeImage, resizeImage } from '../../model/image/decode.js';
import type { RawImage } from '../../model/types.js';
import { tempDir } from '../helpers/temp-dir.js';

// Each search reads its own code: duplicates the 'dup' code (average hash: structure), similar photos the
// 'sim' code (brightness). The photos are made so the two codes disagree about which photos belong together.
const dir = tempDir('kinds');
const photos = path.join(dir, 'photos');
let app: App;

function picture(value: (x: number, y: number) => number, size = 64): RawImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) data.fill(value(x / size, y / size), (y * size + x) * 3, (y * size + x) * 3 + 3);
  return { data, width: size, height: size, channels: 3 };
}

/** Left half bright: mid-grey on average. */
const split = picture((x) => (x < 0.5 ? 255 : 0));
const files: Record<string, RawImage> = {
  'split.png': split,
  // The same structure, dark: the same duplicate code, a far brightness code.
  'split-dark.png': picture((x) => (x < 0.5 ? 60 : 0)),
  // A checkerboard of 8×8 cells, mid-grey on average: the brightness code of `split`, a far duplicate code.
  'checker.png': picture((x, y) => ((Math.floor(x * 8) + Math.floor(y * 8)) % 2 ? 255 : 0)),
};

beforeAll(async () => {
  mkdirSync(photos);
  for (const [name, image] of Object.entries(files))
    writeFileSync(path.join(photos, name), await encodeImage(image, 'png'));
  // A bigger copy of `split`: near in both codes.
  writeFileSync(path.join(photos, 'split-big.png'), await encodeImage(await resizeImage(split, 128, 'fill'), 'png'));
  app = createApp({
    dbPath: path.join(dir, 'library.db'),
    loadEncoder: async ({ geometric }) =>
      averageHashEncoder(undefined, {
        heads: { sim: brightnessHead },
        variants: encodedVariants({ geometric }),
      }),
  });
  await app.dispatcher.call('scan.run', { folders: [photos] });
});
afterAll(() => app.close());

/** Hamming distance between two photos' stored codes of one kind. */
function distance(kind: 'dup' | 'sim', a: string, b: string): number {
  const catalog = app.library.get();
  const { ids, codes } = catalog.codes(kind);
  const code = (name: string) => codes[ids.indexOf(catalog.photoByPath(path.join(photos, name))!.id)];
  let diff = BigInt.asUintN(64, code(a) ^ code(b));
  let n = 0;
  for (; diff; diff &= diff - 1n) n++;
  return n;
}

describe('code kinds', () => {
  it('stores codes that disagree (the premise of the tests below)', () => {
    expect(distance('dup', 'split.png', 'split-dark.png')).toBe(0);
    expect(distance('dup', 'split.png', 'checker.png')).toBeGreaterThanOrEqual(24);
    expect(distance('sim', 'split.png', 'checker.png')).toBeLessThanOrEqual(1);
    expect(distance('sim', 'split.png', 'split-dark.png')).toBeGreaterThanOrEqual(20);
  });

  it('groups duplicates by the duplicate code (and its rotated/mirrored codes) only', async () => {
    for (const geometric of [false, true]) {
      const { groups } = await app.dispatcher.call('dupes.find', { threshold: 'loose', geometric });
      expect(groups.map((g) => g.files.map((f) => path.basename(f.path)).sort())).toEqual([
        ['split-big.png', 'split-dark.png', 'split.png'],
      ]);
    }
  });

  it("ranks a photo's copies (the duplicate code's matches) first, then the others by the similarity code only", async () => {
    const { results } = await app.dispatcher.call('similar.find', { path: path.join(photos, 'split.png'), limit: 3 });
    // The copies by the duplicate code, though split-dark is far by the similarity code.
    expect(
      results
        .filter((r) => r.copy)
        .map((r) => path.basename(r.path))
        .sort(),
    ).toEqual(['split-big.png', 'split-dark.png']);
    expect(results.map((r) => r.copy)).toEqual([true, true, false]);
    // Then the nearest by the similarity code: the checkerboard, far by the duplicate code.
    expect(path.basename(results[2].path)).toBe('checker.png');
    for (const r of results) expect(r.distance).toBe(distance('sim', 'split.png', path.basename(r.path)));
  });
});
