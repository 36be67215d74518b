import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { encodedVariants } from '../../electron/core/model-host.js';
import { GREYSCALE_VARIANT } from '../../electron/library/catalog/catalog.js';
import { averageHashEncoder, redChannelDescriptor } from '../helpers/fixture-encoder.js';
import type { VariantRequest } from '../../model/variants.js';
import { editImage, encodeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { groupedNames, storedCodeDistance } from '../helpers/dupes.js';
import { tempDir } from '../helpers/temp-dir.js';

// Colour invariance end to end: a colour photo and its greyscale copy are grouped through the greyscale variant,
// with geometric matching off. The fixture heads hash the red channel, so they are colour-sensitive: the two
// photos' own codes are far apart, and only the colour photo's greyscale code meets the copy's.
const RADIUS = 6; // a radius alone (no verification)

let app: App | null = null;
let photos = '';
afterEach(() => app?.close());

async function library(variants: (geometric: boolean) => readonly VariantRequest[]) {
  const dir = tempDir('greyscale');
  photos = path.join(dir, 'photos');
  mkdirSync(photos);
  const colour = syntheticPhoto({ width: 96, height: 64, seed: 31 });
  writeFileSync(path.join(photos, 'colour.png'), await encodeImage(colour, 'png'));
  writeFileSync(
    path.join(photos, 'grey.png'),
    await encodeImage(await editImage(colour, [{ op: 'greyscale' }]), 'png'),
  );
  for (let i = 0; i < 4; i++) {
    const other = syntheticPhoto({ width: 96, height: 64, seed: 500 + i });
    writeFileSync(path.join(photos, `other-${i}.png`), await encodeImage(other, 'png'));
  }
  app = createApp({
    dbPath: path.join(dir, 'library.db'),
    loadEncoder: async ({ geometric }) =>
      averageHashEncoder(undefined, { descriptor: redChannelDescriptor, variants: variants(geometric) }),
  });
  await app.dispatcher.call('settings.set', { geometric: false });
  await app.dispatcher.call('scan.run', { folders: [photos] });
  return app;
}

describe('greyscale copies', () => {
  it('are grouped with their colour original through the greyscale variant, with geometric matching off', async () => {
    const a = await library((geometric) => encodedVariants({ geometric }));
    const variants = a.library.get().variantCodes('dup');
    expect(variants.map((v) => v.orientation)).toEqual(variants.map(() => GREYSCALE_VARIANT)); // geometric is off
    expect(variants).toHaveLength(6);
    // The premise: the two photos' own codes are far apart; the colour photo's greyscale code is near the copy's.
    const catalog = a.library.get();
    const { ids, codes } = catalog.codes('dup');
    const idOf = (name: string) => catalog.photoByPath(path.join(photos, name))!.id;
    const code = (name: string) => codes[ids.indexOf(idOf(name))];
    const greyOfColour = variants.find((v) => v.id === idOf('colour.png'))!.code;
    expect(storedCodeDistance(code('colour.png'), code('grey.png'))).toBeGreaterThan(2 * RADIUS);
    expect(storedCodeDistance(greyOfColour, code('grey.png'))).toBeLessThanOrEqual(RADIUS / 2);
    expect(await groupedNames(a, RADIUS)).toEqual([['colour', 'grey']]);
    expect(await groupedNames(a, RADIUS, false)).toEqual([['colour', 'grey']]);
  });

  it('are not grouped without the variant: the fixture head sees colour', async () => {
    const a = await library(() => []);
    expect(a.library.get().variantCodes('dup')).toEqual([]);
    expect(await groupedNames(a, RADIUS)).toEqual([]);
  });

  it('are not grouped, and nothing fails, for photos analysed before greyscale variants were stored', async () => {
    const a = await library((geometric) => encodedVariants({ geometric }));
    a.library.get().db.prepare('DELETE FROM code_variants WHERE orientation = ?').run(GREYSCALE_VARIANT);
    expect(await groupedNames(a, RADIUS)).toEqual([]);
    expect(await groupedNames(a, RADIUS, true)).toEqual([]);
  });
});
