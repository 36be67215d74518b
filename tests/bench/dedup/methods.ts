/**
 * The methods the benchmark compares, behind one small interface, and a per-method cache of their
 * encodings (in the set's temp folder) so re-runs only recompute what changed.
 *
 * Every method encodes a file in all eight orientations (index 0 = the file as it is): plain matching
 * reads orientation 0 only; geometric matching takes the smallest distance over the orientations. The
 * shipped model's methods add the app's upright variants after them, which both read: greyscale (index 8) and
 * trimmed (index 9; for a file without uniform borders, which the app gives no trimmed variant, a copy of index
 * 0, so it adds no pair the file's own code does not).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { popcount32 } from '../../../model/codes.js';
import { type MatchRule, type NearPreset, toMatchRule } from '../../../electron/search/duplicates/presets.js';
import { dupHeadPresets, readManifest, roleHeadId } from '../../../model/backbone/manifest.js';
import { Encoder } from '../../../model/encoder.js';
import { MIN_TRIMMED_CUT, UPRIGHT_VARIANTS, variantPixels } from '../../../model/variants.js';
import { decodeForCatalog } from '../../../model/image/decode.js';
import { allOrientations, ORIENTATION_COUNT } from './dihedral.js';
import { decodeForPhash, phashOfGrey } from './phash.js';

export type Vector = Uint32Array | Float32Array;

export interface DedupMethod {
  name: string;
  /** Changes whenever the encodings would (model version, algorithm revision): the cache key. */
  version: string;
  /** `hamming`: thresholds are radii in bits; `cosine`: thresholds are cosine distances 1 − cos. */
  metric: 'hamming' | 'cosine';
  /** Values per encoding (32-bit words for codes, floats for descriptors). */
  dim: number;
  /** The sweep: every threshold the benchmark scores. */
  thresholds: number[];
  /** Fixed thresholds worth a row of their own (a tool's default, a planning figure); each is in `thresholds`. */
  referenceThresholds?: { label: string; threshold: number }[];
  /**
   * Encodings after the eight orientations that plain matching reads too, like geometric matching's variants
   * (the model's greyscale and trimmed variants, indices 8 and 9); none by default.
   */
  alwaysVariants?: number;
  /** The file in its eight orientations (then `alwaysVariants` more); index 0 is what the app stores for the file. */
  encode(file: string): Promise<Vector[]>;
  distance(a: Vector, b: Vector): number;
  close?(): Promise<void>;
}

export function hammingDistance64(a: Vector, b: Vector): number {
  return popcount32(a[0] ^ b[0]) + popcount32(a[1] ^ b[1]);
}

/** Hamming distance of packed codes of any length (32-bit words). */
export function hammingDistance(a: Vector, b: Vector): number {
  let d = 0;
  for (let w = 0; w < a.length; w++) d += popcount32(a[w] ^ b[w]);
  return d;
}

/** 1 − cos for unit vectors. */
export function cosineDistance(a: Vector, b: Vector): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return 1 - dot;
}

const HAMMING_THRESHOLDS = Array.from({ length: 65 }, (_, r) => r);
/** 1 − cos: steps of 0.001 up to 0.05 (where duplicates sit), then 0.005 up to 0.5 (cos ≥ 0.5). */
const COSINE_THRESHOLDS = [
  ...Array.from({ length: 50 }, (_, i) => i / 1000),
  ...Array.from({ length: 91 }, (_, i) => (50 + 5 * i) / 1000),
];

export function phashMethod(): DedupMethod {
  return {
    name: 'phash64',
    version: 'phash64-v1',
    metric: 'hamming',
    dim: 2,
    thresholds: HAMMING_THRESHOLDS,
    referenceThresholds: [{ label: "imagededup's default", threshold: 10 }],
    async encode(file) {
      return allOrientations(await decodeForPhash(file)).map(phashOfGrey);
    },
    distance: hammingDistance64,
  };
}

function normalised(values: Float32Array): Float32Array {
  let sum = 0;
  for (const v of values) sum += v * v;
  const scale = 1 / Math.max(Math.sqrt(sum), 1e-12);
  return values.map((v) => v * scale);
}

/**
 * One backbone run per file feeds two methods: the shipped code (`model-dup`) and the
 * `block_13_expand_relu` global average inside the shipped descriptor (`mnv2-b13-gap-cosine`): results
 * are kept (codes and the 576-d slice only, ~20 MB for the set) for whichever method asks second.
 */
export class ShippedModel {
  private readonly results = new Map<
    string,
    { codes: Uint32Array[]; logits: Float32Array[]; b13Gap: Float32Array[] }
  >();
  private constructor(
    readonly encoder: Encoder,
    private readonly b13Offset: number,
    readonly b13Dim: number,
  ) {}

  /** `head`: a head id from model/artifacts/manifest.json (default: the manifest's `dup` role, else its default head). */
  static async open(head?: string): Promise<ShippedModel> {
    const manifest = readManifest();
    if (!manifest) throw new Error('no model manifest (run `npm run build:model`)');
    const encoder = await Encoder.open({
      head: head ?? roleHeadId(manifest, 'dup'),
      batchSize: ORIENTATION_COUNT + UPRIGHT_VARIANTS.length,
    });
    if (!encoder.roles.dup || encoder.roles.dup.bits % 32 !== 0)
      throw new Error(
        `the benchmark expects a duplicate head of 32·n bits; ${encoder.roles.dup?.version} has ${encoder.roles.dup?.bits}`,
      );
    // The descriptor is its pooled blocks concatenated; find where block_13_expand_relu's global average sits.
    let offset = 0;
    let b13: { offset: number; dim: number } | null = null;
    const blockWidth: Record<string, number> = { block_10_expand_relu: 384, block_13_expand_relu: 576 };
    for (const part of manifest.backbone.parts) {
      const width = blockWidth[part.layer];
      if (width === undefined) break;
      if (part.layer === 'block_13_expand_relu' && part.pooling === 'gap') b13 = { offset, dim: width };
      offset += width * (part.pooling === 'regions2x2' ? 5 : 1);
    }
    if (!b13) throw new Error(`backbone ${manifest.backbone.version} has no block_13_expand_relu gap part`);
    return new ShippedModel(encoder, b13.offset, b13.dim);
  }

  /** The duplicate head's presets as the manifest records them (what the app uses), if it was calibrated. */
  presetRules(): Record<NearPreset, MatchRule> | undefined {
    const presets = dupHeadPresets(this.encoder.manifest)?.rules;
    if (!presets) return undefined;
    return {
      'very-close': toMatchRule(presets['very-close']),
      close: toMatchRule(presets.close),
      loose: toMatchRule(presets.loose),
    };
  }

  async run(file: string): Promise<{ codes: Uint32Array[]; logits: Float32Array[]; b13Gap: Float32Array[] }> {
    const known = this.results.get(file);
    if (known) return known;
    // Exactly the app's preparation (electron/library/analyzer.ts): one decodeForCatalog of the bytes.
    const bytes = await readFile(file);
    const decoded = await decodeForCatalog(bytes, { modelSize: this.encoder.decodeOptions.size });
    const { model } = decoded;
    // The eight orientations, then the app's upright variants (model/variants.ts) for the duplicate head.
    const upright = UPRIGHT_VARIANTS.map((v) => variantPixels(decoded, v));
    const encoded = await this.encoder.encode([...allOrientations(model), ...upright.map((p) => p ?? model)]);
    const result = {
      codes: encoded.map((e) => e.codes.dup!.code),
      logits: encoded.map((e) => normalised(e.codes.dup!.logits)),
      b13Gap: encoded
        .slice(0, ORIENTATION_COUNT)
        .map((e) => normalised(e.descriptor.slice(this.b13Offset, this.b13Offset + this.b13Dim))),
    };
    this.results.set(file, result);
    return result;
  }
}

export function modelDupMethod(model: ShippedModel): DedupMethod {
  const bits = model.encoder.roles.dup!.bits;
  return {
    name: 'model-dup',
    version: `${model.encoder.roles.dup!.version}+grey+trim${MIN_TRIMMED_CUT}`,
    metric: 'hamming',
    dim: bits / 32,
    alwaysVariants: UPRIGHT_VARIANTS.length,
    thresholds: Array.from({ length: bits + 1 }, (_, r) => r),
    encode: async (file) => (await model.run(file)).codes,
    distance: bits === 64 ? hammingDistance64 : hammingDistance,
  };
}

/**
 * The duplicate head's logits before binarisation, by cosine: what a verification step on the stored
 * real-valued head output could add over the code's Hamming distance.
 */
export function modelDupLogitsMethod(model: ShippedModel): DedupMethod {
  return {
    name: 'model-dup-logits-cosine',
    version: `${model.encoder.roles.dup!.version}:logits+grey+trim${MIN_TRIMMED_CUT}`,
    metric: 'cosine',
    alwaysVariants: UPRIGHT_VARIANTS.length,
    dim: model.encoder.roles.dup!.bits,
    thresholds: COSINE_THRESHOLDS,
    encode: async (file) => (await model.run(file)).logits,
    distance: cosineDistance,
  };
}

/** Issue 7's planning baseline, re-measured on the shipped 160 px backbone (the same layer and pooling). */
export function b13GapCosineMethod(model: ShippedModel): DedupMethod {
  return {
    name: 'mnv2-b13-gap-cosine',
    version: `${model.encoder.manifest.backbone.version}:b13e-gap`,
    metric: 'cosine',
    dim: model.b13Dim,
    thresholds: COSINE_THRESHOLDS,
    referenceThresholds: [{ label: "issue 7's planning threshold", threshold: 0.12 }],
    encode: async (file) => (await model.run(file)).b13Gap,
    distance: cosineDistance,
  };
}

/** Encodings of every file in every orientation (then its always-read variants): `rows[file][orientation]`. */
export type Encodings = Vector[][];

/**
 * Encodes the files, reading and writing `<cacheDir>/<name>.bin` (all rows back to back, float32 or
 * uint32) beside a JSON header that must match the method's version and the file list.
 */
export async function encodeWithCache(
  method: DedupMethod,
  files: string[],
  cacheDir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<{ encodings: Encodings; cached: boolean; seconds: number }> {
  mkdirSync(cacheDir, { recursive: true });
  const rows = ORIENTATION_COUNT + (method.alwaysVariants ?? 0);
  const header = { version: method.version, dim: method.dim, orientations: ORIENTATION_COUNT, rows, files };
  const headerFile = path.join(cacheDir, `${method.name}.json`);
  const dataFile = path.join(cacheDir, `${method.name}.bin`);
  const rowWidth = rows * method.dim;
  const ArrayType = method.metric === 'hamming' ? Uint32Array : Float32Array;
  if (existsSync(headerFile) && existsSync(dataFile) && readFileSync(headerFile, 'utf8') === JSON.stringify(header)) {
    const bytes = readFileSync(dataFile);
    const flat = new ArrayType(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const encodings = files.map((_, i) =>
      Array.from({ length: rows }, (__, k) =>
        flat.subarray(i * rowWidth + k * method.dim, i * rowWidth + (k + 1) * method.dim),
      ),
    );
    return { encodings, cached: true, seconds: 0 };
  }
  const started = performance.now();
  const flat = new ArrayType(files.length * rowWidth);
  const encodings: Encodings = [];
  for (let i = 0; i < files.length; i++) {
    const variants = await method.encode(files[i]);
    variants.forEach((v, k) => flat.set(v, i * rowWidth + k * method.dim));
    encodings.push(variants);
    onProgress?.(i + 1, files.length);
  }
  writeFileSync(dataFile, new Uint8Array(flat.buffer));
  writeFileSync(headerFile, JSON.stringify(header));
  return { encodings, cached: false, seconds: (performance.now() - started) / 1000 };
}
