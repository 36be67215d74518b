/**
 * The descriptor pooling in plain JavaScript, on NHWC feature maps of one image. It is the definition
 * the ONNX descriptor head is tested against, and lets the ablation benchmark try many poolings on
 * feature maps computed once.
 */
import type { Tensor } from '../types.js';
import { featureMapName, poolingBlocks, type BackboneSpec, type Pooling } from './convert.js';

export interface FeatureMap {
  /** [h, w, c] row-major. */
  data: ArrayLike<number>;
  h: number;
  w: number;
  c: number;
}

/** Image `index`'s map of `layer` out of a converted backbone's batch outputs (`featureMaps`, [batch, h, w, c]). */
export function featureMapOf(outputs: Record<string, Tensor>, layer: string, index: number): FeatureMap {
  const t = outputs[featureMapName(layer)];
  if (!t) throw new Error(`the backbone has no feature-map output for ${layer}`);
  const [, h, w, c] = t.dims as [number, number, number, number];
  return { data: t.data.subarray(index * h * w * c, (index + 1) * h * w * c), h, w, c };
}

const GEM_FLOOR = 1e-6;
const NORM_EPSILON = 1e-12;

/** Pools the window rows [y0, y0+kh) × cols [x0, x0+kw) of `map` into `out` (length c). */
function poolWindow(
  map: FeatureMap,
  pooling: Pooling,
  p: number,
  y0: number,
  x0: number,
  kh: number,
  kw: number,
): Float32Array {
  const { data, w, c } = map;
  const out = new Float32Array(c);
  const acc = new Float64Array(c).fill(pooling === 'gmp' ? -Infinity : 0);
  for (let y = y0; y < y0 + kh; y++)
    for (let x = x0; x < x0 + kw; x++) {
      const base = (y * w + x) * c;
      for (let k = 0; k < c; k++) {
        const v = data[base + k];
        if (pooling === 'gmp') acc[k] = Math.max(acc[k], v);
        else if (pooling === 'gem') acc[k] += Math.max(v, GEM_FLOOR) ** p;
        else acc[k] += v;
      }
    }
  const n = kh * kw;
  for (let k = 0; k < c; k++) {
    if (pooling === 'gmp') out[k] = acc[k];
    else if (pooling === 'gem') out[k] = (acc[k] / n) ** (1 / p);
    else out[k] = acc[k] / n;
  }
  return out;
}

/** The blocks of one part, unnormalised: [global] or [global, top-left, top-right, bottom-left, bottom-right]. */
export function poolBlocks(map: FeatureMap, pooling: Pooling, gemP = 3): Float32Array[] {
  const blocks = [poolWindow(map, pooling, gemP, 0, 0, map.h, map.w)];
  if (pooling === 'regions2x2') {
    const [kh, kw] = [Math.ceil(map.h / 2), Math.ceil(map.w / 2)];
    const [sh, sw] = [Math.floor(map.h / 2), Math.floor(map.w / 2)];
    for (let ry = 0; ry < 2; ry++)
      for (let rx = 0; rx < 2; rx++) blocks.push(poolWindow(map, 'gap', gemP, ry * sh, rx * sw, kh, kw));
  }
  return blocks;
}

/** Concatenates blocks, each L2-normalised, scaled by 1/√blocks (unit norm overall). */
export function concatNormalisedBlocks(blocks: Float32Array[]): Float32Array {
  const width = blocks.reduce((a, b) => a + b.length, 0);
  const out = new Float32Array(width);
  const weight = 1 / Math.sqrt(blocks.length);
  let offset = 0;
  for (const block of blocks) {
    let sum = 0;
    for (const v of block) sum += v * v;
    const scale = weight / Math.max(Math.sqrt(sum), NORM_EPSILON);
    for (let k = 0; k < block.length; k++) out[offset + k] = block[k] * scale;
    offset += block.length;
  }
  return out;
}

export function referenceDescriptor(spec: BackboneSpec, mapOf: (layer: string) => FeatureMap): Float32Array {
  const blocks: Float32Array[] = [];
  for (const part of spec.parts) {
    const b = poolBlocks(mapOf(part.layer), part.pooling, spec.gemP ?? 3);
    if (b.length !== poolingBlocks(part.pooling)) throw new Error('pooling block count mismatch');
    blocks.push(...b);
  }
  return concatNormalisedBlocks(blocks);
}
