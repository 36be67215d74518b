import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Encoder } from '../encoder.js';
import { syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';
import { EncodePipeline } from './pipeline.js';
import { ThreadedEncoder } from './threaded-encoder.js';
import { encodeImage } from '../image/decode.js';
import { writeFileSync } from 'node:fs';
import { resetStages, stageTotals } from '../stage-clock.js';

// The shipped query network, in this thread and in its own.
let here: Encoder;
let threaded: ThreadedEncoder;
beforeAll(async () => {
  here = await Encoder.open({ threads: 1 });
  threaded = await ThreadedEncoder.open({ threads: 1 });
});
afterAll(async () => {
  await here.close();
  await threaded.close();
});

describe('ThreadedEncoder', () => {
  it('gives what the encoder gives in this thread: descriptors, and each image the codes of its roles', async () => {
    expect(threaded.decodeOptions).toEqual(here.decodeOptions);
    expect(threaded.roles.dup?.version).toBe(here.roles.dup?.version);
    expect(threaded.roles.sim?.version).toBe(here.roles.sim?.version);
    const size = here.decodeOptions.size;
    const images = Array.from({ length: 5 }, (_, seed) => syntheticPhoto({ width: size, height: size, seed }));
    const roles = (i: number) => (i % 2 ? (['dup'] as const) : (['dup', 'sim'] as const));
    resetStages();
    const [theirs, ours] = await Promise.all([threaded.encode(images, { roles }), here.encode(images, { roles })]);
    expect(theirs).toEqual(ours);
    expect(theirs[1].codes.sim).toBeNull();
    // The backbone's time, measured in its thread, is counted in this one's stage clock (per image).
    expect(stageTotals().backbone.count).toBeGreaterThanOrEqual(5);
    // Re-hashing stored descriptors (a new head catching up) gives the encoder's codes too.
    const descriptors = ours.map((e) => e.descriptor);
    expect(await threaded.hash('sim', descriptors)).toEqual(await here.hash('sim', descriptors));
    expect(threaded.backboneVersion).toBe(here.backboneVersion);
  });

  it('fails one call on an image it cannot take, and keeps serving the next', async () => {
    const wrong = syntheticPhoto({ width: 20, height: 10, seed: 1 });
    await expect(threaded.encode([wrong])).rejects.toThrow(/encoder takes/);
    const size = here.decodeOptions.size;
    const [one] = await threaded.encode([syntheticPhoto({ width: size, height: size, seed: 9 })]);
    expect(one.descriptor).toHaveLength(here.descriptorDim);
  });

  it('feeds the encode pipeline like the encoder itself', async () => {
    const dir = tempDir('threaded-encoder');
    const files: string[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      const file = path.join(dir, `photo-${seed}.jpg`);
      writeFileSync(file, await encodeImage(syntheticPhoto({ width: 400, height: 300, seed }), 'jpeg'));
      files.push(file);
    }
    const variants = ['greyscale', 'canonical'] as const;
    const results = [];
    for (const encoder of [threaded, here]) {
      const pipeline = new EncodePipeline(encoder, { variants });
      results.push(await Promise.all(files.map((f) => pipeline.encode(f))));
      await pipeline.close();
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0].every((r) => r.ok)).toBe(true);
  });

  it('finishes the runs it was sent before it closes (a cancelled scan closes it mid-run)', async () => {
    const other = await ThreadedEncoder.open({ threads: 1 });
    const size = here.decodeOptions.size;
    const images = Array.from({ length: 8 }, (_, seed) => syntheticPhoto({ width: size, height: size, seed }));
    const running = other.encode(images);
    await other.close();
    expect(await running).toHaveLength(8);
    await expect(other.encode(images)).rejects.toThrow(/stopped/);
  });

  it('rejects opening a model that is not there, and ends its thread', async () => {
    await expect(ThreadedEncoder.open({ artifactsDir: tempDir('no-model') })).rejects.toThrow(/no model/);
  });
});
