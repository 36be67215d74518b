import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSession } from '../../model/encoder.js';
import { HeadCompute } from '../compute/compute-graphs.js';
import { clusterRetrieval, gaussianClusters } from '../../tests/helpers/synthetic-data.js';
import { headMap } from '../../tests/helpers/head-map.js';
import { trainHeadInProcess } from './train.js';
import { installTrainedHead, resolveOptions, trainHead } from './train-head.js';
import { newHead } from './training-loop.js';
import { createRandom } from '../compute/rng.js';
import { type LabelledSet, subset } from '../data/datasets.js';
import { holdOutAlbums } from '../data/album-split.js';
import { labelSets } from '../metrics/relevance.js';
import { type HeadParameters, standardise } from '../compute/head.js';
import { hashCentres } from '../methods/policy-gradient.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';

const { train, heldOut: testSet } = clusterRetrieval();

/** A small, fast DPH run on the synthetic set. */
const SMALL_DPH = {
  method: 'dph',
  bits: 16,
  epochs: 12,
  batchSize: 32,
  learningRate: 1e-2,
  threads: 1,
  databaseRefreshSteps: 5,
} as const;

describe('Deep Policy Hashing loop', () => {
  it('improves MAP on a small synthetic labelled set within a few seconds', async () => {
    const options = resolveOptions(SMALL_DPH);
    const before = await headMap(newHead(options, train, createRandom(options.seed)), testSet, train);
    const started = performance.now();
    const result = await trainHeadInProcess({ train }, options);
    const seconds = (performance.now() - started) / 1000;
    const after = await headMap(result.head, testSet, train);
    expect(seconds).toBeLessThan(15);
    expect(after).toBeGreaterThan(before + 0.2);
    expect(after).toBeGreaterThan(0.75);
    console.log(`synthetic MAP ${before.toFixed(3)} → ${after.toFixed(3)} in ${seconds.toFixed(1)} s`);
  });
});

describe('the policy loop on albums', () => {
  it('learns albums that share photos: a photo of two albums is ranked with the members of both', async () => {
    // Six albums; every photo of album 5 is also in album 4, so albums 4 and 5 are one neighbourhood to learn.
    const photos = gaussianClusters({ classes: 6, perClass: 80, dim: 24, separation: 0.8, seed: 23 });
    const memberships = Array.from(photos.labels, (album) => (album === 5 ? [5, 4] : [album]));
    const { labels, relation } = labelSets(memberships);
    const split = holdOutAlbums(memberships, 0.25, 3);
    const albums: LabelledSet = { ...photos, labels, relation };
    const [trainSet, heldOut] = [subset(albums, split.train), subset(albums, split.heldOut)];
    const options = resolveOptions(SMALL_DPH);
    const before = await headMap(newHead(options, trainSet, createRandom(options.seed)), heldOut, trainSet);
    const result = await trainHeadInProcess({ train: trainSet }, options);
    const after = await headMap(result.head, heldOut, trainSet);
    expect(after).toBeGreaterThan(before + 0.2);
    expect(after).toBeGreaterThan(0.7);
    // Trained as if each set of albums were a class of its own (no relation), it keeps albums 4 and 5 apart.
    const apart = await trainHeadInProcess({ train: { ...trainSet, relation: undefined } }, options);
    const apartMap = await headMap(apart.head, heldOut, trainSet);
    console.log(`albums MAP ${before.toFixed(3)} → ${after.toFixed(3)}; without the relation ${apartMap.toFixed(3)}`);
    expect(after).toBeGreaterThan(apartMap + 0.03);
  });
});

describe('the pull towards class hash centres', () => {
  it("gathers each class's codes at its centre and still learns the ranking", async () => {
    const options = (centreWeight: number) => resolveOptions({ ...SMALL_DPH, policy: { centreWeight } });
    const centres = hashCentres(train.labels, 16, createRandom(options(1).seed + 101));
    /** Mean Hamming distance of the held-out items' codes to their class's centre, and to the nearest other one. */
    const distances = async (head: HeadParameters) => {
      const compute = await HeadCompute.open(head.architecture, 1);
      try {
        const logits = await compute.forward(head, standardise(head, testSet.features), testSet.count);
        let own = 0;
        let other = 0;
        for (let i = 0; i < testSet.count; i++) {
          const distanceTo = (c: Uint8Array) =>
            c.reduce((d, bit, k) => d + (bit ^ (logits[i * 16 + k]! > 0 ? 1 : 0)), 0);
          own += distanceTo(centres.get(testSet.labels[i]!)!) / testSet.count;
          other +=
            Math.min(...[...centres].filter(([l]) => l !== testSet.labels[i]).map(([, c]) => distanceTo(c))) /
            testSet.count;
        }
        return { own, other };
      } finally {
        await compute.release();
      }
    };
    const plain = await trainHeadInProcess({ train }, options(0));
    const pulled = await trainHeadInProcess({ train }, options(1));
    const [d0, d1] = [await distances(plain.head), await distances(pulled.head)];
    console.log(
      `distance to own centre ${d0.own.toFixed(2)} → ${d1.own.toFixed(2)}, to nearest other ${d1.other.toFixed(2)}`,
    );
    expect(d1.own).toBeLessThan(2);
    expect(d0.own).toBeGreaterThan(4); // without the pull the codes do not sit at the (arbitrary) centres
    expect(d1.other - d1.own).toBeGreaterThan(4);
    expect(await headMap(pulled.head, testSet, train)).toBeGreaterThan(0.75);
  });
});

describe('dropout on the hidden layer', () => {
  const options = (dropout: number) => resolveOptions({ ...SMALL_DPH, hiddenDim: 32, dropout });

  it('trains a different head that still learns the classes', async () => {
    const plain = await trainHeadInProcess({ train }, options(0));
    const dropped = await trainHeadInProcess({ train }, options(0.3));
    expect(Array.from(dropped.head.hiddenWeights)).not.toEqual(Array.from(plain.head.hiddenWeights));
    const before = await headMap(newHead(options(0.3), train, createRandom(1)), testSet, train);
    const after = await headMap(dropped.head, testSet, train);
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
