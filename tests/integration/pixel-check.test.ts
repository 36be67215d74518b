import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher, mergeHandlers } from '../../electron/api/dispatch.js';
import { libraryHandlers } from '../../electron/library/handlers.js';
import { Library } from '../../electron/library/library.js';
import { SearchService } from '../../electron/search/service.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { DEFAULT_PIXEL_RULE } from '../../electron/search/pixels/alignment.js';
import { duplicateHandlers } from '../../electron/search/handlers.js';
import { pixelRuleKey } from '../../electron/search/pixels/pixel-check.js';
import type { CalibratedPresets } from '../../electron/search/duplicates/presets.js';
import { editImage, encodeImage } from '../../model/image/decode.js';
import { orientPixels, syntheticPhoto } from '../helpers/synthetic-photo.js';
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

async function writePhoto(file: string, image: RawImage | Promise<RawImage>) {
  writeFileSync(file, await encodeImage(await image, 'jpeg', { quality: 85 }));
}

/** A library of `pictures` scanned in a new folder; `dbDir` reuses the database (and folder) of an earlier one. */
async function scanned(pictures: Record<string, RawImage | Promise<RawImage>>, geometric = false, dbDir?: string) {
  const dir = dbDir ?? tempDir('pixels');
  const photos = path.join(dir, 'photos');
  mkdirSync(photos, { recursive: true });
  for (const [name, image] of Object.entries(pictures)) await writePhoto(path.join(photos, `${name}.jpg`), image);
  library?.close();
  library = new Library(path.join(dir, 'library.db'), async () =>
    averageHashEncoder(undefined, { variants: geometric ? [6] : [] }),
  );
  library.updateSettings({ geometric });
  const dispatcher = new Dispatcher(
    mergeHandlers(
      libraryHandlers(library),
      duplicateHandlers(
        library,
        SearchService.of(library, () => PRESETS),
      ),
    ),
  );
  const scan = () => dispatcher.call('scan.run', { folders: [photos] });
  await scan();
  const find = async (threshold: string) => {
    const phases = new Set<string>();
    let compared = 0;
    const found = await dispatcher.call(
      'dupes.find',
      { threshold },
      {
        onProgress: (p) => {
          phases.add(p.phase);
          if (p.phase === 'verify') compared = Math.max(compared, p.total);
        },
      },
    );
    return {
      threshold: found.threshold,
      phases,
      /** How many pairs the pixel check was given, as its progress told it (0: it compared none). */
      compared,
      groups: found.groups.map((g) => g.files.map((f) => path.basename(f.path, '.jpg')).sort()),
      stats: found.stats,
    };
  };
  return Object.assign(find, { dir, photos, scan, dispatcher });
}

const photo2 = () => syntheticPhoto({ width: 480, height: 360, seed: 52 });

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

  it('remembers its verdicts in the library by file content: across reopening, renames and rescans', async () => {
    const first = await scanned({ photo, crop: window(0.85, 0.8, 0.3), burst: window(0.7, 0, 0), other: photo2() });
    const run1 = await first('close');
    expect(run1.groups).toEqual([['crop', 'photo']]);
    expect(run1.compared).toBe(6); // four photos, every pair a candidate
    const kept = () => library!.get().verdicts.list(pixelRuleKey(DEFAULT_PIXEL_RULE));
    expect(kept()).toHaveLength(6);
    expect(kept().filter((v) => v.same)).toHaveLength(1);

    // Another process opening the same library compares nothing and finds the same groups.
    const reopened = await scanned({}, false, first.dir);
    const run2 = await reopened('close');
    expect(run2.groups).toEqual(run1.groups);
    expect(run2.compared).toBe(0);
    expect(run2.phases.has('verify')).toBe(false);

    // A renamed file keeps its verdicts; a file whose content changed is compared again, and its old verdicts go.
    renameSync(path.join(first.photos, 'crop.jpg'), path.join(first.photos, 'crop-renamed.jpg'));
    await writePhoto(path.join(first.photos, 'other.jpg'), syntheticPhoto({ width: 480, height: 360, seed: 53 }));
    await reopened.scan();
    expect(kept()).toHaveLength(3); // the pairs of the old `other` were pruned by the scan
    const run3 = await reopened('close');
    expect(run3.groups).toEqual([['crop-renamed', 'photo']]);
    expect(run3.stats.pixelChecked).toBe(3);
    expect(kept()).toHaveLength(6);
  });

  it('keeps the comparison of two contents when a pair of byte-identical files is inferred from it', async () => {
    // `photo` and `same-bytes` are one file's content twice: their pairs with `crop` share one kept row. The
    // second pair is inferred from the first (the two files are one family); that must not replace the kept
    // comparison, or the next search would compare the pair again.
    const find = await scanned({ photo, 'same-bytes': photo, crop: window(0.85, 0.8, 0.3), other: photo2() });
    const run = await find('close');
    expect(run.groups).toEqual([['crop', 'photo', 'same-bytes']]);
    expect(run.stats.inferredVerdicts).toBeGreaterThan(0);
    const rows = library!.get().verdicts.list(pixelRuleKey(DEFAULT_PIXEL_RULE));
    // Three contents: the three pairs between them and the pair of the two identical files, each a comparison.
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.compared !== null)).toBe(true);
    const again = await find('close');
    expect(again.groups).toEqual(run.groups);
    expect(again.stats).toMatchObject({ pixelChecked: 0, inferredVerdicts: run.stats.inferredVerdicts });
  });

  it('settles a burst of one view at the first placement: frames where a subject moved are told apart without a search', async () => {
    // Six shots of one view with a subject (a textured patch a third of the photo wide) 40 px further right in
    // each, and two copies of the first shot (brighter; a 10 % crop). Every one of the 28 pairs is a candidate,
    // as in a phone library's bursts.
    const patch = syntheticPhoto({ width: 160, height: 160, seed: 98 });
    const shot = (x: number): RawImage => {
      const data = Uint8Array.from(photo.data);
      for (let y = 0; y < patch.height; y++) {
        data.set(
          patch.data.subarray(y * patch.width * 3, (y + 1) * patch.width * 3),
          ((y + 100) * photo.width + x) * 3,
        );
      }
      return { ...photo, data };
    };
    const pictures: Record<string, RawImage | Promise<RawImage>> = {};
    for (let k = 0; k < 6; k++) pictures[`shot${k}`] = shot(20 + 40 * k);
    pictures['shot0-bright'] = editImage(shot(20), [{ op: 'modulate', brightness: 1.15 }]);
    pictures['shot0-crop'] = editImage(shot(20), [{ op: 'crop', left: 24, top: 18, width: 432, height: 324 }]);
    const run = await (await scanned(pictures))('close');
    expect(run.groups.filter((g) => g.length > 1)).toEqual([['shot0', 'shot0-bright', 'shot0-crop']]);
    expect(run.stats.candidatePairs).toBe(28);
    expect(run.stats.pixelChecked + run.stats.inferredVerdicts).toBe(28);
    // Frames lie over each other whole and settle there; a few pairs with the crop (the subject moved where it
    // overlaps) still search. Before a picture lying inside the other settled the search, 7 of 22 searched.
    expect(run.stats.pixelSearched).toBeLessThanOrEqual(4);
    expect(run.stats.pixelSearched).toBeLessThan(run.stats.pixelChecked / 4);
  });

  it('keeps the pixel comparisons per photo bounded when every photo crowds the code space', async () => {
    // Six photos, each with three whole copies (half size, brighter, darker at 80 % size): every one of the 276
    // pairs is a candidate (radius 64, no cosine), as in a library full of look-alikes. Copies are judged once
    // as a family, so at most 3 pairs per photo are compared, and the groups are each photo with its copies.
    const pictures: Record<string, Promise<RawImage>> = {};
    for (let k = 0; k < 6; k++) {
      const base = syntheticPhoto({ width: 480, height: 360, seed: 60 + k });
      pictures[`p${k}`] = Promise.resolve(base);
      pictures[`p${k}-half`] = editImage(base, [{ op: 'resize', width: 240, height: 180 }]);
      pictures[`p${k}-bright`] = editImage(base, [{ op: 'modulate', brightness: 1.2 }]);
      pictures[`p${k}-dark`] = editImage(base, [
        { op: 'resize', width: 384, height: 288 },
        { op: 'modulate', brightness: 0.8 },
      ]);
    }
    const find = await scanned(pictures);
    const run = await find('close');
    expect([...run.groups].sort((a, b) => a[0].localeCompare(b[0]))).toEqual(
      Array.from({ length: 6 }, (_, k) => [`p${k}`, `p${k}-bright`, `p${k}-dark`, `p${k}-half`]),
    );
    const { stats } = await find.dispatcher.call('dupes.find', { threshold: 'close' });
    expect(stats.candidatePairs).toBe(276);
    expect(run.compared).toBe(276);
    expect(run.stats.pixelChecked).toBeLessThanOrEqual(3 * 24);
    expect(run.stats.inferredVerdicts).toBe(276 - run.stats.pixelChecked);
    // The second search takes the comparisons the first kept and infers the rest again as the first did.
    expect(stats).toMatchObject({ pixelChecked: 0, keptVerdicts: run.stats.pixelChecked });
    expect(stats.inferredVerdicts).toBe(run.stats.inferredVerdicts);
  });
});
