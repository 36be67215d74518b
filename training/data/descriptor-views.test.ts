import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawImage } from '../../model/types.js';
import {
  appendViews,
  loadDescriptorViews,
  nthView,
  padCropMirror,
  randomView,
  writeDescriptorViews,
  type DescriptorViews,
} from './descriptor-views.js';
import { createRandom } from '../compute/rng.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';

/** A 5 × 3 grey picture whose value at (x, y) is 10·y + x. */
const picture: RawImage = {
  width: 5,
  height: 3,
  channels: 1,
  data: Uint8Array.from({ length: 15 }, (_, i) => 10 * Math.floor(i / 5) + (i % 5)),
};
const rowsOf = (image: RawImage) =>
  Array.from({ length: image.height }, (_, y) =>
    Array.from(image.data.subarray(y * image.width, (y + 1) * image.width)),
  );

describe('padCropMirror', () => {
  it('gives the picture back at the centre offset, and mirrors it left–right', () => {
    expect(rowsOf(padCropMirror(picture, { dx: 2, dy: 2, mirror: false }, 2))).toEqual(rowsOf(picture));
    expect(rowsOf(padCropMirror(picture, { dx: 2, dy: 2, mirror: true }, 2))).toEqual([
      [4, 3, 2, 1, 0],
      [14, 13, 12, 11, 10],
      [24, 23, 22, 21, 20],
    ]);
  });

  it('fills what lies outside by reflection, without repeating the edge', () => {
    // Window at (0, 0) of the picture padded by 2: x reads −2 … 2 → 2 1 0 1 2, y reads −2 … 0 → 2 1 0.
    expect(rowsOf(padCropMirror(picture, { dx: 0, dy: 0, mirror: false }, 2))).toEqual([
      [22, 21, 20, 21, 22],
      [12, 11, 10, 11, 12],
      [2, 1, 0, 1, 2],
    ]);
    // Window at (4, 3): x reads 2 … 6 → 2 3 4 3 2, y reads 1 … 3 → 1 2 1.
    expect(rowsOf(padCropMirror(picture, { dx: 4, dy: 3, mirror: false }, 2))).toEqual([
      [12, 13, 14, 13, 12],
      [22, 23, 24, 23, 22],
      [12, 13, 14, 13, 12],
    ]);
  });

  it('moves every channel of a pixel together', () => {
    const rgb: RawImage = { width: 2, height: 1, channels: 3, data: Uint8Array.of(1, 2, 3, 4, 5, 6) };
    expect(Array.from(padCropMirror(rgb, { dx: 1, dy: 1, mirror: true }, 1).data)).toEqual([4, 5, 6, 1, 2, 3]);
  });
});

describe('randomView', () => {
  it('draws every offset in 0 … 2·pad and mirrors about half of the views', () => {
    const random = createRandom(3);
    const seen = new Set<string>();
    let mirrored = 0;
    for (let i = 0; i < 2000; i++) {
      const v = randomView(random, 2);
      expect(v.dx).toBeGreaterThanOrEqual(0);
      expect(v.dx).toBeLessThanOrEqual(4);
      expect(v.dy).toBeGreaterThanOrEqual(0);
      expect(v.dy).toBeLessThanOrEqual(4);
      seen.add(`${v.dx},${v.dy}`);
      if (v.mirror) mirrored++;
    }
    expect(seen.size).toBe(25);
    expect(mirrored / 2000).toBeGreaterThan(0.45);
    expect(mirrored / 2000).toBeLessThan(0.55);
  });
});

describe('nthView', () => {
  it('makes the first view the whole mirror image and draws the others', () => {
    const random = createRandom(5);
    expect(nthView(0, random, 4)).toEqual({ dx: 4, dy: 4, mirror: true });
    const drawn = Array.from({ length: 50 }, () => nthView(1, random, 4));
    expect(drawn.some((v) => v.dx !== 4 || v.dy !== 4)).toBe(true);
    expect(drawn.some((v) => !v.mirror)).toBe(true);
  });
});

describe('appendViews', () => {
  const train = { features: Float32Array.of(1, 1, 2, 2), dim: 2, count: 2, labels: Int32Array.of(7, 9) };
  // Views of full-set rows 30 (train item 1), 12 (not a training row) and 10 (train item 0).
  const views: DescriptorViews = {
    dim: 2,
    sources: Int32Array.of(30, 12, 10),
    features: Float32Array.of(3, 3, 4, 4, 5, 5),
  };

  it("appends the training rows' views as items labelled like their source, and nothing else", () => {
    const joined = appendViews(train, [10, 30], views);
    expect(joined.count).toBe(4);
    expect(Array.from(joined.features)).toEqual([1, 1, 2, 2, 3, 3, 5, 5]);
    expect(Array.from(joined.labels)).toEqual([7, 9, 9, 7]);
  });

  it('refuses views of another width', () => {
    expect(() => appendViews(train, [10, 30], { ...views, dim: 3 })).toThrow(/2-d/);
  });

  it('round-trips through the files the exporter writes, per split seed', () => {
    const dir = tempDir('views');
    writeDescriptorViews(dir, 2, views);
    const loaded = loadDescriptorViews(dir, 2)!;
    expect(Array.from(loaded.sources)).toEqual([30, 12, 10]);
    expect(Array.from(loaded.features)).toEqual([3, 3, 4, 4, 5, 5]);
    expect(loadDescriptorViews(dir, 1)).toBeNull();
  });

  it('refuses views described by another backbone than the descriptors beside them', () => {
    const dir = tempDir('views');
    const descriptors = (backboneVersion: string) =>
      writeFileSync(
        path.join(dir, 'descriptors.json'),
        JSON.stringify({ count: 0, dim: 2, labels: [], backboneVersion }),
      );
    writeDescriptorViews(dir, 1, { ...views, backboneVersion: 'mnv2-a' });
    descriptors('mnv2-a');
    expect(loadDescriptorViews(dir, 1)!.backboneVersion).toBe('mnv2-a');
    descriptors('mnv2-b');
    expect(() => loadDescriptorViews(dir, 1)).toThrow(/mnv2-a.*mnv2-b/);
  });
});
