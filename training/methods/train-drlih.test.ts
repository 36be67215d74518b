import { describe, expect, it } from 'vitest';
import { openSession } from '../../model/encoder.js';
import { headMap } from '../../tests/helpers/head-map.js';
import { clusterRetrieval, gaussianClusters } from '../../tests/helpers/synthetic-data.js';
import { HeadCompute } from '../compute/compute-graphs.js';
import { exportHead } from '../compute/export-head.js';
import { type HeadParameters, standardise } from '../compute/head.js';
import { createRandom } from '../compute/rng.js';
import type { LabelledSet } from '../data/datasets.js';
import { resolveOptions } from '../loop/train-head.js';
import { trainHeadInProcess } from '../loop/train.js';
import { packCodes } from '../metrics/hamming-kernel.js';
import { bitRelevance, labelBitCounts, newSequentialHead } from './train-drlih.js';

const { train, heldOut: testSet } = clusterRetrieval();

/** Runs a head exported from `head` on `rows` rows of raw `inputs`: its bits must be the head's greedy code. */
async function expectExportedBits(head: HeadParameters, inputs: LabelledSet, rows: number): Promise<void> {
  const { onnx } = exportHead(head, { method: 'drlih', data: 'synthetic', metrics: {} });
  const session = await openSession(onnx, { providers: ['cpu'], threads: 1 });
  const compute = await HeadCompute.open(head.architecture, 1);
  try {
    const raw = inputs.features.subarray(0, rows * inputs.dim);
    const { bits } = await session.run({ descriptor: { data: raw, dims: [rows, inputs.dim] } });
    const expected = await compute.forward(head, standardise(head, raw), rows);
    expect(Array.from(bits!.data)).toEqual(Array.from(expected, (z) => (z > 0 ? 1 : 0)));
  } finally {
    await Promise.all([session.release(), compute.release()]);
  }
}

const SMALL_DRLIH = {
  method: 'drlih',
  bits: 16,
  epochs: 12,
  batchSize: 32,
  learningRate: 1e-2,
  threads: 1,
  databaseRefreshSteps: 5,
} as const;

describe('DRLIH (the sequential bit policy)', () => {
  it('scores each bit by how its relevant and irrelevant database items split on it', () => {
    // Four 2-bit codes: labels 0, 0, 1, 1; bit 0 is 1 exactly for label 0, bit 1 is 1 for items 0 and 2.
    const database = packCodes(Float32Array.of(1, 1, 1, -1, -1, 1, -1, -1), 4, 2);
    const labels = Int32Array.of(0, 0, 1, 1);
    const stats = labelBitCounts(database, labels, 2);
    // Label 0 against label 1: bit 0 splits them completely (1 − 0), bit 1 not at all (½ − ½).
    expect(Array.from(bitRelevance(stats, 0, undefined, null))).toEqual([1, 0]);
    expect(Array.from(bitRelevance(stats, 1, undefined, null))).toEqual([-1, 0]);
    // Item 0 as the query, left out of its own statistics: its relevant item (1) has bit 1 = 0, irrelevant ½.
    expect(Array.from(bitRelevance(stats, 0, undefined, { code: database, row: 0 }))).toEqual([1, -0.5]);
  });

  it('improves MAP on a small synthetic labelled set', async () => {
    const options = resolveOptions(SMALL_DRLIH);
    const untrained = newSequentialHead(options, train, createRandom(options.seed));
    const sequential = { hidden: options.drlih.hidden, group: options.drlih.group };
    const before = await headMap(untrained, testSet, train);
    const result = await trainHeadInProcess({ train }, options);
    expect(result.head.architecture.sequential).toEqual(sequential);
    // The recurrence took part: its read-out, zero at the start, moved.
    expect(result.head.sequential!.v.some((w) => w !== 0)).toBe(true);
    const after = await headMap(result.head, testSet, train);
    // With the triplet step rewards as well (the paper's design, an option).
    const stepped = await trainHeadInProcess(
      { train },
      resolveOptions({ ...SMALL_DRLIH, drlih: { stepRewards: true } }),
    );
    const afterStepped = await headMap(stepped.head, testSet, train);
    console.log(
      `DRLIH synthetic MAP ${before.toFixed(3)} → ${after.toFixed(3)} (with step rewards ${afterStepped.toFixed(3)})`,
    );
    for (const map of [after, afterStepped]) {
      expect(map).toBeGreaterThan(before + 0.2);
      expect(map).toBeGreaterThan(0.75);
    }
  });

  it('exports a head whose bits are the policy’s greedy code, the recurrence unrolled', async () => {
    const options = resolveOptions({ ...SMALL_DRLIH, epochs: 2, drlih: { hidden: 8, group: 2, stepRewards: true } });
    const { head } = await trainHeadInProcess({ train }, options);
    const { metadata } = exportHead(head, { method: 'drlih', data: 'synthetic', metrics: {} });
    expect(metadata.sequential).toEqual({ hidden: 8, group: 2 });
    await expectExportedBits(head, testSet, 50);
  });

  it('trains a convolutional head too, and exports it with its policy', async () => {
    // 8×8 "images": the clusters' 64 values as pixels, through a 3×3 conv + pool before the dense layers.
    const images: LabelledSet = {
      ...gaussianClusters({ classes: 4, perClass: 30, dim: 64, separation: 0.8, seed: 5 }),
      imageShape: { width: 8, height: 8 },
    };
    const options = resolveOptions({
      ...SMALL_DRLIH,
      bits: 8,
      epochs: 3,
      hiddenDim: 16,
      convLayers: [{ filters: 4, kernel: 3, pool: true }],
      drlih: { hidden: 6, group: 2 },
    });
    const { head, metrics } = await trainHeadInProcess({ train: images }, options);
    expect(head.architecture.conv?.layers).toHaveLength(1);
    expect(metrics.mapValidation).toBeGreaterThan(0.4);
    await expectExportedBits(head, images, 20);
  });
});
