import { describe, expect, it } from 'vitest';
import { makeThumbnail } from '../../model/image.js';
import { orientPixels, syntheticPhoto, windowOf } from '../../model/image-synthetic.js';
import { DEFAULT_PIXEL_RULE } from './alignment.js';
import { PixelCheck, type PixelPair } from './pixel-check.js';

/** Four photos, each with a 85 % crop, a 70 % window and a turned copy: 16 thumbnails, ids 1..16. */
async function library() {
  const kinds = ['photo', 'crop', 'window', 'turned'] as const;
  const thumbnails = new Map<number, Uint8Array>();
  const what = new Map<number, { base: number; kind: (typeof kinds)[number] }>();
  let id = 1;
  for (let base = 0; base < 4; base++) {
    const photo = syntheticPhoto({ width: 320, height: 240, seed: 300 + base });
    const versions = [photo, windowOf(photo, 0.85, 1, 0), windowOf(photo, 0.7, 0, 1), orientPixels(photo, 6)];
    for (let k = 0; k < kinds.length; k++, id++) {
      thumbnails.set(id, await makeThumbnail(versions[k]));
      what.set(id, { base, kind: kinds[k] });
    }
  }
  return { thumbnails, what };
}

describe('PixelCheck', () => {
  it('gives the same verdicts in worker threads as in process, and the right ones', async () => {
    const { thumbnails, what } = await library();
    const ids = [...thumbnails.keys()];
    // Every pair upright, and every pair with the first photo turned back (8 undoes 6): 240 distinct pairs.
    const pairs: PixelPair[] = [];
    for (const a of ids) for (const b of ids) if (a < b) pairs.push({ id: a, orientation: 1, other: b });
    for (const a of ids)
      for (const b of ids)
        if (a !== b && what.get(a)!.kind === 'turned') pairs.push({ id: a, orientation: 8, other: b });
    const run = async (workers: number) => {
      const check = new PixelCheck(DEFAULT_PIXEL_RULE, (id) => thumbnails.get(id), new Map(), workers);
      const progress: number[] = [];
      await check.prepare([...pairs, ...pairs], { onProgress: (done, total) => progress.push(done / total) });
      expect(progress.at(-1)).toBe(1);
      return { verdicts: pairs.map((p) => check.matches(p.id, p.orientation, p.other)), check };
    };
    const here = await run(0);
    const threads = await run(2);
    expect(threads.verdicts).toEqual(here.verdicts);

    const expected = pairs.map((p) => {
      const a = what.get(p.id)!;
      const b = what.get(p.other)!;
      const upright = (kind: string, turnedBack: boolean) => (kind === 'turned' ? turnedBack : true);
      const sameBase = a.base === b.base;
      const noWindow = a.kind !== 'window' && b.kind !== 'window';
      return sameBase && noWindow && upright(a.kind, p.orientation === 8) && upright(b.kind, false);
    });
    expect(here.verdicts).toEqual(expected);
    // A pair nobody prepared is not a duplicate.
    expect(here.check.matches(1, 3, 2)).toBe(false);
  });

  it('passes a pair whose photo has no thumbnail: it cannot be checked', async () => {
    const { thumbnails } = await library();
    const check = new PixelCheck(DEFAULT_PIXEL_RULE, (id) => (id === 1 ? undefined : thumbnails.get(id)), new Map(), 0);
    await check.prepare([
      { id: 1, orientation: 1, other: 5 },
      { id: 2, orientation: 1, other: 5 },
    ]);
    expect(check.matches(1, 1, 5)).toBe(true);
    expect(check.matches(5, 1, 2)).toBe(false);
  });

  it('stops when aborted', async () => {
    const { thumbnails } = await library();
    const ids = [...thumbnails.keys()];
    const pairs = ids.flatMap((a) => ids.filter((b) => a < b).map((b) => ({ id: a, orientation: 1, other: b })));
    for (const workers of [0, 2]) {
      const controller = new AbortController();
      const check = new PixelCheck(DEFAULT_PIXEL_RULE, (id) => thumbnails.get(id), new Map(), workers);
      const run = check.prepare(pairs, {
        signal: controller.signal,
        onProgress: (done) => done > 0 && controller.abort(),
      });
      await expect(run).rejects.toThrow();
    }
  });
});
