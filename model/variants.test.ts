import { describe, expect, it } from 'vitest';
import {
  brightnessCentroid,
  canonicalOrientations,
  greyscalePixels,
  luma,
  turnCentroid,
  variantInputs,
  variantPixels,
} from './variants.js';
import { orientPixels, type Orientation } from './image/orientation.js';
import type { RawImage } from './types.js';
import { syntheticPhoto } from '../tests/helpers/synthetic-photo.js';

describe('greyscalePixels', () => {
  it('replaces each pixel by its rounded luma in all three channels', () => {
    const image = {
      data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]),
      width: 2,
      height: 2,
      channels: 3 as const,
    };
    const grey = greyscalePixels(image);
    expect([...grey.data]).toEqual([76, 76, 76, 150, 150, 150, 29, 29, 29, 18, 18, 18]);
    expect([grey.width, grey.height, grey.channels]).toEqual([2, 2, 3]);
    expect([...image.data.slice(0, 3)]).toEqual([255, 0, 0]); // the input is left as it is
  });

  it('rounds luma as Math.round does, for every 8-bit colour', () => {
    let mismatches = 0;
    for (let r = 0; r < 256; r++)
      for (let g = 0; g < 256; g++)
        for (let b = 0; b < 256; b++) if (luma(r, g, b) !== Math.round(0.299 * r + 0.587 * g + 0.114 * b)) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('leaves a grey picture unchanged', () => {
    const image = { data: new Uint8Array([7, 7, 7, 200, 200, 200]), width: 2, height: 1, channels: 3 as const };
    expect([...greyscalePixels(image).data]).toEqual([...image.data]);
  });
});

describe('variantPixels', () => {
  const model = { data: new Uint8Array([255, 0, 0, 0, 0, 255]), width: 2, height: 1, channels: 3 as const };
  const trimmed = { data: new Uint8Array([1, 2, 3]), width: 1, height: 1, channels: 3 as const };

  it('gives the trimmed model input as decoded, and none for a picture without borders', () => {
    expect(variantPixels({ model, trimmed }, 'trimmed')).toBe(trimmed);
    expect(variantPixels({ model, trimmed: null }, 'trimmed')).toBeNull();
  });

  it('derives the greyscale and turned variants from the model input', () => {
    expect([...variantPixels({ model, trimmed: null }, 'greyscale')!.data]).toEqual([76, 76, 76, 29, 29, 29]);
    expect([...variantPixels({ model, trimmed }, 2)!.data]).toEqual([0, 0, 255, 255, 0, 0]); // mirrored
  });
});

describe('canonical orientations', () => {
  const ALL: Orientation[] = [1, 2, 3, 4, 5, 6, 7, 8];
  // A photo-like picture, wider than high, brighter towards its top right.
  const photo = syntheticPhoto({ width: 48, height: 32, seed: 5 });
  const same = (a: RawImage, b: RawImage) => a.width === b.width && a.data.every((v, i) => v === b.data[i]);

  it('moves the brightness centroid as each orientation turns the pixels', () => {
    const centroid = brightnessCentroid(photo);
    for (const o of ALL) {
      const [x, y] = brightnessCentroid(orientPixels(photo, o));
      const [ex, ey] = turnCentroid(o, centroid);
      expect(x).toBeCloseTo(ex, 12);
      expect(y).toBeCloseTo(ey, 12);
    }
  });

  it('gives every turned and mirrored copy of a picture a canonical picture in common with it', () => {
    const own = canonicalOrientations(photo).map((o) => orientPixels(photo, o));
    for (const o of ALL) {
      const copy = orientPixels(photo, o);
      const theirs = canonicalOrientations(copy).map((c) => orientPixels(copy, c));
      expect(theirs.some((t) => own.some((p) => same(t, p)))).toBe(true);
    }
  });

  it('counts the orientations near the sector edge as canonical too, and only upright for a flat picture', () => {
    // Bright top-left quadrant on a 2 × 2 grid of cells: the centroid lies on a diagonal, two orientations qualify.
    const diagonal: RawImage = { data: Uint8Array.from([255, 0, 0, 0]), width: 2, height: 2, channels: 1 };
    expect(canonicalOrientations(diagonal)).toHaveLength(2);
    expect(canonicalOrientations(diagonal, 0)).toHaveLength(2); // exactly on the edge: both sides
    const flat: RawImage = { data: new Uint8Array(12).fill(90), width: 2, height: 2, channels: 3 };
    expect(canonicalOrientations(flat)).toEqual([1]);
    // Away from the edges there is one, and it is the picture's upright orientation only when it already lies there.
    expect(canonicalOrientations(photo, 0)).toHaveLength(1);
  });

  it('makes one model input per canonical orientation other than upright, marked canonical', () => {
    const inputs = variantInputs({ model: photo, trimmed: null }, 'canonical');
    const expected = canonicalOrientations(photo).filter((o) => o !== 1);
    expect(inputs.map((i) => i.variant)).toEqual(expected);
    for (const input of inputs) {
      expect(input.canonical).toBe(true);
      expect(same(input.pixels, orientPixels(photo, input.variant as Orientation))).toBe(true);
    }
    expect(variantInputs({ model: photo, trimmed: null }, 'greyscale')).toMatchObject([
      { variant: 'greyscale', canonical: false },
    ]);
    expect(variantInputs({ model: photo, trimmed: null }, 'trimmed')).toEqual([]);
  });
});
