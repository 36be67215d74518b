import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp-dir.js';
import { descriptorSetVersion, loadDescriptorSet, writeDescriptorSet, type LabelledSet } from './datasets.js';
import { joinDescriptorSets } from './descriptor-join.js';
import { loadDescriptorViews, writeDescriptorViews } from './descriptor-views.js';

/** `count` rows of `dim` values, row r's value c being base + 10·r + c (so every value says where it came from). */
function rows(count: number, dim: number, base: number): Float32Array {
  return Float32Array.from({ length: count * dim }, (_, i) => base + 10 * Math.floor(i / dim) + (i % dim));
}

function writeSet(dir: string, dim: number, base: number, labels: number[], version: string, views?: number[]) {
  const set: LabelledSet = {
    features: rows(labels.length, dim, base),
    dim,
    count: labels.length,
    labels: Int32Array.from(labels),
  };
  writeDescriptorSet(dir, set, version);
  if (views)
    writeDescriptorViews(dir, 1, {
      dim,
      sources: Int32Array.from(views),
      features: rows(views.length, dim, base + 0.5),
      backboneVersion: version,
    });
}

describe('joinDescriptorSets', () => {
  it('puts each row of the inputs side by side, joins their views and names both backbones', () => {
    const root = tempDir('join');
    const [a, b] = [path.join(root, 'a'), path.join(root, 'b')];
    writeSet(a, 2, 100, [0, 1, 1], 'mnv2', [2, 0]);
    writeSet(b, 3, 200, [0, 1, 1], 'incep', [2, 0]);
    const joined = joinDescriptorSets([a, b], 1);
    expect(joined.backboneVersion).toBe('mnv2+incep');
    expect(joined.set.dim).toBe(5);
    expect(Array.from(joined.set.labels)).toEqual([0, 1, 1]);
    // Row 1: a's row 1 (110, 111), then b's row 1 (210, 211, 212).
    expect(Array.from(joined.set.features.subarray(5, 10))).toEqual([110, 111, 210, 211, 212]);
    expect(Array.from(joined.views!.sources)).toEqual([2, 0]);
    expect(Array.from(joined.views!.features.subarray(5, 10))).toEqual([110.5, 111.5, 210.5, 211.5, 212.5]);

    // Written and read back as the trainer reads any export (the views pass its same-backbone check).
    const out = path.join(root, 'out');
    writeDescriptorSet(out, joined.set, joined.backboneVersion);
    writeDescriptorViews(out, 1, joined.views!);
    expect(descriptorSetVersion(out)).toBe('mnv2+incep');
    expect(Array.from(loadDescriptorSet(out).features)).toEqual(Array.from(joined.set.features));
    expect(loadDescriptorViews(out, 1)!.dim).toBe(5);
  });

  it('refuses sets of other images, and leaves views out unless every input has them', () => {
    const root = tempDir('join');
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => path.join(root, name));
    writeSet(a, 2, 100, [0, 1, 1], 'mnv2', [2, 0]);
    writeSet(b, 3, 200, [0, 1, 0], 'incep', [2, 0]);
    expect(() => joinDescriptorSets([a, b], 1)).toThrow(/does not describe the images of .*labels differ/);
    writeSet(c, 3, 200, [0, 1, 1], 'incep', [1, 0]);
    expect(() => joinDescriptorSets([a, c], 1)).toThrow(/sources differ/);
    writeSet(d, 3, 200, [0, 1, 1], 'incep');
    expect(joinDescriptorSets([a, d], 1).views).toBeNull();
    expect(() => joinDescriptorSets([a], 1)).toThrow(/at least two/);
  });
});
