import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { encodeImage } from '../../model/image/decode.js';
import { inverseOrientation, orientPixels, syntheticPhoto, type Orientation } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// The shipped query network (built by `npm run build:model`) on real files, through the API.
const dir = tempDir('encode');
let app: App;
const upright = syntheticPhoto({ width: 640, height: 480, seed: 7 });

beforeAll(async () => {
  app = createApp({ dbPath: path.join(dir, 'library.db') });
  writeFileSync(path.join(dir, 'upright.jpg'), await encodeImage(upright, 'jpeg', { quality: 92 }));
});
afterAll(() => app.close());

const hamming = (a: string, b: string) => {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let n = 0;
  for (; x; x &= x - 1n) n++;
  return n;
};

describe('model.encode', () => {
  it('returns the duplicate and similarity codes with their model versions and the execution provider', async () => {
    const r = await app.dispatcher.call('model.encode', { path: path.join(dir, 'upright.jpg') });
    expect(r).toMatchObject({ provider: 'cpu', codes: { dup: { bits: 64 }, sim: { bits: 64 } } });
    expect(r.descriptorDim).toBeGreaterThan(0);
    for (const c of [r.codes.dup, r.codes.sim]) {
      expect(c.code).toMatch(/^[0-9a-f]{16}$/);
      expect(c.model).toMatch(/\+/); // backbone+head
    }
    const info = await app.dispatcher.call('app.info', {});
    expect(info.model).toMatchObject({
      state: 'ready',
      provider: 'cpu',
      bits: 64,
      heads: { dup: { version: r.codes.dup.model, bits: 64 }, sim: { version: r.codes.sim.model, bits: 64 } },
    });
    expect(info.model.providerNotes.join('\n')).toMatch(/cuda/);
  });

  it.each([3, 6, 8] as Orientation[])(
    'gives an EXIF-rotated copy (orientation %i) the code of the upright original',
    async (orientation) => {
      // Store the pixels rotated the other way, with the tag that undoes it: a viewer shows the upright photo.
      const stored = orientPixels(upright, inverseOrientation(orientation));
      const file = path.join(dir, `exif-${orientation}.jpg`);
      writeFileSync(file, await encodeImage(stored, 'jpeg', { quality: 92, orientation }));
      const [a, b] = await Promise.all([
        app.dispatcher.call('model.encode', { path: path.join(dir, 'upright.jpg') }),
        app.dispatcher.call('model.encode', { path: file }),
      ]);
      expect(hamming(a.codes.dup.code, b.codes.dup.code)).toBeLessThanOrEqual(2);
    },
  );

  it('answers a clear error for a file that is not an image, and for a missing one', async () => {
    const text = path.join(dir, 'notes.jpg');
    writeFileSync(text, 'not an image');
    await expect(app.dispatcher.call('model.encode', { path: text })).rejects.toMatchObject({ code: 'DECODE_ERROR' });
    await expect(app.dispatcher.call('model.encode', { path: path.join(dir, 'missing.jpg') })).rejects.toMatchObject({
      code: 'IO_ERROR',
    });
  });
});
