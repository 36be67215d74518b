/**
 * A TF.js graph model from another npm package, loaded from its model.json and weight shards with its input freed to
 * any batch and size (for the probes in probe-graph-model.ts and probe-scenes.ts), and the backend to run it on.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { FeatureMap } from '../../model/backbone/reference.js';
import { decodeImage } from '../../model/image/decode.js';

export interface GraphNode {
  name: string;
  op: string;
  attr?: Record<string, unknown>;
}

/**
 * How a model lays out its images and feature maps: batch, rows, columns, channels (TF's own models: CenterNet), or
 * batch, channels, rows, columns (models converted from ONNX/PyTorch: NanoDet).
 */
export type Layout = 'nhwc' | 'nchw';

export async function loadGraphModel(
  jsonPath: string,
  layout: Layout = 'nhwc',
): Promise<{ model: tf.GraphModel; nodes: GraphNode[] }> {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    modelTopology: { node: GraphNode[] };
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    signature?: { inputs?: Record<string, { tensorShape?: unknown }> };
    format?: string;
    generatedBy?: string;
    convertedBy?: string;
  };
  const any = { size: '-1' };
  const free = { dim: layout === 'nhwc' ? [any, any, any, { size: '3' }] : [any, { size: '3' }, any, any] };
  for (const node of json.modelTopology.node)
    if (node.op === 'Placeholder') node.attr = { ...node.attr, shape: { shape: free } };
  for (const input of Object.values(json.signature?.inputs ?? {})) input.tensorShape = free;
  const shards = json.weightsManifest.flatMap((group) =>
    group.paths.map((p) => readFileSync(path.join(path.dirname(jsonPath), p))),
  );
  const bytes = Buffer.concat(shards);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
    }),
  );
  return { model, nodes: json.modelTopology.node };
}

/** tfjs's WebAssembly backend from an unpacked `@tensorflow/tfjs-backend-wasm` package folder, else its pure-JS CPU one. */
export async function useBackend(wasmPackage?: string): Promise<void> {
  if (wasmPackage) {
    const wasm = createRequire(import.meta.url)(path.resolve(wasmPackage, 'dist/tf-backend-wasm.node.js')) as {
      setWasmPaths(prefix: string): void;
    };
    wasm.setWasmPaths(path.resolve(wasmPackage, 'dist') + '/');
    await tf.setBackend('wasm');
  } else await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * The feature maps of `nodes` for a batch of image files: each decoded to size × size (aspect not kept), its pixel
 * values times `scale` (the model's input range over 255). `maps[n][i]` is node n's map of file i (rows, columns,
 * channels, whatever the model's `layout`); `ms` the time in the graph.
 */
export async function nodeMaps(
  model: tf.GraphModel,
  files: readonly string[],
  nodes: readonly string[],
  size: number,
  scale: number,
  layout: Layout = 'nhwc',
): Promise<{ maps: FeatureMap[][]; ms: number }> {
  const images = await Promise.all(files.map((file) => decodeImage(file, { size, fit: 'fill', channels: 3 })));
  const perImage = size * size * 3;
  const pixels = new Float32Array(files.length * perImage);
  images.forEach((image, i) => {
    for (let k = 0; k < image.data.length; k++) pixels[i * perImage + k] = image.data[k] * scale;
  });
  const nhwc = tf.tensor4d(pixels, [files.length, size, size, 3]);
  const input = layout === 'nhwc' ? nhwc : tf.transpose(nhwc, [0, 3, 1, 2]);
  const started = performance.now();
  const executed = model.execute(input, [...nodes]) as tf.Tensor[];
  const outputs = layout === 'nhwc' ? executed : executed.map((t) => tf.transpose(t, [0, 2, 3, 1]));
  try {
    const data = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
    const ms = performance.now() - started;
    const maps = outputs.map((t, n) => {
      const [, h, w, c] = t.shape as [number, number, number, number];
      return files.map((_, i) => ({ data: data[n].subarray(i * h * w * c, (i + 1) * h * w * c), h, w, c }));
    });
    return { maps, ms };
  } finally {
    tf.dispose([...new Set([nhwc, input, ...executed, ...outputs])]); // the same tensors where the layout is NHWC
  }
}
