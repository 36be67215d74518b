/**
 * Reads a Keras model shipped by the `nsfwjs` npm package: the topology (`model.min.js`) and the
 * uint8-quantised weights (one or more shards such as `group1-shard1of1.min.js`, each a base64 string,
 * concatenated in manifest order), dequantised the way tfjs does it (value = q · scale + min, stored as
 * float32).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers whose outputs this layer reads (first inbound node only: no shared layers here). */
  inbound: string[];
}

export interface KerasWeight {
  data: Float32Array;
  shape: number[];
}

export interface KerasModel {
  name: string;
  layers: KerasLayer[];
  /** Weights by tfjs name, e.g. `block_10_expand/kernel`. */
  weights: Map<string, KerasWeight>;
  inputShape: number[];
}

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min: number; scale: number; dtype: string };
}

interface ModelModule {
  modelTopology: {
    model_config: {
      config: {
        name: string;
        layers: { name: string; class_name: string; config: Record<string, unknown>; inbound_nodes: unknown[][][] }[];
      };
    };
  };
  weightsManifest: { paths: string[]; weights: ManifestWeight[] }[];
}

/** The nsfwjs models directory for `name` (e.g. `mobilenet_v2`). */
export function nsfwjsModelDir(name: string): string {
  // nsfwjs' `exports` hides package.json, so resolve its entry point and walk up to the package root.
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve('nsfwjs'));
  const isRoot = (d: string) =>
    existsSync(path.join(d, 'package.json')) &&
    (JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')) as { name?: string }).name === 'nsfwjs';
  while (!isRoot(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot locate the nsfwjs package root');
    dir = parent;
  }
  return path.join(dir, 'dist', 'models', name);
}

/**
 * Evaluates one of nsfwjs' UMD wrappers (`module.exports = …`) without executing anything else:
 * the files are plain data, but going through `require` keeps us honest about their format.
 */
function loadUmd(file: string): unknown {
  const require = createRequire(import.meta.url);
  return require(file);
}

function dequantise(bytes: Uint8Array, offset: number, w: ManifestWeight): { data: Float32Array; bytes: number } {
  const count = w.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  if (!w.quantization) {
    if (w.dtype !== 'float32') throw new Error(`weight ${w.name}: unsupported dtype ${w.dtype}`);
    data.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * 4)));
    return { data, bytes: count * 4 };
  }
  const { min, scale, dtype } = w.quantization;
  if (dtype !== 'uint8') throw new Error(`weight ${w.name}: unsupported quantisation ${dtype}`);
  for (let i = 0; i < count; i++) data[i] = bytes[offset + i] * scale + min;
  return { data, bytes: count };
}

export function loadNsfwjsKerasModel(name = 'mobilenet_v2'): KerasModel {
  const dir = nsfwjsModelDir(name);
  const module = loadUmd(path.join(dir, 'model.min.js')) as ModelModule;
  const config = module.modelTopology.model_config.config;
  const layers: KerasLayer[] = config.layers.map((l) => ({
    name: l.name,
    className: l.class_name,
    config: l.config,
    inbound: (l.inbound_nodes[0] ?? []).map((edge) => String(edge[0])),
  }));
  const weights = new Map<string, KerasWeight>();
  for (const group of module.weightsManifest) {
    const shards = group.paths.map((p) => {
      const file = path.join(dir, `${p}.min.js`);
      const base64 = loadUmd(file);
      if (typeof base64 !== 'string') throw new Error(`${file}: expected a base64 string export`);
      return Buffer.from(base64, 'base64');
    });
    const bytes = new Uint8Array(Buffer.concat(shards));
    let offset = 0;
    for (const w of group.weights) {
      const { data, bytes: used } = dequantise(bytes, offset, w);
      weights.set(w.name, { data, shape: w.shape });
      offset += used;
    }
    if (offset !== bytes.length) throw new Error(`${name}: weights use ${offset} bytes of ${bytes.length}`);
  }
  const inputLayer = layers.find((l) => l.className === 'InputLayer');
  const inputShape = (inputLayer?.config.batch_input_shape as (number | null)[] | undefined) ?? [];
  return { name: config.name, layers, weights, inputShape: inputShape.map((d) => d ?? -1) };
}

/** The raw model.json-style topology and weight bytes, for loading the same model into tfjs in tests. */
export function readNsfwjsArtifacts(name = 'mobilenet_v2'): {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
} {
  const dir = nsfwjsModelDir(name);
  const module = loadUmd(path.join(dir, 'model.min.js')) as ModelModule;
  const buffers = module.weightsManifest.flatMap((g) =>
    g.paths.map((p) => Buffer.from(loadUmd(path.join(dir, `${p}.min.js`)) as string, 'base64')),
  );
  const all = Buffer.concat(buffers);
  return {
    modelTopology: module.modelTopology,
    weightSpecs: module.weightsManifest.flatMap((g) => g.weights),
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  };
}

/** SHA-256-able identity of the source files (topology, then weight shards), so the manifest can say what the backbone was built from. */
export function nsfwjsSourceFiles(name = 'mobilenet_v2'): { path: string; bytes: Buffer }[] {
  const dir = nsfwjsModelDir(name);
  const module = loadUmd(path.join(dir, 'model.min.js')) as ModelModule;
  const shards = module.weightsManifest.flatMap((g) => g.paths.map((p) => `${p}.min.js`));
  return ['model.min.js', ...shards].map((f) => ({ path: f, bytes: readFileSync(path.join(dir, f)) }));
}
