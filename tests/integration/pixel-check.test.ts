import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher, mergeHandlers } from '../../electron/api/dispatch.js';
import { Library, libraryHandlers } from '../../electron/library/handlers.js';
import { averageHashEncoder } from '../../electron/library/testing.js';
import { DEFAULT_PIXEL_RULE } from '../../electron/search/alignment.js';
import { duplicateHandlers } from '../../electron/search/handlers.js';
import type { CalibratedPresets } from '../../electron/search/presets.js';
import { editImage, encodeImage } from '../../model/image.js';
import { orientPixels, syntheticPhoto } from '../../model/image-synthetic.js';
import type { RawImage } from '../../model/types.js';
import { tempDir } from '../helpers/temp-dir.js';

// The pixel check end to end: scan stores thumbnails, `dupes.find` aligns the thumbnails of every candidate
// pair. The presets make every pair a candidate (radius 64, no cosine), so the pixels alone decide: a lightly
// cropped copy is the photo, a 70 % window of it (a burst frame) and another photo are not.
const PRESETS: CalibratedPresets = {
  bits: 64,
  rules: {
    'very-close': { radius: 64, minCosine: null, pixels: DEFAULT_PIXEL_RULE },
    close: { radius: 64, minCosine: null, pixels: DEFAULT_PIXEL_RULE },
    loose: { radius: 64, minCosine: null },
  },
};

const photo = syntheticPhoto({ width: 480, height: 360, seed: 51 });
const window = (fraction: number, fx: number, fy: number) => {
  const width = Math.round(photo.width * fraction);
  const height = Math.round(photo.height * fraction);
  return editImage(photo, [
    {
      op: 'crop',
      left: Math.round((photo.width - width) * fx),
      top: Math.round((photo.height - height) * fy),
      width,
      height,
    },
  ]);
};

let library: Library | null = null;
afterEach(() => library?.close());

async function scanned(pictures: Record<string, RawImage | Promise<RawImage>>, geometric = false) {
  const dir = tempDir('pixels');
  const photos = path.join(dir, 'photos');
  mkdirSync(photos);
  for (const [name, image] of Object.entries(pictures)) {
    writeFileSync(path.join(photos, `${name}.jpg`), await encodeImage(await image, 'jpeg', { quality: 85 }));
  }
  library = new Library(
    path.join(dir, 'library.db'),
    async () => averageHashEncoder(undefined, { variants: geometric ? [6] : [] }),
    undefined,
    () => PRESETS,
  );
  library.updateSettings({ geometric });
  const dispatcher = new Dispatcher(mergeHandlers(libraryHandlers(library), duplicateHandlers(library)));
  await dispatcher.call('scan.run', { folders: [photos] });
  return async (threshold: string) => {
    const phases = new Set<string>();
    const found = await dispatcher.call('dupes.find', { threshold }, { onProgress: (p) => phases.add(p.phase) });
    return {
      threshold: found.threshold,
      phases,
      groups: found.groups.map((g) => g.files.map((f) => path.basename(f.path, '.jpg')).sort()),
    };
  };
}

describe('the pixel check of duplicate candidates', () => {
  it('keeps a cropped copy and drops a 70 % window and another photo that the codes let through', async () => {
    const find = await scanned({
      photo,
      crop: window(0.85, 0.8, 0.3),
      burst: window(0.7, 0, 0),
      other: syntheticPhoto({ width: 480, height: 360, seed: 52 }),
    });
    const checked = await find('close');
    expect(checked.threshold.pixels).toEqual(DEFAULT_PIXEL_RULE);
    expect(checked.phases.has('verify')).toBe(true);
    expect(checked.groups).toEqual([['crop', 'photo']]);
    // The same candidates without the pixel check: one group of all four.
    const unchecked = await find('loose');
    expect(unchecked.threshold.pixels).toBeNull();
    expect(unchecked.groups).toEqual([['burst', 'crop', 'other', 'photo']]);
  });

  it('checks a turned copy in the orientation its code matched, with geometric matching on', async () => {
    const turned = orientPixels(photo, 6);
    expect((await (await scanned({ photo, turned }, false))('close')).groups).toEqual([]);
    expect((await (await scanned({ photo, turned }, true))('close')).groups).toEqual([['photo', 'turned']]);
  });
});
