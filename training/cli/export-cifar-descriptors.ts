/**
 * Writes backbone descriptors of all 60,000 CIFAR-10 images for the trainer benchmark
 * (`npm run bench:train -- --data cifar10 --descriptors DIR`): DIR/descriptors.f32 (float32 rows in
 * cifar10Files() order) + DIR/descriptors.json ({count, dim, labels, backboneVersion}).
 *
 *   npx tsx training/cli/export-cifar-descriptors.ts [--out DIR] [--limit N]
 *   npx tsx training/cli/export-cifar-descriptors.ts --views N [--seed S] [--pad P] [--out DIR]
 *   npx tsx training/cli/export-cifar-descriptors.ts --nsfwjs MODEL:LAYER:POOLING[:SIZE] --out DIR [--views N …] [--threads N]
 *
 * Slow on a small CPU (one backbone pass per image); --limit N takes the first N images of each class
 * (train before test) for a smoke run. Needs ../shared/data/cifar10 and model/artifacts/backbone.onnx.
 *
 * With --views N it writes only augmented views instead (training/data/descriptor-views.ts): N views of each of
 * the 5,000 training images of the paper split with seed S (default 1) — the mirror image, then N − 1 more,
 * each reflection-padded by P pixels (default 4), cut back to 32 × 32 at a random offset and mirrored half
 * of the time — to
 * DIR/views-seedS.{f32,json}, for `npm run bench:train -- --data cifar10 --views`.
 *
 * With --nsfwjs it describes the images with another converted nsfwjs network instead of the shipped backbone,
 * for comparing descriptors through the trainer: e.g. `inception_v3:mixed5:regions2x2:160` (model directory,
 * Keras layer, pooling, input size, default 160; input range [0, 1]). training/cli/probe-layers.ts picks candidates.
 */
import os from 'node:os';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cifar10Files, type LabelledFile } from '../../model/backbone/cifar.js';
import { POOLINGS, type Pooling } from '../../model/backbone/convert.js';
import {
  describeFiles,
  describeImages,
  openConvertedDescriber,
  type OpenDescriber,
} from '../../model/backbone/describe-files.js';
import { Encoder } from '../../model/encoder.js';
import { decodeImage, resizeImage } from '../../model/image/decode.js';
import { CIFAR10_PROTOCOL, paperSplitRows, writeDescriptorSet } from '../data/datasets.js';
import { nthView, padCropMirror, writeDescriptorViews } from '../data/descriptor-views.js';
import { createRandom } from '../compute/rng.js';

/** N augmented views of each training image of split `seed`, described and written next to the descriptors. */
async function exportViews(
  files: LabelledFile[],
  encoder: OpenDescriber,
  out: string,
  views: number,
  seed: number,
  pad: number,
) {
  const train = paperSplitRows(
    files.map((f) => f.label),
    CIFAR10_PROTOCOL,
    seed,
  ).train;
  const sources = Int32Array.from(train.flatMap((row) => Array.from({ length: views }, () => row)));
  const { size, fit } = encoder.decodeOptions;
  const random = createRandom(seed * 7919 + views);
  const started = performance.now();
  const features = await describeImages(
    encoder,
    sources.length,
    async (i) => {
      // Drawn before the await: `load` is called in index order, so the views are the same on every run.
      const view = nthView(i % views, random, pad);
      const image = await decodeImage(files[sources[i]!]!.file, { channels: 3 });
      return resizeImage(padCropMirror(image, view, pad), size, fit);
    },
    { onProgress: (done, total) => process.stderr.write(`\rviews ${done}/${total}   `) },
  );
  mkdirSync(out, { recursive: true });
  writeDescriptorViews(out, seed, {
    dim: encoder.descriptorDim,
    sources,
    features,
    backboneVersion: encoder.backboneVersion,
  });
  process.stderr.write(
    `\nwrote ${views} views of ${train.length} training images (seed ${seed}) to ${out} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

/** The shipped backbone, or with `nsfwjs` = `MODEL:LAYER:POOLING[:SIZE]` that converted nsfwjs network. */
async function openDescriber(nsfwjs: string | undefined, threads: number | undefined): Promise<OpenDescriber> {
  if (!nsfwjs) return Encoder.open({ head: null, ...(threads ? { threads } : {}) });
  const [model, layer, pooling, size = '160'] = nsfwjs.split(':');
  if (!model || !layer || !POOLINGS.includes(pooling as Pooling) || !(Number(size) >= 32)) {
    throw new Error(
      `--nsfwjs wants MODEL:LAYER:POOLING[:SIZE], e.g. inception_v3:mixed5:regions2x2:160 (got ${nsfwjs})`,
    );
  }
  return openConvertedDescriber(
    model,
    { inputSize: Number(size), inputRange: 'unit', parts: [{ layer, pooling: pooling as Pooling }] },
    threads,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: path.join(os.tmpdir(), 'lookalike-cifar10-descriptors') },
      limit: { type: 'string' },
      views: { type: 'string' },
      seed: { type: 'string', default: '1' },
      pad: { type: 'string', default: '4' },
      nsfwjs: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  const threads = values.threads ? Number(values.threads) : undefined;
  const encoder = await openDescriber(values.nsfwjs, threads);
  if (values.views) {
    await exportViews(
      cifar10Files(),
      encoder,
      values.out,
      Number(values.views),
      Number(values.seed),
      Number(values.pad),
    );
    await encoder.close();
    return;
  }
  let files = cifar10Files();
  if (values.limit) {
    const limit = Number(values.limit);
    const taken = new Map<number, number>();
    files = files.filter((f) => {
      const n = taken.get(f.label) ?? 0;
      taken.set(f.label, n + 1);
      return n < limit;
    });
  }
  const started = performance.now();
  const rows = await describeFiles(
    encoder,
    files.map((f) => f.file),
    { onProgress: (done, total) => process.stderr.write(`\rdescriptors ${done}/${total}   `) },
  );
  const dim = encoder.descriptorDim;
  const backboneVersion = encoder.backboneVersion;
  await encoder.close();
  writeDescriptorSet(
    values.out,
    { features: rows, dim, count: files.length, labels: Int32Array.from(files, (f) => f.label) },
    backboneVersion,
  );
  process.stderr.write(
    `\nwrote ${files.length} × ${dim} descriptors to ${values.out} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

await main();
