import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSession } from '../model/encoder.js';
import { HeadCompute } from './compute-graphs.js';
import { gaussianClusters } from './synthetic-data.js';
import { trainHeadInProcess } from './train.js';
import { installTrainedHead, resolveOptions, trainHead } from './train-head.js';
import { heldOutMap as mapOf, newHead } from './training-loop.js';
import { createRandom } from './rng.js';
import type { LabelledSet } from './datasets.js';
import type { HeadParameters } from './head.js';
import { tempDir } from '../tests/helpers/temp-dir.js';

const train = gaussianClusters({ classes: 6, perClass: 60, dim: 24, separation: 0.8, seed: 21 });
// Held-out items from the same class means (the means depend only on the seed; the noise on seed + 1).
const testSet: LabelledSet = gaussianClusters({ classes: 6, perClass: 40, dim: 24, separation: 0.8, seed: 21 }, 77);

async function heldOutMap(head: HeadParameters, queries: LabelledSet, database: LabelledSet): Promise<number> {
  const compute = await HeadCompute.open(head.architecture, 1);
  try {
    return await mapOf(compute, head, queries, database);
  } finally {
    await compute.release();
  }
}

describe('Deep Policy Hashing loop', () => {
  it('improves MAP on a small synthetic labelled set within a few seconds', async () => {
    const options = resolveOptions({
      method: 'dph',
      bits: 16,
      epochs: 12,
      batchSize: 32,
      learningRate: 1e-2,
      threads: 1,
      databaseRefreshSteps: 5,
    });
    const before = await heldOutMap(newHead(options, train, createRandom(options.seed)), testSet, train);
    const started = performance.now();
    const result = await trainHeadInProcess({ train }, options);
    const seconds = (performance.now() - started) / 1000;
    const after = await heldOutMap(result.head, testSet, train);
    expect(seconds).toBeLessThan(15);
    expect(after).toBeGreaterThan(before + 0.2);
    expect(after).toBeGreaterThan(0.75);
    console.log(`synthetic MAP ${before.toFixed(3)} → ${after.toFixed(3)} in ${seconds.toFixed(1)} s`);
  });
});

describe('dropout on the hidden layer', () => {
  const options = (dropout: number) =>
    resolveOptions({
      method: 'dph',
      bits: 16,
      hiddenDim: 32,
      epochs: 12,
      batchSize: 32,
      learningRate: 1e-2,
      threads: 1,
      databaseRefreshSteps: 5,
      dropout,
    });

  it('trains a different head that still learns the classes', async () => {
    const plain = await trainHeadInProcess({ train }, options(0));
    const dropped = await trainHeadInProcess({ train }, options(0.3));
    expect(Array.from(dropped.head.hiddenWeights)).not.toEqual(Array.from(plain.head.hiddenWeights));
    const before = await heldOutMap(newHead(options(0.3), train, createRandom(1)), testSet, train);
    const after = await heldOutMap(dropped.head, testSet, train);
    expect(after).toBeGreaterThan(before + 0.2);
    expect(after).toBeGreaterThan(0.75);
  });

  it('needs a hidden layer', async () => {
    await expect(trainHeadInProcess({ train }, { ...options(0.3), hiddenDim: 0 })).rejects.toThrow(/hidden layer/);
  });
});

describe('trainHead (worker thread)', () => {
  it('reports progress and returns an ONNX head whose codes match the metadata', async () => {
    const progress: number[] = [];
    const { onnx, metadata } = await trainHead(
      { data: { train }, dataDescription: 'synthetic clusters', method: 'dph', bits: 8, epochs: 2, threads: 1 },
      { onProgress: (p) => progress.push(p.epoch) },
    );
    expect(progress).toEqual([1, 2]);
    expect(metadata.bits).toBe(8);
    expect(metadata.version).toMatch(/^head-[0-9a-f]{16}$/);
    const dir = tempDir('head');
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ formatVersion: 1, heads: {}, defaultHead: null }));
    installTrainedHead({ onnx, metadata }, 'test-8', { backboneVersion: 'b1', dir, makeDefault: true });
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.defaultHead).toBe('test-8');
    expect(manifest.heads['test-8']).toMatchObject({
      version: metadata.version,
      bits: 8,
      kind: 'dph',
      file: 'head-test-8.onnx',
    });
    const session = await openSession(path.join(dir, 'head-test-8.onnx'), { providers: ['cpu'], threads: 1 });
    try {
      const out = await session.run({
        descriptor: { data: train.features.subarray(0, 5 * train.dim), dims: [5, train.dim] },
      });
      expect(out.bits!.dims).toEqual([5, 8]);
      for (let i = 0; i < 40; i++) expect(out.bits!.data[i]).toBe(out.logits!.data[i]! > 0 ? 1 : 0);
    } finally {
      await session.release();
    }
  });

  it('rejects with AbortError when cancelled', async () => {
    const controller = new AbortController();
    const run = trainHead(
      { data: { train }, dataDescription: 'synthetic clusters', method: 'dph', bits: 8, epochs: 500, threads: 1 },
      { signal: controller.signal, onProgress: () => controller.abort() },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});
