/**
 * `npm run bench:similarity -- HEAD_ID...`: how a head's similarity codes generalise beyond CIFAR-10 —
 * tie-aware MAP@all on two labelled 28×28 greyscale sets, each image described by the shipped backbone as a
 * PNG file would be (training/data/grey-descriptors.ts): Fashion-MNIST's 10,000 test images (Debian
 * dataset-fashion-mnist: clothing; a head trained with `train:heads --sim-extra fashion-mnist` has seen its
 * classes, in other images) and the `mnist` package's 10,000 digits (classes no head trains on). 100 queries per class against the other 9,000. Proxies for the issue's held-out set of
 * real labelled photos. Descriptors are cached in the temp folder.
 */
import { Encoder } from '../../model/encoder.js';
import { loadFashionMnist, loadMnist, type LabelledSet } from '../../training/data/datasets.js';
import { describeGreyRows } from '../../training/data/grey-descriptors.js';
import { packCodes } from '../../training/metrics/hamming-kernel.js';
import { meanAveragePrecision } from '../../training/metrics/ranking-metrics.js';
import { gatherRows } from '../../training/loop/training-loop.js';

const ids = process.argv.slice(2);
if (ids.length === 0)
  throw new Error('usage: npm run bench:similarity -- HEAD_ID... (ids from model/artifacts/manifest.json)');

const base = await Encoder.open({ head: null });
const version = base.backboneVersion;
const fashion = loadFashionMnist();
const mnist = loadMnist();
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const sets: { name: string; set: LabelledSet }[] = [
  {
    name: 'Fashion-MNIST test',
    set: await describeGreyRows(base, fashion, range(fashion.count - 10000, 10000), 'fashion-mnist-test', version),
  },
  { name: 'MNIST', set: await describeGreyRows(base, mnist, range(0, mnist.count), 'mnist', version) },
];
await base.close();

/** The first 100 items of each class are the queries, the rest the database. */
function queriesAndDatabase(labels: Int32Array): { q: number[]; d: number[] } {
  const q: number[] = [];
  const d: number[] = [];
  const seen = new Map<number, number>();
  labels.forEach((label, i) => {
    const n = seen.get(label) ?? 0;
    seen.set(label, n + 1);
    (n < 100 ? q : d).push(i);
  });
  return { q, d };
}

console.log(`head\tversion\t${sets.map((s) => `${s.name} MAP@all`).join('\t')}`);
for (const id of ids) {
  const enc = await Encoder.open({ heads: { dup: id, sim: id } });
  const bits = enc.roles.sim!.bits;
  const maps: string[] = [];
  for (const { set } of sets) {
    const descriptors = Array.from({ length: set.count }, (_, i) =>
      set.features.subarray(i * set.dim, (i + 1) * set.dim),
    );
    const hashed = await enc.hash('sim', descriptors);
    const logits = new Float32Array(set.count * bits);
    hashed.forEach((h, i) => logits.set(h.logits, i * bits));
    const { q, d } = queriesAndDatabase(set.labels);
    const map = meanAveragePrecision(
      packCodes(gatherRows(logits, bits, q), q.length, bits),
      Int32Array.from(q, (i) => set.labels[i]!),
      packCodes(gatherRows(logits, bits, d), d.length, bits),
      Int32Array.from(d, (i) => set.labels[i]!),
    );
    maps.push(map.toFixed(4));
  }
  console.log(`${id}\t${enc.roles.sim!.version}\t${maps.join('\t')}`);
  await enc.close();
}
