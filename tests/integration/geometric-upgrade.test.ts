import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { encodedVariants } from '../../electron/core/model-host.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { encodeImage } from '../../model/image/decode.js';
import { orientPixels, type Orientation } from '../../model/image/orientation.js';
import { UPRIGHT_VARIANTS, type VariantRequest } from '../../model/variants.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import type { RawImage } from '../../model/types.js';
import { tempDir } from '../helpers/temp-dir.js';

// A library analysed before canonical orientations stored six fixed turns a photo (orientations 2..7, their
// inverses found from the other side). Photos added since store their canonical orientations' codes; both kinds
// must keep finding each other's turned copies. The fixture head hashes the 8 × 8 model input (PNG copies: exact).
let app: App | null = null;
afterAll(() => app?.close());

/** A library whose first scan stores six fixed turns a photo, and whose later scans store canonical ones. */
async function upgradedLibrary(original: RawImage) {
  const dir = tempDir('geometric-upgrade');
  const photos = path.join(dir, 'photos');
  mkdirSync(photos);
  writeFileSync(path.join(photos, 'original.png'), await encodeImage(original, 'png'));
  for (let i = 0; i < 4; i++)
    writeFileSync(
      path.join(photos, `other-${i}.png`),
      await encodeImage(syntheticPhoto({ width: 96, height: 64, seed: 600 + i }), 'png'),
    );
  const variants: { current: readonly VariantRequest[] } = { current: [...UPRIGHT_VARIANTS, 2, 3, 4, 5, 6, 7] };
  await app?.close();
  app = createApp({
    dbPath: path.join(dir, 'library.db'),
    loadEncoder: async () => averageHashEncoder(undefined, { variants: variants.current }),
  });
  await app.dispatcher.call('scan.run', { folders: [photos] });
  expect(
    app.library
      .get()
      .variantCodes('dup', { orientations: TURNS })
      .every((v) => !v.canonical),
  ).toBe(true);
  // Now the scanner stores canonical orientations.
  variants.current = encodedVariants({ geometric: true });
  return { app, photos };
}

const TURNS: Orientation[] = [2, 3, 4, 5, 6, 7, 8];
const names = (groups: { files: { path: string }[] }[]) =>
  groups.map((g) => g.files.map((f) => path.basename(f.path)).sort());

describe('geometric matching across the upgrade to canonical orientations', () => {
  it('groups a photo stored with six fixed turns with its turned copies stored with canonical ones', async () => {
    const original = syntheticPhoto({ width: 96, height: 64, seed: 5 });
    const { app, photos } = await upgradedLibrary(original);
    for (const o of TURNS)
      writeFileSync(path.join(photos, `turned-${o}.png`), await encodeImage(orientPixels(original, o), 'png'));
    expect(await app.dispatcher.call('scan.run', { folders: [photos] })).toMatchObject({ added: 7 });
    expect(
      app.library
        .get()
        .variantCodes('dup', { orientations: TURNS })
        .some((v) => v.canonical),
    ).toBe(true);
    const { groups } = await app.dispatcher.call('dupes.find', { threshold: 2 });
    expect(names(groups)).toEqual([['original.png', ...TURNS.map((o) => `turned-${o}.png`)].sort()]);
  });

  it('pairs an old photo with a copy turned 270° through its fixed turn and the copy’s canonical one', async () => {
    // No photo stores turn 8, and this copy's canonical orientation is upside down (3), not 6 (its way back):
    // only the old photo's turn 6 against the copy's canonical code meets (each turned to the same picture).
    const original = syntheticPhoto({ width: 96, height: 64, seed: 2 });
    const { app, photos } = await upgradedLibrary(original);
    writeFileSync(path.join(photos, 'turned-8.png'), await encodeImage(orientPixels(original, 8), 'png'));
    await app.dispatcher.call('scan.run', { folders: [photos] });
    const catalog = app.library.get();
    const copy = catalog.photoByPath(path.join(photos, 'turned-8.png'))!.id;
    expect(catalog.variantCodes('dup', { orientations: TURNS }).filter((v) => v.id === copy)).toMatchObject([
      { orientation: 3, canonical: true },
    ]);
    const { groups } = await app.dispatcher.call('dupes.find', { threshold: 2 });
    expect(names(groups)).toEqual([['original.png', 'turned-8.png']]);
  });
});
