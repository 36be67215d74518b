import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { encodedVariants } from '../../electron/core/model-host.js';
import { TRIMMED_VARIANT } from '../../electron/library/catalog/catalog.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import type { VariantRequest } from '../../model/variants.js';
import { editImage, encodeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { groupedNames, storedCodeDistance } from '../helpers/dupes.js';
import { tempDir } from '../helpers/temp-dir.js';

// Framed and letterboxed copies end to end: a photo and a copy of it in a wide white frame are grouped through
// the copy's trimmed variant (the picture inside the frame). The fixture heads hash the whole 8×8 model input,
// so the frame moves the copy's own code far from the photo's; only the trimmed code meets it.
const RADIUS = 6; // a radius alone (no verification)

let app: App | null = null;
let photos = '';
afterEach(() => app?.close());

async function library(variants: { current: readonly VariantRequest[] }) {
  const dir = tempDir('borders');
  photos = path.join(dir, 'photos');
  mkdirSync(photos);
  const photo = syntheticPhoto({ width: 96, height: 64, seed: 41 });
  writeFileSync(path.join(photos, 'photo.png'), await encodeImage(photo, 'png'));
  const frame = { op: 'extend' as const, top: 24, bottom: 24, left: 36, right: 36, colour: [255, 255, 255] as const };
  writeFileSync(path.join(photos, 'framed.png'), await encodeImage(await editImage(photo, [frame]), 'png'));
  for (let i = 0; i < 4; i++) {
    const other = syntheticPhoto({ width: 96, height: 64, seed: 700 + i });
    writeFileSync(path.join(photos, `other-${i}.png`), await encodeImage(other, 'png'));
  }
  app = createApp({
    dbPath: path.join(dir, 'library.db'),
    loadEncoder: async () => averageHashEncoder(undefined, { variants: variants.current }),
  });
  await app.dispatcher.call('settings.set', { geometric: false });
  return app;
}

describe('framed copies', () => {
  it('are grouped with their photo through the trimmed variant, which only a bordered photo has', async () => {
    const a = await library({ current: encodedVariants({ geometric: false }) });
    await a.dispatcher.call('scan.run', { folders: [photos] });
    const catalog = a.library.get();
    const idOf = (name: string) => catalog.photoByPath(path.join(photos, name))!.id;
    const trimmed = catalog.variantCodes('dup', { orientations: [TRIMMED_VARIANT] });
    expect(trimmed.map((v) => v.id)).toEqual([idOf('framed.png')]);
    // The premise: the two photos' own codes are far apart; the framed copy's trimmed code is near the photo's.
    const { ids, codes } = catalog.codes('dup');
    const code = (name: string) => codes[ids.indexOf(idOf(name))];
    expect(storedCodeDistance(code('photo.png'), code('framed.png'))).toBeGreaterThan(2 * RADIUS);
    expect(storedCodeDistance(trimmed[0].code, code('photo.png'))).toBeLessThanOrEqual(RADIUS / 2);
    expect(await groupedNames(a, RADIUS)).toEqual([['framed', 'photo']]);
    expect(await groupedNames(a, RADIUS, true)).toEqual([['framed', 'photo']]);
  });

  it('in a library analysed before trimmed variants existed are analysed again by the next scan, alone', async () => {
    const variants = { current: ['greyscale'] as readonly VariantRequest[] };
    const a = await library(variants);
    expect(await a.dispatcher.call('scan.run', { folders: [photos] })).toMatchObject({ added: 6, reencoded: 0 });
    expect(a.library.get().variantCodes('dup', { orientations: [TRIMMED_VARIANT] })).toEqual([]);
    expect(await groupedNames(a, RADIUS)).toEqual([]);
    // The encoder now makes trimmed variants: only the framed photo lacks one it should have.
    variants.current = encodedVariants({ geometric: false });
    expect(await a.dispatcher.call('scan.run', { folders: [photos] })).toMatchObject({ unchanged: 6, reencoded: 1 });
    expect(await groupedNames(a, RADIUS)).toEqual([['framed', 'photo']]);
    expect(await a.dispatcher.call('scan.run', { folders: [photos] })).toMatchObject({ unchanged: 6, reencoded: 0 });
  });
});
