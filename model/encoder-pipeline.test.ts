/**
 * The query network end to end, on artifacts built into a temporary folder (so the test does not
 * depend on what is in model/artifacts): build the backbone, fit a small ITQ head on descriptors of
 * synthetic photos, then encode through `Encoder` and `encodeFile`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitItq, installLinearHead } from './backbone/itq.js';
import { readManifest } from './backbone/manifest.js';
import { buildModel } from './build.js';
import { encodeFile } from './encode-file.js';
import { codeToHex, describeModel, Encoder, packLogits } from './encoder.js';
import { decodeForCatalog } from './image.js';
import { syntheticPhoto } from './image-synthetic.js';
import type { RawImage } from './types.js';

const BITS = 16;
let dir: string;
let encoder: Encoder;
let photos: RawImage[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-encoder-'));
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
  encoder = await Encoder.open({ artifactsDir: dir, providers: ['cpu'], batchSize: 5 });
}, 120_000);

afterAll(async () => {
  await encoder?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Encoder', () => {
  it('reports a ready model on CPU with the head it loaded', () => {
    expect(encoder.status()).toMatchObject({ state: 'ready', bits: BITS, provider: 'cpu' });
    expect(encoder.version).toBe(`${readManifest(dir)!.backbone.version}+itq-test-1`);
    expect(describeModel(dir)).toMatchObject({ state: 'not-loaded', bits: BITS, version: encoder.version });
  });

  it('batches: codes do not depend on how images are grouped', async () => {
    const all = await encoder.encode(photos.slice(0, 7)); // batches of 5 + 2
    const single = await encoder.encode([photos[6]]);
    expect(Array.from(single[0].code!)).toEqual(Array.from(all[6].code!));
    for (let k = 0; k < all[6].descriptor.length; k++)
      expect(single[0].descriptor[k]).toBeCloseTo(all[6].descriptor[k], 5);
  });

  it('gives unit-norm descriptors and codes that are the signs of the logits', async () => {
    const [a, b] = await encoder.encode(photos.slice(0, 2));
    const norm = Math.hypot(...a.descriptor);
    expect(norm).toBeCloseTo(1, 4);
    expect(a.code).toEqual(packLogits(a.logits!));
    expect(a.code).not.toEqual(b.code);
    // Re-encoding from the cached descriptor gives the same code.
    const [again] = await encoder.hash([a.descriptor]);
    expect(again.code).toEqual(a.code);
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
    expect(g.code).toEqual(e.code);
    await expect(encoder.encode([syntheticPhoto({ width: 100, height: 80, seed: 1 })])).rejects.toThrow(
      /decodeOptions/,
    );
  });

  it('refuses an artifact whose bytes do not match the manifest', async () => {
    const tampered = mkdtempSync(path.join(os.tmpdir(), 'lookalike-tampered-'));
    try {
      buildModel(tampered);
      writeFileSync(path.join(tampered, 'backbone.onnx'), new Uint8Array([1, 2, 3]));
      await expect(Encoder.open({ artifactsDir: tampered, head: null })).rejects.toThrow(/does not match manifest/);
      expect(describeModel(path.join(tampered, 'nowhere')).state).toBe('missing');
    } finally {
      rmSync(tampered, { recursive: true, force: true });
    }
  });
});

describe('encodeFile', () => {
  it('decodes a JPEG and returns {code, bits, model, provider}', async () => {
    const file = path.join(dir, 'photo.jpg');
    const photo = syntheticPhoto({ width: 640, height: 480, seed: 42 });
    await sharp(photo.data, { raw: { width: 640, height: 480, channels: 3 } })
      .jpeg({ quality: 92 })
      .toFile(file);
    const result = await encodeFile(file, { encoder });
    expect(result).toMatchObject({ bits: BITS, model: encoder.version, provider: 'cpu', path: file });
    expect(result.code).toMatch(/^[0-9a-f]{4}$/);
    // The same file gives the same code, and the code is what the encoder makes of the pixels the scanner
    // prepares (one decode for model input and thumbnail).
    expect((await encodeFile(file, { encoder })).code).toBe(result.code);
    const { model } = await decodeForCatalog(file, { modelSize: encoder.decodeOptions.size });
    const [direct] = await encoder.encode([model]);
    expect(codeToHex(direct.code!, BITS)).toBe(result.code);
  });

  it('formats codes as fixed-width hex, bit k of the code = bit k of the number', () => {
    expect(codeToHex(packLogits([1, -1, -1, -1, 1, ...new Array(59).fill(-1)]), 64)).toBe('0000000000000011');
    expect(codeToHex(new Uint32Array([0xdeadbeef, 0x1]), 64)).toBe('00000001deadbeef');
    expect(codeToHex(new Uint32Array([0xbeef]), 16)).toBe('beef');
  });
});
