/**
 * The stress library's photos as a labelled set for similarity measures: one file per source (originals, frames,
 * windows, same-subject photos; no edited copies), labelled by scene, described by the shipped backbone as the app
 * describes files. Cached in the temp folder under the seed, the count and the backbone version. `realOnly` leaves
 * out the upscaled CIFAR-10 cats and dogs (600 of the 1,047), whose classes the similarity head trains on.
 */
import { subset } from '../../../training/data/datasets.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeFiles } from '../../../model/backbone/describe-files.js';
import type { Encoder } from '../../../model/encoder.js';
import type { LabelledSet } from '../../../training/data/datasets.js';
import { loadOrCreateStressSet } from '../dedup/stress-set.js';

export async function describeStressScenes(
  encoder: Encoder,
  seed: number,
  options: { realOnly?: boolean } = {},
): Promise<LabelledSet & { scenes: string[] }> {
  const set = await loadOrCreateStressSet({ seed, onProgress: (m) => process.stderr.write(`${m}\n`) });
  const items = set.files.filter((f) => f.kind !== 'copy');
  const scenes = items.map((f) => f.scene);
  const ids = new Map<string, number>();
  const labels = Int32Array.from(scenes, (s) => {
    if (!ids.has(s)) ids.set(s, ids.size);
    return ids.get(s)!;
  });
  const dim = encoder.descriptorDim;
  const cache = path.join(
    os.tmpdir(),
    `lookalike-stress-scenes-${seed}-${items.length}-${encoder.backboneVersion}.f32`,
  );
  let features: Float32Array;
  if (existsSync(cache)) {
    const b = readFileSync(cache);
    features = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    if (features.length !== items.length * dim) throw new Error(`${cache}: unexpected size; delete it to rebuild`);
  } else {
    features = await describeFiles(
      encoder,
      items.map((f) => f.file),
    );
    writeFileSync(cache, new Uint8Array(features.buffer));
  }
  const all = { features, dim, count: items.length, labels };
  if (!options.realOnly) return { ...all, scenes };
  const real = [...items.keys()].filter((i) => !items[i]!.source.startsWith('cifar:'));
  return { ...subset(all, real), scenes: real.map((i) => scenes[i]!) };
}
