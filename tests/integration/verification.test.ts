import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher, mergeHandlers } from '../../electron/api/dispatch.js';
import { libraryHandlers } from '../../electron/library/handlers.js';
import { Library } from '../../electron/library/library.js';
import { SearchService } from '../../electron/search/service.js';
import { averageHashEncoder, averageHashHead, type FixtureHead } from '../helpers/fixture-encoder.js';
import { duplicateHandlers } from '../../electron/search/handlers.js';
import type { CalibratedPresets } from '../../electron/search/duplicates/presets.js';
import { encodeImage } from '../../model/image/decode.js';
import { orientPixels } from '../../model/image/orientation.js';
import type { RawImage } from '../../model/types.js';
import { tempDir } from '../helpers/temp-dir.js';

// Verification end to end: the fixture encoder runs the real encode pipeline on 8×8 pictures (so the model
// input is the picture itself), the analyzer stores each duplicate code's logits as an embedding, and
// `dupes.find` keeps a candidate pair only when the embeddings agree. The average-hash head's logits are the
// pixels minus their mean: two pictures can share a code yet differ in how far each pixel sits from the mean.

/** An 8×8 grey picture whose columns have these values (every row alike). */
function columns(values: number[]): RawImage {
  const data = new Uint8Array(8 * 8 * 3);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) data.fill(values[x], (y * 8 + x) * 3, (y * 8 + x + 1) * 3);
  return { data, width: 8, height: 8, channels: 3 };
}

/** Left half bright, right half dark. */
const SPLIT = columns([200, 200, 200, 200, 50, 50, 50, 50]);
/** The same with less contrast: the same code, and the same logits up to scale (cosine 1). */
const SPLIT_SOFT = columns([190, 190, 190, 190, 60, 60, 60, 60]);
/** The same code (left half above the mean), but the logits are dominated by two columns: cosine 0.64. */
const SPLIT_SPIKY = columns([255, 140, 140, 140, 115, 115, 115, 0]);
/** Alternating columns: 4 of 8 columns differ from the split, 32 bits. */
const STRIPES = columns([200, 50, 200, 50, 200, 50, 200, 50]);

/** Verified rules as a calibrated head would carry them (exact codes only, so the radius plays no part). */
const PRESETS: CalibratedPresets = {
  bits: 64,
  rules: { 'very-close': { radius: 0, minCosine: 0.9 }, close: { radius: 2, minCosine: 0.9 }, loose: 2 },
};

let dir: string;
let library: Library | null = null;
afterEach(() => library?.close());

async function scanned(
  pictures: Record<string, RawImage>,
  options: { head?: FixtureHead; geometric?: boolean } = {},
): Promise<Dispatcher> {
  dir = tempDir('verify');
  const photos = path.join(dir, 'photos');
  mkdirSync(photos);
  for (const [name, image] of Object.entries(pictures)) {
    writeFileSync(path.join(photos, `${name}.png`), await encodeImage(image, 'png'));
  }
  library = new Library(path.join(dir, 'library.db'), async ({ geometric }) =>
    averageHashEncoder(undefined, {
      heads: { dup: options.head ?? averageHashHead },
      variants: geometric ? [6] : [],
    }),
  );
  library.updateSettings({ geometric: options.geometric ?? false });
  const dispatcher = new Dispatcher(
    mergeHandlers(
      libraryHandlers(library),
      duplicateHandlers(
        library,
        SearchService.of(library, () => PRESETS),
      ),
    ),
  );
  await dispatcher.call('scan.run', { folders: [photos] });
  return dispatcher;
}

async function groups(dispatcher: Dispatcher, threshold: string | number, geometric?: boolean) {
  const found = await dispatcher.call('dupes.find', { threshold, geometric });
  return {
    threshold: found.threshold,
    groups: found.groups.map((g) => g.files.map((f) => path.basename(f.path, '.png')).sort()),
  };
}

describe('verification of duplicate candidates', () => {
  it('drops a pair whose codes match but whose embeddings disagree, and keeps one whose embeddings agree', async () => {
    const dispatcher = await scanned({ split: SPLIT, soft: SPLIT_SOFT, spiky: SPLIT_SPIKY, stripes: STRIPES });
    const verified = await groups(dispatcher, 'very-close');
    expect(verified.threshold).toEqual({ name: 'very-close', radius: 0, minCosine: 0.9, pixels: null });
    expect(verified.groups).toEqual([['soft', 'split']]);
    // The same candidates judged by the radius alone: a custom threshold, and a preset recorded as a plain number.
    expect((await groups(dispatcher, 0)).groups).toEqual([['soft', 'spiky', 'split']]);
    const loose = await groups(dispatcher, 'loose');
    expect(loose.threshold).toEqual({ name: 'loose', radius: 2, minCosine: null, pixels: null });
    expect(loose.groups).toEqual([['soft', 'spiky', 'split']]);
  });

  it('judges photos stored without embeddings (a library from before them) by the radius alone', async () => {
    const { logits: _, ...withoutLogits } = averageHashHead;
    const dispatcher = await scanned({ split: SPLIT, soft: SPLIT_SOFT, spiky: SPLIT_SPIKY }, { head: withoutLogits });
    expect((await groups(dispatcher, 'very-close')).groups).toEqual([['soft', 'spiky', 'split']]);
  });

  it('verifies a rotated pair with the rotated version’s own embedding', async () => {
    const dispatcher = await scanned(
      {
        split: SPLIT,
        turned: orientPixels(SPLIT, 6),
        'turned-spiky': orientPixels(SPLIT_SPIKY, 6),
        stripes: STRIPES,
      },
      { geometric: true },
    );
    // The split's 90° variant has the turned copies' code; only the faithful copy's embedding agrees with it.
    // (The split's own embedding is orthogonal to a turned copy's: checking with it would drop both.)
    expect((await groups(dispatcher, 'very-close')).groups).toEqual([['split', 'turned']]);
    expect((await groups(dispatcher, 'very-close', false)).groups).toEqual([]);
    expect((await groups(dispatcher, 0)).groups).toEqual([['split', 'turned', 'turned-spiky']]);
  });
});
