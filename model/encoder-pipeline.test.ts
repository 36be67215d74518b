/**
 * The query network end to end, on artifacts built into a temporary folder (so the test does not
 * depend on what is in model/artifacts): build the backbone, fit a small ITQ head on descriptors of
 * synthetic photos, then encode through `Encoder` and `encodeFile`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitItq, installLinearHead } from './backbone/itq.js';
import { readManifest, setRoleHead } from './backbone/manifest.js';
import { buildModel } from './build.js';
import { encodeFile } from './encode-file.js';
import { codeToHex, describeModel, Encoder, packLogits } from './encoder.js';
import { decodeForCatalog } from './image/decode.js';
import { seededRandom, syntheticPhoto } from '../tests/helpers/synthetic-photo.js';
import type { RawImage } from './types.js';
import { tempDir } from '../tests/helpers/temp-dir.js';

const BITS = 16;
/** A second head (random hyperplanes, another length) for the similarity role. */
const SIM_BITS = 24;
let dir: string;
let encoder: Encoder;
let photos: RawImage[];

beforeAll(async () => {
  dir = tempDir('encoder');
  const { manifest } = buildModel(dir);
  const size = manifest.backbone.input.size;
  photos = Array.from({ length: 24 }, (_, seed) => syntheticPhoto({ width: size, height: size, seed }));
  const plain = await Encoder.open({ artifactsDir: dir, head: null });
  const descriptors = await plain.describe(photos);
  await plain.close();
  const dim = manifest.backbone.output.dim;
  const rows = new Float32Array(descriptors.length * dim);
  descriptors.forEach((d, i) => rows.set(d, i * dim));
  const head = await fitItq(rows, descriptors.length, dim, BITS, { iterations: 10 });
  installLinearHead(
    dir,
    'itq-test',
    head,
    { version: 'itq-test-1', kind: 'itq', backboneVersion: manifest.backbone.version },
    { makeDefault: true },
  );
  const random = seededRandom(11);
  installLinearHead(
    dir,
    'random-sim',
    {
      weights: Float32Array.from({ length: dim * SIM_BITS }, () => random() - 0.5),
      bias: new Float32Array(SIM_BITS),
      inputDim: dim,
      bits: SIM_BITS,
    },
    { version: 'random-sim-1', kind: 'random', backboneVersion: manifest.backbone.version },
  );
  encoder = await Encoder.open({ artifactsDir: dir, providers: ['cpu'], batchSize: 5 });
}, 120_000);

afterAll(async () => {
  await encoder?.close();
});

describe('Encoder', () => {
  it('reports a ready model on CPU with the head it loaded (the default head serves both roles)', () => {
    const version = `${readManifest(dir)!.backbone.version}+itq-test-1`;
    const heads = { dup: { version, bits: BITS }, sim: { version, bits: BITS } };
    expect(encoder.status()).toMatchObject({ state: 'ready', bits: BITS, version, heads, provider: 'cpu' });
    expect(encoder.roles.dup).toMatchObject({ id: 'itq-test', bits: BITS, version });
    expect(describeModel(dir)).toMatchObject({ state: 'not-loaded', bits: BITS, version, heads });
  });

  it('batches: codes do not depend on how images are grouped', async () => {
    const all = await encoder.encode(photos.slice(0, 7)); // batches of 5 + 2
    const single = await encoder.encode([photos[6]]);
    expect(Array.from(single[0].codes.dup!.code)).toEqual(Array.from(all[6].codes.dup!.code));
    for (let k = 0; k < all[6].descriptor.length; k++)
      expect(single[0].descriptor[k]).toBeCloseTo(all[6].descriptor[k], 5);
  });

  it('gives unit-norm descriptors and codes that are the signs of the logits', async () => {
    const [a, b] = await encoder.encode(photos.slice(0, 2));
    const norm = Math.hypot(...a.descriptor);
    expect(norm).toBeCloseTo(1, 4);
    expect(a.codes.dup!.code).toEqual(packLogits(a.codes.dup!.logits));
    expect(a.codes.dup!.code).not.toEqual(b.codes.dup!.code);
    // Re-encoding from the cached descriptor gives the same code.
    const [again] = await encoder.hash('dup', [a.descriptor]);
    expect(again.code).toEqual(a.codes.dup!.code);
  });

  it('accepts greyscale images as their RGB expansion and rejects the wrong size', async () => {
    const rgb = photos[3];
    const grey = new Uint8Array(rgb.width * rgb.height);
    const expanded = new Uint8Array(rgb.data.length);
    for (let i = 0; i < grey.length; i++) {
      grey[i] = rgb.data[i * 3 + 1];
      expanded.fill(grey[i], i * 3, i * 3 + 3);
    }
    const [g] = await encoder.encode([{ ...rgb, data: grey, channels: 1 }]);
    const [e] = await encoder.encode([{ ...rgb, data: expanded, channels: 3 }]);
    expect(g.codes.dup!.code).toEqual(e.codes.dup!.code);
    await expect(encoder.encode([syntheticPhoto({ width: 100, height: 80, seed: 1 })])).rejects.toThrow(
      /decodeOptions/,
    );
  });

  it('refuses an artifact whose bytes do not match the manifest', async () => {
    const tampered = tempDir('tampered');
    buildModel(tampered);
    writeFileSync(path.join(tampered, 'backbone.onnx'), new Uint8Array([1, 2, 3]));
    await expect(Encoder.open({ artifactsDir: tampered, head: null })).rejects.toThrow(/does not match manifest/);
    expect(describeModel(path.join(tampered, 'nowhere')).state).toBe('missing');
  });
});

describe('Encoder with a head per role', () => {
  const open = (options: Parameters<typeof Encoder.open>[0]) =>
    Encoder.open({ artifactsDir: dir, providers: ['cpu'], batchSize: 16, ...options });

  it('runs the backbone once and each head on the same descriptors, as single-head encoders would', async () => {
    const both = await open({ heads: { dup: 'itq-test', sim: 'random-sim' } });
    const dupOnly = await open({ head: 'itq-test' });
    const simOnly = await open({ head: 'random-sim' });
    try {
      const backbone = readManifest(dir)!.backbone.version;
      expect(both.roles.dup).toMatchObject({ bits: BITS, version: `${backbone}+itq-test-1` });
      expect(both.roles.sim).toMatchObject({ bits: SIM_BITS, version: `${backbone}+random-sim-1` });
      expect(both.status().heads).toEqual({
        dup: { version: `${backbone}+itq-test-1`, bits: BITS },
        sim: { version: `${backbone}+random-sim-1`, bits: SIM_BITS },
      });
      const images = photos.slice(0, 8);
      const encoded = await both.encode(images);
      expect(both.runs()).toEqual({ backbone: 1, heads: 2 });
      const [dups, sims] = [await dupOnly.encode(images), await simOnly.encode(images)];
      for (const [i, e] of encoded.entries()) {
        expect(Array.from(e.codes.dup!.code)).toEqual(Array.from(dups[i].codes.dup!.code));
        expect(Array.from(e.codes.sim!.code)).toEqual(Array.from(sims[i].codes.sim!.code));
        for (let k = 0; k < SIM_BITS; k++) expect(e.codes.sim!.logits[k]).toBeCloseTo(sims[i].codes.sim!.logits[k], 4);
        expect(e.codes.dup!.logits).toHaveLength(BITS);
        expect(e.codes.sim!.logits).toHaveLength(SIM_BITS);
        // Re-hashing the descriptor with one role's head gives that role's code.
        const [again] = await both.hash('sim', [e.descriptor]);
        expect(Array.from(again.code)).toEqual(Array.from(e.codes.sim!.code));
      }
      // The two heads disagree: the codes are not one code under two names.
      const distinctPairs = (role: 'dup' | 'sim') =>
        new Set(encoded.map((e) => Array.from(e.codes[role]!.code).join(','))).size;
      expect(distinctPairs('dup')).toBeGreaterThan(1);
      expect(distinctPairs('sim')).toBeGreaterThan(1);
      // Images can ask for one role only (geometric variants want only the duplicate code).
      const before = both.runs();
      const some = await both.encode(images.slice(0, 3), { roles: (i) => (i === 0 ? ['dup', 'sim'] : ['dup']) });
      expect(some.map((e) => [e.codes.dup !== null, e.codes.sim !== null])).toEqual([
        [true, true],
        [true, false],
        [true, false],
      ]);
      expect(both.runs()).toEqual({ backbone: before.backbone + 1, heads: before.heads + 2 });
    } finally {
      await Promise.all([both.close(), dupOnly.close(), simOnly.close()]);
    }
  });

  it('opens one session for a head that serves both roles and runs it once', async () => {
    const shared = await open({ heads: { dup: 'random-sim', sim: 'random-sim' } });
    try {
      const [e] = await shared.encode(photos.slice(0, 1));
      expect(shared.runs()).toEqual({ backbone: 1, heads: 1 });
      expect(e.codes.sim).toBe(e.codes.dup);
    } finally {
      await shared.close();
    }
  });

  it('takes each role’s head from the manifest’s roles, falling back to defaultHead', async () => {
    try {
      setRoleHead('sim', 'random-sim', dir);
      expect(readManifest(dir)).toMatchObject({ defaultHead: 'itq-test', roles: { sim: 'random-sim' } });
      expect(describeModel(dir).heads).toMatchObject({ dup: { bits: BITS }, sim: { bits: SIM_BITS } });
      const fromManifest = await open({});
      expect([fromManifest.roles.dup?.id, fromManifest.roles.sim?.id]).toEqual(['itq-test', 'random-sim']);
      await fromManifest.close();
      const descriptorsOnly = await open({ head: null });
      expect(descriptorsOnly.roles).toEqual({ dup: null, sim: null });
      await descriptorsOnly.close();
      expect(() => setRoleHead('dup', 'nope', dir)).toThrow(/not in the manifest/);
    } finally {
      setRoleHead('sim', null, dir);
    }
    expect(readManifest(dir)!.roles).toBeUndefined();
    expect(describeModel(dir).heads.sim).toMatchObject({ bits: BITS });
  });
});

describe('encodeFile', () => {
  it('decodes a JPEG and returns both codes, with their bits and model versions, and the provider', async () => {
    const file = path.join(dir, 'photo.jpg');
    const photo = syntheticPhoto({ width: 640, height: 480, seed: 42 });
    await sharp(photo.data, { raw: { width: 640, height: 480, channels: 3 } })
      .jpeg({ quality: 92 })
      .toFile(file);
    const two = await Encoder.open({ artifactsDir: dir, providers: ['cpu'], heads: { sim: 'random-sim' } });
    try {
      const result = await encodeFile(file, { encoder: two });
      expect(result).toMatchObject({
        path: file,
        provider: 'cpu',
        descriptorDim: two.descriptorDim,
        codes: {
          dup: { bits: BITS, model: two.roles.dup!.version },
          sim: { bits: SIM_BITS, model: two.roles.sim!.version },
        },
      });
      expect(result.codes.dup.code).toMatch(/^[0-9a-f]{4}$/);
      expect(result.codes.sim.code).toMatch(/^[0-9a-f]{6}$/);
      // The same file gives the same codes, and they are what the encoder makes of the pixels the scanner
      // prepares (one decode for model input and thumbnail).
      expect((await encodeFile(file, { encoder: two })).codes).toEqual(result.codes);
      const { model } = await decodeForCatalog(file, { modelSize: two.decodeOptions.size });
      const [direct] = await two.encode([model]);
      expect(codeToHex(direct.codes.dup!.code, BITS)).toBe(result.codes.dup.code);
      expect(codeToHex(direct.codes.sim!.code, SIM_BITS)).toBe(result.codes.sim.code);
    } finally {
      await two.close();
    }
  });

  it('formats codes as fixed-width hex, bit k of the code = bit k of the number', () => {
    expect(codeToHex(packLogits([1, -1, -1, -1, 1, ...new Array(59).fill(-1)]), 64)).toBe('0000000000000011');
    expect(codeToHex(new Uint32Array([0xdeadbeef, 0x1]), 64)).toBe('00000001deadbeef');
    expect(codeToHex(new Uint32Array([0xbeef]), 16)).toBe('beef');
  });
});
