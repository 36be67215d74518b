/**
 * Descriptor exports of the same images joined side by side (training/cli/join-descriptors.ts is the command): each
 * joined row is the inputs' rows one after the other, and the joined backbone version is theirs joined with "+" (an
 * export too old to record its version is named by its folder).
 */
import path from 'node:path';
import { descriptorSetVersion, loadDescriptorSet, type LabelledSet } from './datasets.js';
import { loadDescriptorViews, type DescriptorViews } from './descriptor-views.js';

/** Rows [count, Σ dims]: row i is row i of each part, in order. */
export function joinRows(parts: readonly { features: Float32Array; dim: number }[], count: number): Float32Array {
  const dim = parts.reduce((sum, part) => sum + part.dim, 0);
  const out = new Float32Array(count * dim);
  for (let row = 0; row < count; row++) {
    let at = row * dim;
    for (const part of parts) {
      out.set(part.features.subarray(row * part.dim, (row + 1) * part.dim), at);
      at += part.dim;
    }
  }
  return out;
}

const sameArray = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);

/** The descriptor sets of `dirs` joined row by row (same images required), with their views of seed `seed`. */
export function joinDescriptorSets(
  dirs: readonly string[],
  seed: number,
): { set: LabelledSet; backboneVersion: string; views: DescriptorViews | null } {
  if (dirs.length < 2) throw new Error('join at least two descriptor sets');
  const sets = dirs.map((dir) => loadDescriptorSet(dir));
  sets.forEach((set, i) => {
    if (set.count !== sets[0]!.count || !sameArray(set.labels, sets[0]!.labels))
      throw new Error(`${dirs[i]} does not describe the images of ${dirs[0]} (count or labels differ)`);
  });
  const backboneVersion = dirs.map((dir) => descriptorSetVersion(dir) ?? path.basename(path.resolve(dir))).join('+');
  const set: LabelledSet = {
    features: joinRows(sets, sets[0]!.count),
    dim: sets.reduce((sum, s) => sum + s.dim, 0),
    count: sets[0]!.count,
    labels: sets[0]!.labels,
  };
  const views = dirs.map((dir) => loadDescriptorViews(dir, seed));
  if (views.some((v) => v === null)) return { set, backboneVersion, views: null };
  const all = views as DescriptorViews[];
  all.forEach((v, i) => {
    if (!sameArray(v.sources, all[0]!.sources))
      throw new Error(`the views of ${dirs[i]} are not of the images of ${dirs[0]}'s views (sources differ)`);
  });
  return {
    set,
    backboneVersion,
    views: {
      dim: set.dim,
      sources: all[0]!.sources,
      features: joinRows(all, all[0]!.sources.length),
      backboneVersion,
    },
  };
}
