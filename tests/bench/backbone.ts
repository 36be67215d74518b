/**
 * `npm run bench:backbone`: which backbone layers, pooling, input range and input size make the best
 * descriptor. For every configuration (input size × input range) the converted backbone runs once per
 * image with the candidate layers' feature maps as outputs; every descriptor variant is pooled from
 * those maps in JS (model/backbone/reference.ts, the definition the ONNX head is tested against).
 *
 * Reports per variant: (a) CIFAR-10 MAP@all with cosine (1,000 queries, 100/class, seed 7, against a
 * class-balanced subsample of the other 59,000 images — `--db` sets its size), (b) near-duplicate
 * retrieval: edited copies of ../shared/data/photos, ranking their original among the 26 originals and
 * the CIFAR database images as distractors, (c) backbone ms per image (batch 16, decoding excluded).
 *
 * Near-duplicate summary columns leave out the 90° rotation and the mirror image (no descriptor is meant to
 * be invariant to them; geometric matching is the duplicate head's job) — the per-edit table shows them.
 * "dup pair AP" ranks all (edited copy, gallery image) pairs together by cosine: how well ONE global
 * threshold separates duplicates from everything else, which is what dedup needs.
 *
 * Options: --timing-only (just the ms/img table, no data needed) --db N (default 1000) --configs 224:unit,224:signed,160:unit,288:unit --out bench-results/backbone.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { CIFAR10_CLASSES, cifar10Files, sharedPhotos, type LabelledFile } from '../../model/backbone/cifar.js';
import {
  convertBackbone,
  type BackboneSpec,
  type DescriptorPart,
  type InputRange,
} from '../../model/backbone/convert.js';
import { loadNsfwjsKerasModel } from '../../model/backbone/keras.js';
import { classMeanAveragePrecision, duplicateRetrieval } from '../../training/metrics/retrieval.js';
import { pixelBatch } from '../../model/backbone/describe-files.js';
import { concatNormalisedBlocks, featureMapOf, poolBlocks } from '../../model/backbone/reference.js';
import { openSession } from '../../model/encoder.js';
import { decodeImage } from '../../model/image/decode.js';
import { createRandom, shuffleInPlace } from '../../training/compute/rng.js';

const BATCH = 16;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const DB_SIZE = Number(option('db', '1000'));
const CONFIGS = option('configs', '224:unit,224:signed,160:unit,288:unit')
  .split(',')
  .map((c) => ({ size: Number(c.split(':')[0]), range: c.split(':')[1] as InputRange }));
const GEOMETRIC_EDITS = new Set(['rotate 90°', 'mirror']);
const OUT = option('out', 'bench-results/backbone.json');

/** Short layer names used in variant ids. */
const SHORT: Record<string, string> = {
  b6e: 'block_6_expand_relu',
  b10e: 'block_10_expand_relu',
  b10p: 'block_10_project_BN',
  b13e: 'block_13_expand_relu',
  b16p: 'block_16_project_BN',
  out: 'out_relu',
};
/** Variant ids: parts joined by ' + ', each '<short layer> <pooling>'. */
const VARIANT_IDS = [
  ...['b6e', 'b10e', 'b10p', 'b13e', 'b16p', 'out'].map((l) => `${l} gap`),
  ...['b10e', 'b13e', 'out'].flatMap((l) => [`${l} gem`, `${l} gmp`]),
  ...['b10e', 'b10p', 'b13e'].map((l) => `${l} regions2x2`),
  'b13e gap + b10p regions2x2',
  'b13e gem + b10p regions2x2',
  'b13e regions2x2 + b10p regions2x2',
  'b10e gap + b13e gap',
  'b10e regions2x2 + b13e gap',
  'b10e regions2x2 + b13e regions2x2',
  'b6e gap + b10e gap + b13e gap',
];
const VARIANTS = VARIANT_IDS.map((id) => ({
  id,
  parts: id.split(' + ').map((part): DescriptorPart => {
    const [short, pooling] = part.split(' ');
    return { layer: SHORT[short], pooling: pooling as DescriptorPart['pooling'] };
  }),
}));
const LAYERS = [...new Set(VARIANTS.flatMap((v) => v.parts.map((x) => x.layer)))];

function cifarSplit(): { queries: LabelledFile[]; database: LabelledFile[] } {
  const all = cifar10Files();
  const byClass = CIFAR10_CLASSES.map((_, label) => all.filter((f) => f.label === label));
  const random = createRandom(7);
  const queries: LabelledFile[] = [];
  const database: LabelledFile[] = [];
  for (const items of byClass) {
    shuffleInPlace(items, random);
    queries.push(...items.slice(0, 100));
    database.push(...items.slice(100, 100 + DB_SIZE / CIFAR10_CLASSES.length));
  }
  return { queries, database };
}

/** Edited copies of one photo, as encoded files (the way they would sit on disk). */
const EDITS: Record<string, (img: Sharp, w: number, h: number) => Promise<Buffer>> = {
  'resize 50% + JPEG 70': (img, w) =>
    img
      .resize(Math.round(w / 2))
      .jpeg({ quality: 70 })
      .toBuffer(),
  'JPEG 20': (img) => img.jpeg({ quality: 20 }).toBuffer(),
  'crop 80% centre': (img, w, h) =>
    img
      .extract({
        left: Math.round(w * 0.1),
        top: Math.round(h * 0.1),
        width: Math.round(w * 0.8),
        height: Math.round(h * 0.8),
      })
      .jpeg({ quality: 90 })
      .toBuffer(),
  'crop 80% corner': (img, w, h) =>
    img
      .extract({ left: 0, top: 0, width: Math.round(w * 0.8), height: Math.round(h * 0.8) })
      .jpeg({ quality: 90 })
      .toBuffer(),
  'letterbox border': (img, _w, h) =>
    img
      .extend({ top: Math.round(h * 0.12), bottom: Math.round(h * 0.12), background: { r: 0, g: 0, b: 0 } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  greyscale: (img) => img.greyscale().jpeg({ quality: 90 }).toBuffer(),
  'brightness/contrast/saturation': (img) =>
    img.modulate({ brightness: 1.25, saturation: 1.5 }).linear(1.2, -20).jpeg({ quality: 90 }).toBuffer(),
  'blur σ2': (img) => img.blur(2).jpeg({ quality: 90 }).toBuffer(),
  'rotate 5°': (img) =>
    img
      .rotate(5, { background: { r: 255, g: 255, b: 255 } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  watermark: (img, w, h) =>
    img
      .composite([
        {
          input: Buffer.from(
            `<svg width="${w}" height="${h}"><text x="${w * 0.05}" y="${h * 0.9}" font-size="${Math.round(h / 10)}" fill="white" fill-opacity="0.7" font-family="sans-serif">© Lookalike 2026</text></svg>`,
          ),
        },
      ])
      .jpeg({ quality: 90 })
      .toBuffer(),
  'rotate 90°': (img) => img.rotate(90).jpeg({ quality: 90 }).toBuffer(),
  mirror: (img) => img.flop().jpeg({ quality: 90 }).toBuffer(),
};

async function photoSet(): Promise<{
  originals: string[];
  edits: { buffer: Buffer; original: number; edit: string }[];
}> {
  const originals = sharedPhotos();
  const edits: { buffer: Buffer; original: number; edit: string }[] = [];
  for (const [index, file] of originals.entries()) {
    // Edits start from a copy at most 1280 px on a side (as shared/exported copies usually are), saved as JPEG.
    const { data, info } = await sharp(file)
      .rotate()
      .resize(1280, 1280, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
    for (const [edit, apply] of Object.entries(EDITS)) {
      edits.push({ buffer: await apply(sharp(data, raw), info.width, info.height), original: index, edit });
    }
  }
  return { originals, edits };
}

/** Runs the feature-map model over inputs, returning every variant's descriptors as [count × dim] rows. */
async function describe(
  spec: BackboneSpec,
  inputs: (string | Buffer)[],
  onProgress: (done: number) => void,
): Promise<Map<string, Float32Array>> {
  const converted = convertBackbone(
    loadNsfwjsKerasModel(),
    { ...spec, parts: [{ layer: 'out_relu', pooling: 'gap' }] },
    { featureMaps: LAYERS },
  );
  const session = await openSession(converted.bytes);
  const size = spec.inputSize;
  const dims = new Map<string, number>();
  const rows = new Map<string, Float32Array>();
  for (let start = 0; start < inputs.length; start += BATCH) {
    const chunk = inputs.slice(start, start + BATCH);
    const images = await Promise.all(chunk.map((input) => decodeImage(input, { size, fit: 'fill', channels: 3 })));
    const out = await session.run({ pixels: pixelBatch(images, size) });
    for (let i = 0; i < chunk.length; i++) {
      const mapOf = (layer: string) => featureMapOf(out, layer, i);
      // Each (layer, pooling) is pooled once per image and shared by the variants that use it.
      const pooled = new Map<string, Float32Array[]>();
      const blocksOf = (part: DescriptorPart) => {
        const key = `${part.layer} ${part.pooling}`;
        if (!pooled.has(key)) pooled.set(key, poolBlocks(mapOf(part.layer), part.pooling));
        return pooled.get(key)!;
      };
      for (const v of VARIANTS) {
        const d = concatNormalisedBlocks(v.parts.flatMap(blocksOf));
        if (!rows.has(v.id)) {
          dims.set(v.id, d.length);
          rows.set(v.id, new Float32Array(inputs.length * d.length));
        }
        rows.get(v.id)!.set(d, (start + i) * d.length);
      }
    }
    onProgress(Math.min(start + BATCH, inputs.length));
  }
  await session.release();
  return rows;
}

/**
 * Backbone ms per image (batch 16, no decoding) for every variant at every size. Cost is set by the deepest
 * layer a variant reads (pooling is negligible), so each distinct (size, deepest layer) is timed once. All
 * models are timed in interleaved rounds and the fastest run kept: the machine is shared, and slower runs
 * measure the neighbours, which interleaving spreads evenly over the candidates.
 */
async function timeVariants(sizes: number[]): Promise<Map<string, number>> {
  const keras = loadNsfwjsKerasModel();
  const layerOrder = keras.layers.map((l) => l.name);
  const deepest = (v: (typeof VARIANTS)[number]) => Math.max(...v.parts.map((x) => layerOrder.indexOf(x.layer)));
  const candidates: { key: string; size: number; run: () => Promise<unknown>; best: number }[] = [];
  const keyOf = new Map<string, string>();
  const random = createRandom(3);
  for (const size of sizes) {
    const pixels = Uint8Array.from({ length: BATCH * size * size * 3 }, () => random.int(256));
    for (const v of VARIANTS) {
      const key = `${size} ${deepest(v)}`;
      keyOf.set(`${size} ${v.id}`, key);
      if (candidates.some((c) => c.key === key)) continue;
      const session = await openSession(
        convertBackbone(keras, { inputSize: size, inputRange: 'unit', parts: v.parts }).bytes,
      );
      const run = () => session.run({ pixels: { data: pixels, dims: [BATCH, size, size, 3] } });
      await run(); // warm-up
      candidates.push({ key, size, run, best: Infinity });
    }
  }
  for (let round = 0; round < 4; round++) {
    for (const c of candidates) {
      for (let r = 0; r < 2; r++) {
        const start = performance.now();
        await c.run();
        c.best = Math.min(c.best, (performance.now() - start) / BATCH);
      }
    }
  }
  return new Map([...keyOf].map(([variant, key]) => [variant, candidates.find((c) => c.key === key)!.best]));
}

interface Row {
  size: number;
  range: InputRange;
  variant: string;
  dim: number;
  cifarMap: number;
  dupTop1: number;
  dupMrr: number;
  dupMeanRank: number;
  dupPairAp: number;
  dupTop1ByEdit: Record<string, number>;
  msPerImage: number;
}

async function main(): Promise<void> {
  if (process.argv.includes('--timing-only')) {
    const sizes = [...new Set(CONFIGS.map((c) => c.size))];
    const timing = await timeVariants(sizes);
    process.stdout.write(
      `| descriptor | ${sizes.map((s) => `ms/img ${s}`).join(' | ')} |\n|---|${sizes.map(() => '---').join('|')}|\n`,
    );
    for (const v of VARIANTS) {
      process.stdout.write(`| ${v.id} | ${sizes.map((s) => timing.get(`${s} ${v.id}`)!.toFixed(1)).join(' | ')} |\n`);
    }
    return;
  }
  let split: ReturnType<typeof cifarSplit>;
  let photos: Awaited<ReturnType<typeof photoSet>>;
  try {
    split = cifarSplit();
    photos = await photoSet();
  } catch (error) {
    process.stderr.write(`bench:backbone needs ../shared/data: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const cifarInputs = [...split.queries, ...split.database].map((x) => x.file);
  const photoInputs = [...photos.originals, ...photos.edits.map((e) => e.buffer)];
  const rows: Row[] = [];
  const timing = await timeVariants([...new Set(CONFIGS.map((c) => c.size))]);
  for (const { size, range } of CONFIGS) {
    {
      const spec: BackboneSpec = { inputSize: size, inputRange: range, parts: [] };
      const t0 = performance.now();
      const progress = (what: string, total: number) => (done: number) => {
        if (done % (BATCH * 25) === 0 || done === total)
          process.stderr.write(`\r${size}px ${range}: ${what} ${done}/${total}   `);
      };
      const cifar = await describe(spec, cifarInputs, progress('CIFAR-10', cifarInputs.length));
      const photo = await describe(spec, photoInputs, progress('photos', photoInputs.length));
      process.stderr.write(`(${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
      const nq = split.queries.length;
      for (const v of VARIANTS) {
        const all = cifar.get(v.id)!;
        const dim = all.length / cifarInputs.length;
        const map = await classMeanAveragePrecision(
          all.subarray(0, nq * dim),
          all.subarray(nq * dim),
          dim,
          split.queries.map((x) => x.label),
          split.database.map((x) => x.label),
        );
        const photoRows = photo.get(v.id)!;
        const no = photos.originals.length;
        const gallery = new Float32Array((no + split.database.length) * dim);
        gallery.set(photoRows.subarray(0, no * dim));
        gallery.set(all.subarray(nq * dim), no * dim);
        const counted = photos.edits.map((e) => !GEOMETRIC_EDITS.has(e.edit));
        const { ranks: allRanks, pairAp } = await duplicateRetrieval(
          photoRows.subarray(no * dim),
          gallery,
          dim,
          photos.edits.map((e) => e.original),
          counted,
        );
        const ranks = allRanks.filter((_, i) => counted[i]);
        const byEdit: Record<string, number> = {};
        for (const edit of Object.keys(EDITS)) {
          const r = allRanks.filter((_, i) => photos.edits[i].edit === edit);
          byEdit[edit] = r.filter((x) => x === 1).length / r.length;
        }
        rows.push({
          size,
          range,
          variant: v.id,
          dim,
          cifarMap: map,
          dupTop1: ranks.filter((r) => r === 1).length / ranks.length,
          dupMrr: ranks.reduce((a, r) => a + 1 / r, 0) / ranks.length,
          dupMeanRank: ranks.reduce((a, r) => a + r, 0) / ranks.length,
          dupPairAp: pairAp,
          dupTop1ByEdit: byEdit,
          msPerImage: timing.get(`${size} ${v.id}`)!,
        });
      }
    }
  }
  printTables(rows, split.database.length);
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(
    OUT,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        database: split.database.length,
        queries: split.queries.length,
        edits: Object.keys(EDITS),
        photos: photos.originals.length,
        rows,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`\nwrote ${OUT}\n`);
}

function printTables(rows: Row[], dbSize: number): void {
  const f3 = (x: number) => x.toFixed(3);
  process.stdout.write(
    `\nCIFAR-10 MAP@all (cosine): 1,000 queries (100/class) vs a class-balanced subsample of ${dbSize} database images (not the full 59,000).\n` +
      `Near-duplicates: ${Object.keys(EDITS).length} edits × 26 photos; rank of the original among 26 originals + ${dbSize} CIFAR distractors;\n` +
      `summary columns over the ${Object.keys(EDITS).length - GEOMETRIC_EDITS.size} non-geometric edits (90° rotation and mirror only in the per-edit table).\n` +
      `ms/image: backbone only, batch ${BATCH}, ${os.cpus().length} cores shared with other work.\n\n`,
  );
  process.stdout.write(
    '| size | range | descriptor | dim | CIFAR MAP | dup top-1 | dup MRR | dup mean rank | dup pair AP | ms/img |\n|---|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    process.stdout.write(
      `| ${r.size} | ${r.range} | ${r.variant} | ${r.dim} | ${f3(r.cifarMap)} | ${f3(r.dupTop1)} | ${f3(r.dupMrr)} | ${r.dupMeanRank.toFixed(1)} | ${f3(r.dupPairAp)} | ${r.msPerImage.toFixed(1)} |\n`,
    );
  }
  const edits = Object.keys(rows[0]?.dupTop1ByEdit ?? {});
  process.stdout.write(
    `\nNear-duplicate top-1 by edit:\n\n| size | range | descriptor | ${edits.join(' | ')} |\n|---|---|---|${edits.map(() => '---').join('|')}|\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.size} | ${r.range} | ${r.variant} | ${edits.map((e) => f3(r.dupTop1ByEdit[e])).join(' | ')} |\n`,
    );
}

await main();
