/** Small labelled Gaussian-cluster sets for tests: classes whose means differ only in a few directions. */
import type { LabelledSet } from '../../training/data/datasets.js';
import { createRandom } from '../../training/compute/rng.js';

export function gaussianClusters(
  options: { classes: number; perClass: number; dim: number; separation: number; seed: number },
  noiseSeed = options.seed + 1,
): LabelledSet {
  const { classes, perClass, dim, separation, seed } = options;
  const centres = createRandom(seed);
  const means = Array.from({ length: classes }, () =>
    Float32Array.from({ length: dim }, () => centres.gaussian() * separation),
  );
  const random = createRandom(noiseSeed);
  const count = classes * perClass;
  const features = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    labels[i] = label;
    for (let j = 0; j < dim; j++) features[i * dim + j] = means[label]![j]! + random.gaussian();
  }
  return { features, dim, count, labels };
}

/**
 * The trainers' tests' small retrieval task: six classes of 24-d items to train on, and held-out items from the same
 * class means (the means depend only on the seed, the noise on the second seed).
 */
export function clusterRetrieval(): { train: LabelledSet; heldOut: LabelledSet } {
  const shape = { classes: 6, dim: 24, separation: 0.8, seed: 21 };
  return {
    train: gaussianClusters({ ...shape, perClass: 60 }),
    heldOut: gaussianClusters({ ...shape, perClass: 40 }, 77),
  };
}
