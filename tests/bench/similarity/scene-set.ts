/**
 * The real photos of the stress library as a labelled set for similarity measures: one file per source (originals,
 * frames, windows, chessboard shots; no edited copies, none of its upscaled CIFAR-10 cats and dogs, whose classes the
 * similarity head trains on), labelled by scene, described by the shipped backbone as the app describes files.
 * Cached in the temp folder under the seed, the count and the backbone version.
 */
import { describeFiles } from '../../../model/backbone/describe-files.js';
import type { Encoder } from '../../../model/encoder.js';
import type { LabelledSet } from '../../../training/data/datasets.js';
import { cachedDescriptors } from '../../../training/data/descriptor-cache.js';
import { loadOrCreateStressSet } from '../dedup/stress-set.js';

export async function describeRealScenes(encoder: Encoder, seed: number): Promise<LabelledSet> {
  const set = await loadOrCreateStressSet({ seed, onProgress: (m) => process.stderr.write(`${m}\n`) });
  const items = set.files.filter((f) => f.kind !== 'copy' && !f.source.startsWith('cifar:'));
  const ids = new Map<string, number>();
  const labels = Int32Array.from(items, ({ scene }) => {
    if (!ids.has(scene)) ids.set(scene, ids.size);
    return ids.get(scene)!;
  });
  const dim = encoder.descriptorDim;
  const features = await cachedDescriptors(
    `stress-real-scenes-${seed}-${items.length}-${encoder.backboneVersion}`,
    items.length,
    dim,
    () =>
      describeFiles(
        encoder,
        items.map((f) => f.file),
      ),
  );
  return { features, dim, count: items.length, labels };
}
