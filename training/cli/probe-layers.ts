/**
 * How much class information do the frozen backbones' layers carry for CIFAR-10? Writes pooled feature
 * maps of the paper split's 1,000 queries and 5,000 training images (seed S) for many layers of one
 * nsfwjs network, for `training/gpu/linear_probe.py` (a softmax classifier per layer, trained on the
 * 5,000 and scored on the queries: the fraction of queries whose class a linear head on that descriptor
 * can recognise — a retrieval code cannot rank a query's class first more often than that).
 *
 *   npx tsx training/cli/probe-layers.ts --out DIR [--model mobilenet_v2|inception_v3] [--size 160] [--seed 1]
 *     [--layers a,b,…] [--regions a,b,…] [--threads N]
 *   /usr/bin/python3 training/gpu/linear_probe.py DIR [--combine a:regions2x2+b:gap …]
 *
 * DIR/<layer>.gap.f32 and, for the layers in --regions, DIR/<layer>.regions2x2.f32 (the global average, then
 * the four 2×2 regions' averages: model/backbone/reference.ts's poolBlocks, unnormalised), float32 rows in
 * DIR/meta.json's order ({model, size, seed, labels, role: 'query' | 'train' per row, layerShapes}).
 * Needs ../shared/data/cifar10. One backbone pass per image: 6,000 images take 2 min (MobileNetV2, 160 px)
 * to 6 min (InceptionV3 at 160 px, up to `mixed10`) on the 2-core box.
 */
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cifar10Files } from '../../model/backbone/cifar.js';
import { convertBackbone } from '../../model/backbone/convert.js';
import { loadNsfwjsKerasModel } from '../../model/backbone/keras.js';
import { pixelBatch } from '../../model/backbone/describe-files.js';
import { featureMapOf, poolBlocks } from '../../model/backbone/reference.js';
import { openSession } from '../../model/encoder.js';
import { decodeImage } from '../../model/image/decode.js';
import { CIFAR10_PROTOCOL, paperSplitRows } from '../data/datasets.js';

const DEFAULT_LAYERS: Record<string, string[]> = {
  mobilenet_v2: [
    ...[8, 10, 11, 12, 13, 14, 15, 16].map((n) => `block_${n}_expand_relu`),
    'block_12_project_BN',
    'block_16_project_BN',
    'out_relu',
  ],
  inception_v3: ['mixed2', 'mixed4', 'mixed5', 'mixed6', 'mixed7', 'mixed8', 'mixed9', 'mixed10'],
};
const DEFAULT_REGIONS: Record<string, string[]> = {
  mobilenet_v2: ['block_10_expand_relu', 'block_12_expand_relu', 'block_13_expand_relu', 'block_15_expand_relu'],
  inception_v3: ['mixed4', 'mixed5', 'mixed6', 'mixed7'],
};
const BATCH = 16;
const USAGE =
  'usage: npx tsx training/cli/probe-layers.ts --out DIR [--model mobilenet_v2|inception_v3] [--size N] [--seed S] [--layers a,b] [--regions a,b] [--threads N]';

const list = (value: string | undefined, fallback: string[]) => (value ? value.split(',').filter(Boolean) : fallback);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      model: { type: 'string', default: 'mobilenet_v2' },
      size: { type: 'string', default: '160' },
      seed: { type: 'string', default: '1' },
      layers: { type: 'string' },
      regions: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  const model = values.model!;
  const size = Number(values.size);
  const seed = Number(values.seed);
  if (!values.out || !DEFAULT_LAYERS[model] || !Number.isInteger(size) || size < 32) throw new Error(USAGE);
  const regions = new Set(list(values.regions, DEFAULT_REGIONS[model]));
  const layers = [...new Set([...list(values.layers, DEFAULT_LAYERS[model]), ...regions])];

  const files = cifar10Files();
  const split = paperSplitRows(
    files.map((f) => f.label),
    CIFAR10_PROTOCOL,
    seed,
  );
  const rows = [
    ...split.queries.map((row) => ({ row, role: 'query' as const })),
    ...split.train.map((row) => ({ row, role: 'train' as const })),
  ];

  const keras = loadNsfwjsKerasModel(model);
  const order = keras.layers.map((l) => l.name);
  for (const layer of layers) if (!order.includes(layer)) throw new Error(`${model} has no layer ${layer}`);
  const deepest = layers.reduce((a, b) => (order.indexOf(a) > order.indexOf(b) ? a : b));
  // The descriptor output is required by the converter; the deepest probed layer keeps the graph short.
  const converted = convertBackbone(
    keras,
    { inputSize: size, inputRange: 'unit', parts: [{ layer: deepest, pooling: 'gap' }] },
    { featureMaps: layers },
  );
  const session = await openSession(converted.bytes, values.threads ? { threads: Number(values.threads) } : {});

  mkdirSync(values.out, { recursive: true });
  const outputs = new Map<string, WriteStream>();
  const streamOf = (name: string) => {
    if (!outputs.has(name)) outputs.set(name, createWriteStream(path.join(values.out!, `${name}.f32`)));
    return outputs.get(name)!;
  };
  const started = performance.now();
  for (let start = 0; start < rows.length; start += BATCH) {
    const chunk = rows.slice(start, start + BATCH);
    const images = await Promise.all(
      chunk.map(({ row }) => decodeImage(files[row]!.file, { size, fit: 'fill', channels: 3 })),
    );
    const out = await session.run({ pixels: pixelBatch(images, size) });
    for (let i = 0; i < chunk.length; i++) {
      for (const layer of layers) {
        const map = featureMapOf(out, layer, i);
        const blocks = poolBlocks(map, regions.has(layer) ? 'regions2x2' : 'gap');
        streamOf(`${layer}.gap`).write(Buffer.from(blocks[0]!.buffer));
        if (regions.has(layer)) {
          const all = new Float32Array(blocks.length * map.c);
          blocks.forEach((b, k) => all.set(b, k * map.c));
          streamOf(`${layer}.regions2x2`).write(Buffer.from(all.buffer));
        }
      }
    }
    process.stderr.write(`\r${model} ${size}px: ${Math.min(start + BATCH, rows.length)}/${rows.length}   `);
  }
  await session.release();
  await Promise.all([...outputs.values()].map((s) => new Promise((resolve) => s.end(resolve))));
  writeFileSync(
    path.join(values.out, 'meta.json'),
    JSON.stringify({
      model,
      size,
      seed,
      labels: rows.map(({ row }) => files[row]!.label),
      role: rows.map(({ role }) => role),
      layerShapes: Object.fromEntries(layers.map((l) => [l, converted.layerShapes[l]])),
    }),
  );
  process.stderr.write(
    `\nwrote ${outputs.size} feature sets of ${rows.length} images to ${values.out} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

await main();
