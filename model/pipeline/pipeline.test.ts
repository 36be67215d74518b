/**
 * EncodePipeline on a backbone built into a temporary folder and a seeded random-hyperplane head
 * (so the test does not depend on model/artifacts): same results as decoding and encoding one photo
 * at a time, batching, per-photo errors, cancellation and the memory bound.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installLinearHead } from '../backbone/itq.js';
import { buildModel } from '../build.js';
import { Encoder } from '../encoder.js';
import { encodeBmp } from '../image/bmp.js';
import { seededRandom, syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';
import { decodeForCatalog, editImage, encodeImage, probeImage } from '../image/decode.js';
import { EncodePipeline, type EncodeResult, type PipelineEncoder } from './pipeline.js';
import type { RawImage } from '../types.js';
import { canonicalOrientations, type ImageVariant, variantPixels } from '../variants.js';
import { orientPixels } from '../image/orientation.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';

const BITS = 32;
const fixtures = new URL('../../tests/fixtures/', import.meta.url).pathname;
let dir: string;
let encoder: Encoder;
let photos: string[];

/** The encoder with every run counted and slowed down, so batches have time to fill. */
function countingEncoder(delayMs = 0): PipelineEncoder & { runs: number[] } {
  const runs: number[] = [];
  return {
    runs,
    decodeOptions: encoder.decodeOptions,
    roles: encoder.roles,
    async encode(images: RawImage[], options) {
      runs.push(images.length);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return encoder.encode(images, options);
    },
  };
}

function ok(result: EncodeResult) {
  if (!result.ok) throw result.error;
  return result.photo;
}

beforeAll(async () => {
  dir = tempDir('pipeline');
  const { manifest } = buildModel(dir);
  const dim = manifest.backbone.output.dim;
  const random = seededRandom(5);
  const weights = Float32Array.from({ length: dim * BITS }, () => random() - 0.5);
  // Hyperplanes through the mean descriptor, so the bits differ between photos.
  const plain = await Encoder.open({ artifactsDir: dir, head: null });
  const size = manifest.backbone.input.size;
  const sample = await plain.describe(
    Array.from({ length: 8 }, (_, seed) => syntheticPhoto({ width: size, height: size, seed })),
  );
  await plain.close();
  const bias = new Float32Array(BITS);
  for (const d of sample)
    for (let i = 0; i < dim; i++)
      for (let k = 0; k < BITS; k++) bias[k] -= (d[i] * weights[i * BITS + k]) / sample.length;
  const head = { weights, bias, inputDim: dim, bits: BITS };
  installLinearHead(
    dir,
    'random-test',
    head,
    { version: 'random-test-1', kind: 'itq', backboneVersion: manifest.backbone.version },
    { makeDefault: true },
  );
  encoder = await Encoder.open({ artifactsDir: dir, providers: ['cpu'], threads: 1 });
  photos = [];
  for (let seed = 1; seed <= 12; seed++) {
    const file = path.join(dir, `photo-${seed}.jpg`);
    const width = 480 + 40 * seed;
    writeFileSync(file, await encodeImage(syntheticPhoto({ width, height: 360, seed, noise: 8 }), 'jpeg'));
    photos.push(file);
  }
  const png = path.join(dir, 'photo.png');
  writeFileSync(png, await encodeImage(syntheticPhoto({ width: 300, height: 400, seed: 20 }), 'png'));
  const bmp = path.join(dir, 'photo.bmp');
  writeFileSync(bmp, encodeBmp(syntheticPhoto({ width: 320, height: 240, seed: 21 })));
  photos.push(png, bmp, path.join(fixtures, 'synthetic.heic'));
}, 60_000);

afterAll(async () => {
  await encoder?.close();
});

describe('EncodePipeline', () => {
  it('gives what decoding and encoding each photo alone gives (HEIC and BMP through the worker)', async () => {
    const pipeline = new EncodePipeline(encoder, { decodeConcurrency: 3, maxBatch: 4 });
    try {
      const results = await Promise.all(photos.map((file) => pipeline.encode(file)));
      const settings = { modelSize: encoder.decodeOptions.size, modelFit: 'fill' as const, thumbnailSize: 256 };
      for (const [i, file] of photos.entries()) {
        const photo = ok(results[i]);
        const alone = await decodeForCatalog(file, settings);
        const [expected] = await encoder.encode([alone.model]);
        expect(Array.from(photo.codes.dup!.code), file).toEqual(Array.from(expected.codes.dup!.code));
        for (let k = 0; k < expected.descriptor.length; k += 97)
          expect(photo.descriptor[k]).toBeCloseTo(expected.descriptor[k], 5);
        expect(Buffer.compare(photo.thumbnail, alone.thumbnail)).toBe(0);
        expect(photo.info).toEqual(await probeImage(file));
        expect(photo.codes.dup!.model).toBe(encoder.roles.dup!.version);
      }
      expect(new Set(results.map((r) => ok(r).codes.dup!.code.join(','))).size).toBeGreaterThan(photos.length / 2);
      expect(pipeline.stats()).toMatchObject({ decoding: 0, waiting: 0, failed: 0, imagesEncoded: photos.length });
      expect(pipeline.stats().decodedInWorkers).toBe(2); // the BMP and the HEIC
    } finally {
      await pipeline.close();
    }
  });

  it('gives the photo both codes and its rotated/mirrored, greyscale and trimmed versions only the duplicate code', async () => {
    const dim = encoder.descriptorDim;
    const random = seededRandom(9);
    installLinearHead(
      dir,
      'random-sim',
      {
        weights: Float32Array.from({ length: dim * 16 }, () => random() - 0.5),
        bias: new Float32Array(16),
        inputDim: dim,
        bits: 16,
      },
      { version: 'random-sim-1', kind: 'random', backboneVersion: encoder.backboneVersion },
    );
    const two = await Encoder.open({
      artifactsDir: dir,
      providers: ['cpu'],
      threads: 1,
      heads: { dup: 'random-test', sim: 'random-sim' },
    });
    let images = 0;
    let simCodes = 0;
    const watching: PipelineEncoder = {
      decodeOptions: two.decodeOptions,
      roles: two.roles,
      async encode(batch, options) {
        const out = await two.encode(batch, options);
        images += batch.length;
        simCodes += out.filter((e) => e.codes.sim).length;
        return out;
      },
    };
    const variants: ImageVariant[] = [6, 'greyscale', 'trimmed', 2];
    const pipeline = new EncodePipeline(watching, { variants, maxBatch: 3 });
    // A photo in a white frame, as a BMP so it decodes in a worker: the only one with a trimmed variant.
    const framed = path.join(dir, 'framed.bmp');
    const inside = syntheticPhoto({ width: 400, height: 300, seed: 22, noise: 8 });
    const frame = { op: 'extend' as const, top: 40, bottom: 40, left: 60, right: 60, colour: [255, 255, 255] as const };
    writeFileSync(framed, encodeBmp(await editImage(inside, [frame])));
    try {
      const files = [...photos.slice(0, 4), framed];
      const results = await Promise.all(files.map((file) => pipeline.encode(file)));
      expect(images).toBe(files.length * variants.length + 1); // photo and variants, but one trimmed variant
      expect(simCodes).toBe(files.length); // the similarity head never saw a variant
      for (const [i, file] of files.entries()) {
        const photo = ok(results[i]);
        const decoded = await decodeForCatalog(file, { modelSize: two.decodeOptions.size });
        const { model, trimmed } = decoded;
        expect(trimmed === null).toBe(file !== framed);
        // The greyscale variant is the upright model input in luma, encoded like any picture; the trimmed one
        // is the picture inside the frame, where there is one.
        const has = variants.filter((v) => v !== 'trimmed' || trimmed);
        const versions = has.map((v) => variantPixels(decoded, v)!);
        const [expected, ...turned] = await two.encode([model, ...versions]);
        expect(versions[1].data).not.toEqual(model.data); // a colour photo: its greyscale version is another picture
        if (trimmed) {
          expect(versions[2]).toBe(trimmed);
          expect(versions[2].data).not.toEqual(model.data);
        }
        expect(photo.codes.dup).toMatchObject({ code: expected.codes.dup!.code, model: two.roles.dup!.version });
        expect(photo.codes.sim).toMatchObject({ code: expected.codes.sim!.code, model: two.roles.sim!.version });
        expect(photo.variantCodes).toEqual(
          has.map((variant, v) => ({
            variant,
            canonical: false,
            code: turned[v].codes.dup!.code,
            logits: turned[v].codes.dup!.logits,
          })),
        );
      }
    } finally {
      await pipeline.close();
      await two.close();
    }
  });

  it('encodes a photo turned to each of its canonical orientations but upright, marked canonical', async () => {
    const two = encoder;
    const pipeline = new EncodePipeline(two, { variants: ['canonical'] });
    try {
      let turned = 0;
      for (const file of photos.slice(0, 6)) {
        const photo = ok(await pipeline.encode(file));
        const { model } = await decodeForCatalog(file, { modelSize: two.decodeOptions.size });
        const orientations = canonicalOrientations(model).filter((o) => o !== 1);
        const expected = await two.encode(orientations.map((o) => orientPixels(model, o)));
        expect(photo.variantCodes).toEqual(
          orientations.map((variant, v) => ({
            variant,
            canonical: true,
            code: expected[v].codes.dup!.code,
            logits: expected[v].codes.dup!.logits,
          })),
        );
        turned += orientations.length;
      }
      expect(turned).toBeGreaterThan(0); // the premise: not every photo is canonical upright
    } finally {
      await pipeline.close();
    }
  });

  it('batches concurrent calls into fewer encoder runs, never more than maxBatch images each', async () => {
    // The slow encoder lets the queue fill to maxWaiting (8) during a run, so the cap of 4 is exercised.
    const counting = countingEncoder(60);
    const pipeline = new EncodePipeline(counting, { decodeConcurrency: 4, maxBatch: 4 });
    try {
      const results = await Promise.all(photos.slice(0, 12).map((file) => pipeline.encode(file)));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(counting.runs.reduce((a, b) => a + b, 0)).toBe(12);
      expect(counting.runs.length).toBeLessThanOrEqual(6);
      expect(Math.max(...counting.runs)).toBe(4);
    } finally {
      await pipeline.close();
    }
  });

  it('turns a bad file into an error result and finishes the others', async () => {
    const text = path.join(dir, 'notes.jpg');
    writeFileSync(text, 'not a photo at all');
    const empty = path.join(dir, 'empty.jpg');
    writeFileSync(empty, '');
    const truncated = path.join(dir, 'truncated.jpg');
    const whole = await encodeImage(syntheticPhoto({ width: 400, height: 300, seed: 3 }), 'jpeg');
    writeFileSync(truncated, whole.subarray(0, whole.length >> 1));
    const badHeic = path.join(dir, 'bad.heic');
    writeFileSync(badHeic, Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic'), Buffer.alloc(64, 7)]));
    const inputs = [photos[0], text, empty, truncated, path.join(dir, 'missing.jpg'), badHeic, photos[1]];
    const pipeline = new EncodePipeline(encoder, { decodeConcurrency: 2, maxBatch: 4 });
    try {
      const results = await Promise.all(inputs.map((input) => pipeline.encode(input)));
      expect(results.map((r) => r.ok)).toEqual([true, false, false, false, false, false, true]);
      const codes = results.map((r) => (r.ok ? null : (r.error as { code?: string }).code));
      expect(codes.slice(1, 5)).toEqual(['UNSUPPORTED', 'EMPTY', 'CORRUPT', 'IO']);
      expect(results[5].ok ? null : results[5].error.message).toBeTruthy();
      expect(pipeline.stats().failed).toBe(5);
      // Buffers work as inputs too, and the pipeline is still usable.
      expect(ok(await pipeline.encode(new Uint8Array(whole))).info).toMatchObject({ width: 400, height: 300 });
    } finally {
      await pipeline.close();
    }
  });

  it('stops promptly when cancelled: pending calls reject at once and no new decode starts', async () => {
    const big = path.join(dir, 'big.jpg');
    writeFileSync(big, await encodeImage(syntheticPhoto({ width: 2400, height: 1800, seed: 9, noise: 8 }), 'jpeg'));
    const pipeline = new EncodePipeline(encoder, { decodeConcurrency: 2, maxBatch: 2 });
    const controller = new AbortController();
    try {
      const calls = Array.from({ length: 40 }, () => pipeline.encode(big, controller.signal));
      await calls[0];
      const abortedAt = performance.now();
      controller.abort();
      const settled = await Promise.allSettled(calls.slice(1));
      expect(performance.now() - abortedAt).toBeLessThan(100);
      const rejected = settled.filter((s) => s.status === 'rejected');
      expect(rejected.length).toBeGreaterThan(30);
      expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ name: 'AbortError' });
      const started = pipeline.stats().decodesStarted;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pipeline.stats().decodesStarted).toBe(started);
      // Beyond the photos already done, only what the pipeline held at the abort had started decoding.
      const finished = 1 + settled.filter((s) => s.status === 'fulfilled').length;
      expect(started).toBeLessThanOrEqual(finished + pipeline.capacity);
      expect(pipeline.stats()).toMatchObject({ decoding: 0, waiting: 0 });
      await expect(pipeline.encode(big, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await pipeline.close();
    }
  });

  it('keeps at most maxWaiting decoded images waiting while the encoder is slow', async () => {
    const counting = countingEncoder(40);
    const pipeline = new EncodePipeline(counting, { decodeConcurrency: 3, maxBatch: 2, maxWaiting: 3 });
    let seenWaiting = 0;
    let seenDecoding = 0;
    const sampler = setInterval(() => {
      seenWaiting = Math.max(seenWaiting, pipeline.stats().waiting);
      seenDecoding = Math.max(seenDecoding, pipeline.stats().decoding);
    }, 1);
    try {
      const inputs = Array.from({ length: 24 }, (_, i) => photos[i % 12]);
      const results = await Promise.all(inputs.map((file) => pipeline.encode(file)));
      expect(results.every((r) => r.ok)).toBe(true);
      const stats = pipeline.stats();
      expect(stats.peakWaiting).toBe(3); // the slow encoder lets the queue fill to its bound, not beyond
      expect(stats.peakDecoding).toBeLessThanOrEqual(3);
      expect(seenWaiting).toBeLessThanOrEqual(3);
      expect(seenDecoding).toBeLessThanOrEqual(3);
    } finally {
      clearInterval(sampler);
      await pipeline.close();
    }
  });

  it('encodeAll yields every photo once, and cancels the rest when the consumer stops', async () => {
    const pipeline = new EncodePipeline(encoder, { decodeConcurrency: 2, maxBatch: 4 });
    try {
      const seen: number[] = [];
      for await (const { index, result } of pipeline.encodeAll(photos)) {
        expect(result.ok).toBe(true);
        seen.push(index);
      }
      expect(seen.sort((a, b) => a - b)).toEqual(photos.map((_, i) => i));
      let taken = 0;
      for await (const _ of pipeline.encodeAll(Array.from({ length: 50 }, () => photos[0]))) if (++taken === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(pipeline.stats()).toMatchObject({ decoding: 0, waiting: 0 });
    } finally {
      await pipeline.close();
    }
  });

  it('can decode every format in worker threads with the same result', async () => {
    const pipeline = new EncodePipeline(encoder, { workerFormats: 'all', workers: 2 });
    const local = new EncodePipeline(encoder);
    try {
      const files = [photos[0], photos[12], photos[14]];
      const inWorkers = await Promise.all(files.map((file) => pipeline.encode(file)));
      const onPool = await Promise.all(files.map((file) => local.encode(file)));
      for (let i = 0; i < files.length; i++) expect(ok(inWorkers[i]).codes).toEqual(ok(onPool[i]).codes);
    } finally {
      await Promise.all([pipeline.close(), local.close()]);
    }
  });
});
