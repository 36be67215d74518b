/**
 * `npm run bench:retrain`: what retraining the similarity head on a user's albums does for photos of those albums
 * it was not trained on, and what it costs (issue 24's benchmark: the trainer run directly on what the app's
 * `train.run` gives it, electron/library/retrain.ts, at a scale the app's own tests do not reach).
 *
 * A simulated user labels ten albums of very different sizes (20 to 480 photos, 2,000 in all) in a library of
 * 20,000 photos: Fashion-MNIST's 10,000 test images and the `mnist` package's 10,000 digits, each described by the
 * shipped backbone as a PNG file would be (training/data/grey-descriptors.ts; cached in the temp folder). One user
 * labels clothing (album = a Fashion-MNIST class), the other digits (MNIST: classes no shipped head trained on).
 * A fifth of each album is held out (training/data/album-split.ts); MAP@all of the held-out members against the
 * trained-on members (relevant: the same album) is measured with the shipped similarity head and with a head
 * trained on the albums alone by the listwise policy loop (DPH, the class-hash-centre pull, class weighting).
 * Also timed: the training, and re-hashing the whole library's 20,000 descriptors with the new head.
 *
 * Options: --epochs N (30), --hidden N (512), --centre λ (0.05), --balance p (0.5), --seed N (1), --sizes the albums'
 * sizes (20,40,60,100,150,200,250,300,400,480; at most ten).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../../electron/core/app.js';
import { quantizeDescriptor } from '../../electron/library/analyzer.js';
import { Catalog } from '../../electron/library/catalog/catalog.js';
import { Encoder } from '../../model/encoder.js';
import { HeadCompute } from '../../training/compute/compute-graphs.js';
import { type HeadParameters, standardise } from '../../training/compute/head.js';
import { createRandom, shuffleInPlace } from '../../training/compute/rng.js';
import { holdOutAlbums } from '../../training/data/album-split.js';
import { type LabelledSet, loadFashionMnist, loadMnist, subset } from '../../training/data/datasets.js';
import { describeGreyRows } from '../../training/data/grey-descriptors.js';
import { resolveOptions } from '../../training/loop/train-head.js';
import { trainHeadInProcess } from '../../training/loop/train.js';
import { packCodes, type PackedCodes } from '../../training/metrics/hamming-kernel.js';
import { averagePrecisions } from '../../training/metrics/ranking-metrics.js';
import { labelSets } from '../../training/metrics/relevance.js';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '30' },
    hidden: { type: 'string', default: '512' },
    centre: { type: 'string', default: '0.05' },
    balance: { type: 'string', default: '0.5' },
    seed: { type: 'string', default: '1' },
    sizes: { type: 'string', default: '20,40,60,100,150,200,250,300,400,480' },
  },
});
const seed = Number(values.seed);
/** Photos per album, smallest to largest (at most 10 albums, one per class): by default 2,000 in all. */
const ALBUM_SIZES = values.sizes.split(',').map(Number).slice(0, 10);
const HELD_OUT = 0.2;

const base = await Encoder.open({ head: null });
const backbone = base.backboneVersion;
const fashion = loadFashionMnist();
const mnist = loadMnist();
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const described = {
  clothing: await describeGreyRows(base, fashion, range(fashion.count - 10000, 10000), 'fashion-mnist-test', backbone),
  digits: await describeGreyRows(base, mnist, range(0, 10000), 'mnist', backbone),
};
await base.close();
const libraryCount = described.clothing.count + described.digits.count;

/** The whole library, as the app would re-hash it: every photo's stored descriptor. */
const library: LabelledSet = {
  features: new Float32Array(libraryCount * described.clothing.dim),
  dim: described.clothing.dim,
  count: libraryCount,
  labels: new Int32Array(libraryCount),
};
library.features.set(described.clothing.features);
library.features.set(described.digits.features, described.clothing.features.length);

const shipped = await Encoder.open();
const simBits = shipped.roles.sim!.bits;

/** Codes of `set`'s rows under the shipped similarity head. */
async function shippedCodes(set: LabelledSet): Promise<PackedCodes> {
  const rows = Array.from({ length: set.count }, (_, i) => set.features.subarray(i * set.dim, (i + 1) * set.dim));
  const hashed = await shipped.hash('sim', rows);
  const logits = new Float32Array(set.count * simBits);
  hashed.forEach((h, i) => logits.set(h.logits, i * simBits));
  return packCodes(logits, set.count, simBits);
}

/** Codes of `set`'s rows under a trained head, and the seconds it took. */
async function trainedCodes(head: HeadParameters, set: LabelledSet): Promise<{ codes: PackedCodes; seconds: number }> {
  const started = performance.now();
  const compute = await HeadCompute.open(head.architecture, 2);
  try {
    const logits = await compute.forward(head, standardise(head, set.features), set.count);
    return {
      codes: packCodes(logits, set.count, head.architecture.bits),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await compute.release();
  }
}

/** Per album, the mean tie-aware AP of its held-out members ranked against the trained-on members. */
function albumAps(
  queries: PackedCodes,
  database: PackedCodes,
  split: { q: LabelledSet; d: LabelledSet },
  albumOf: (label: number) => number[],
) {
  const aps = averagePrecisions(queries, split.q.labels, database, split.d.labels, undefined, split.d.relation);
  const sums = new Map<number, { sum: number; n: number }>();
  aps.forEach((ap, q) => {
    for (const album of albumOf(split.q.labels[q]!)) {
      const s = sums.get(album) ?? { sum: 0, n: 0 };
      s.sum += ap;
      s.n++;
      sums.set(album, s);
    }
  });
  return new Map([...sums].map(([album, { sum, n }]) => [album, sum / n]));
}

const rows: string[] = [];
const perAlbum: string[] = [];
/** Each user's album photos (rows of their set) and their albums, for the app's own run below. */
const users = new Map<string, { chosen: number[]; memberships: number[][] }>();
for (const [user, set] of Object.entries(described)) {
  // Album c: the first ALBUM_SIZES[rank] photos (in a seeded order) of class c, the classes in a seeded order.
  const random = createRandom(seed * 31 + user.length);
  const classes = range(0, 10);
  shuffleInPlace(classes, random);
  const chosen: number[] = [];
  const memberships: number[][] = [];
  classes.forEach((cls, rank) => {
    const items = range(0, set.count).filter((i) => set.labels[i] === cls);
    shuffleInPlace(items, random);
    for (const i of items.slice(0, ALBUM_SIZES[rank])) {
      chosen.push(i);
      memberships.push([rank]);
    }
  });
  users.set(user, { chosen, memberships });
  const { labels, relation, sets } = labelSets(memberships);
  const albums: LabelledSet = { ...subset(set, chosen), labels, relation };
  const split = holdOutAlbums(memberships, HELD_OUT, seed);
  const parts = { q: subset(albums, split.heldOut), d: subset(albums, split.train) };
  const albumOf = (label: number) => sets[label]!;

  const beforeAp = albumAps(await shippedCodes(parts.q), await shippedCodes(parts.d), parts, albumOf);
  const options = resolveOptions({
    method: 'dph',
    bits: simBits,
    hiddenDim: Number(values.hidden),
    epochs: Number(values.epochs),
    batchSize: 64,
    learningRate: 1e-3,
    weightDecay: 1e-4,
    classBalancePower: Number(values.balance),
    threads: 2,
    seed,
    policy: { centreWeight: Number(values.centre) },
  });
  const started = performance.now();
  const trained = await trainHeadInProcess({ train: parts.d }, options);
  const trainSeconds = (performance.now() - started) / 1000;
  const afterAp = albumAps(
    (await trainedCodes(trained.head, parts.q)).codes,
    (await trainedCodes(trained.head, parts.d)).codes,
    parts,
    albumOf,
  );
  const rehash = await trainedCodes(trained.head, library);

  const mean = (m: Map<number, number>) => {
    // MAP over held-out photos: each album's mean AP weighted by its held-out count.
    let sum = 0;
    let n = 0;
    for (let q = 0; q < parts.q.count; q++) {
      sum += m.get(sets[parts.q.labels[q]!]![0]!)!;
      n++;
    }
    return sum / n;
  };
  const smallest = 0;
  rows.push(
    `| ${user} | ${ALBUM_SIZES.length} | ${parts.d.count} / ${parts.q.count} | ${mean(beforeAp).toFixed(3)} | ${mean(afterAp).toFixed(3)} | ${(mean(afterAp) - mean(beforeAp)).toFixed(3)} | ${beforeAp.get(smallest)!.toFixed(3)} → ${afterAp.get(smallest)!.toFixed(3)} | ${trainSeconds.toFixed(1)} | ${rehash.seconds.toFixed(1)} |`,
  );
  perAlbum.push(
    `| ${user} | ${ALBUM_SIZES.map((size, album) => `${size}: ${beforeAp.get(album)!.toFixed(2)} → ${afterAp.get(album)!.toFixed(2)}`).join(' · ')} |`,
  );
}
await shipped.close();

/**
 * The app end to end (`train.run` with `use`): a library database of the 20,000 photos (their stored descriptors
 * and codes; no files, which retraining never reads), the clothing user's albums, then the retrain, keeping the head
 * and switching the library to it (every similarity code re-made from its descriptor, one transaction); then
 * `model.reset`, a switch alone. Times as the CLI would see them, the model loaded first.
 */
async function appEndToEnd(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-retrain-'));
  const dbPath = path.join(dir, 'library.db');
  const catalog = Catalog.open(dbPath);
  const root = catalog.addRoot('/bench');
  const ids: number[] = [];
  catalog.transaction(() => {
    for (let i = 0; i < libraryCount; i++) {
      const id = catalog.upsertSeen({
        path: `/bench/${i}.png`,
        rootId: root,
        size: 1,
        mtimeMs: 1,
        contentHash: `c${i}`,
      });
      const descriptor = quantizeDescriptor(library.features.subarray(i * library.dim, (i + 1) * library.dim));
      catalog.recordAnalysis(id, {
        width: 28,
        height: 28,
        format: 'png',
        takenAt: null,
        camera: null,
        orientation: null,
        codes: {
          dup: { code: 0n, bits: 64, headVersion: 'bench-dup', embedding: null },
          sim: { code: 0n, bits: simBits, headVersion: 'bench-sim' },
        },
        variants: { dup: [] },
        descriptor: { backboneVersion: backbone, data: descriptor.data, scale: descriptor.scale },
        thumbnail: null,
      });
      ids.push(id);
    }
    const { chosen, memberships } = users.get('clothing')!;
    const albums = ALBUM_SIZES.map((_, rank) => catalog.albums.create(`album ${rank + 1}`));
    chosen.forEach((row, k) => catalog.albums.add(albums[memberships[k]![0]!]!, [ids[row]!]));
  });
  catalog.close();
  const app = createApp({ dbPath, jobs: 'here' });
  try {
    await app.model.encoder();
    let started = performance.now();
    const trained = await app.dispatcher.call('train.run', { use: true });
    const trainSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const reset = await app.dispatcher.call('model.reset', {});
    const resetSeconds = (performance.now() - started) / 1000;
    return [
      `| app: \`train.run\` with \`use\` | ${trained.photos} album photos, ${libraryCount.toLocaleString('en')} in the library | MAP ${trained.before.map.toFixed(3)} → ${trained.after.map.toFixed(3)} | ${trainSeconds.toFixed(1)} s (training ${trained.seconds.toFixed(1)} s) | switched: ${trained.inUse === trained.model} |`,
      `| app: \`model.reset\` | ${reset.rehashed.toLocaleString('en')} similarity codes re-made and switched | | ${resetSeconds.toFixed(1)} s | |`,
    ].join('\n');
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
const appRows = await appEndToEnd();

console.log(`
### Retraining the similarity head on a user's albums (${libraryCount.toLocaleString('en')}-photo library, ${HELD_OUT * 100} % of each album held out; ${simBits} bits, ${values.epochs} epochs, hidden ${values.hidden}, centre ${values.centre}, class weighting ${values.balance})

| user | albums | photos trained / held out | MAP shipped head | MAP retrained | change | smallest album (${ALBUM_SIZES[0]}) AP | training s | re-hash ${libraryCount.toLocaleString('en')} s |
| ---- | ------ | ------------------------- | ---------------- | ------------- | ------ | ---------------------- | ---------- | ---------------------- |
${rows.join('\n')}

The app end to end (the clothing user's albums in a ${libraryCount.toLocaleString('en')}-photo library database):

| run | what | held-out MAP | seconds | |
| --- | ---- | ------------ | ------- | - |
${appRows}

Per album (size: AP of its held-out members, shipped → retrained):

| user | albums |
| ---- | ------ |
${perAlbum.join('\n')}
`);
