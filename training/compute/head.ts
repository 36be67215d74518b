/**
 * The hashing head: descriptor (or raw pixels) → K logits z; code bit k = z_k > 0.
 *
 * Shapes: optional hidden layer (dense + ReLU), then the output layer, either dense or
 * divide-and-encode (Lin, Li, Tang: the layer input is cut into K slices and bit k sees only slice k,
 * so bits are computed from disjoint evidence). Divide-and-encode is a dense layer with a fixed
 * block-diagonal mask, which keeps one set of compute graphs for both.
 */
import type { Random } from './rng.js';
import {
  cloneSequential,
  SEQUENTIAL_NAMES,
  sequentialArrays,
  type SequentialArchitecture,
  type SequentialParameters,
} from './sequential.js';

/** One convolution of a raw-image head: `kernel`×`kernel` ("same" padding) + ReLU, then optionally a 2×2 max-pool. */
export interface ConvLayer {
  filters: number;
  /** Odd side of the square kernel. */
  kernel: number;
  pool: boolean;
}

/** The first heads' layer: 5×5, pooled (what `--conv N` and `--conv2 N` mean). */
export const CLASSIC_CONV_KERNEL = 5;

export interface HeadArchitecture {
  inputDim: number;
  /**
   * Raw-image heads only: a stack of convolutions over the inputDim = width·height pixels (one input
   * channel); each pooled layer halves both sides, which must then be even. Descriptor heads leave it out.
   */
  conv?: { layers: ConvLayer[]; width: number; height: number };
  /** Width of the ReLU hidden layer; 0 for a linear head. */
  hiddenDim: number;
  bits: number;
  divideAndEncode: boolean;
  /**
   * DRLIH's sequential policy after the output layer (training/compute/sequential.ts): the code is emitted an action
   * group at a time, each group's logits corrected by a recurrent state of the bits before it. Absent: z is the code.
   */
  sequential?: SequentialArchitecture;
}

/** The head without its sequential policy: the layers from the input to z_img. */
export function layersOf(a: HeadArchitecture): HeadArchitecture {
  const { sequential: _, ...layers } = a;
  return layers;
}

/** One convolution's weights [filters, inChannels, k, k] and bias [filters]. */
export interface ConvParameters {
  weights: Float32Array;
  bias: Float32Array;
}

export interface HeadParameters {
  architecture: HeadArchitecture;
  /** One entry per layer of architecture.conv (empty without convolutions). */
  conv: ConvParameters[];
  /** [featureDim, hiddenDim], row-major (empty for a head without hidden layer). */
  hiddenWeights: Float32Array;
  hiddenBias: Float32Array;
  /** [outputInputDim, bits], row-major. */
  outputWeights: Float32Array;
  outputBias: Float32Array;
  /** Input standardisation folded into the head: x' = (x − mean) · scale, per input dimension. */
  inputMean: Float32Array;
  inputScale: Float32Array;
  /** The sequential policy's weights, when the architecture has one. */
  sequential?: SequentialParameters;
}

/**
 * Reads a conv stack written as comma-separated layers `FxK` (F filters, K×K kernel) with a trailing `p`
 * for a 2×2 max-pool after it, e.g. `32x3,32x3p,64x3,64x3p`. A bare number F is the first heads' layer,
 * `Fx5p`. An empty string or "0" is no stack.
 */
export function parseConvLayers(spec: string): ConvLayer[] {
  const text = spec.trim();
  if (text === '' || text === '0') return [];
  return text.split(',').map((item) => {
    const match = /^(\d+)(?:x(\d+)(p?))?$/.exec(item.trim());
    if (!match)
      throw new Error(
        `cannot read conv layer "${item}": write FILTERSxKERNEL[p], e.g. 32x3p, or FILTERS for 5×5 pooled`,
      );
    const filters = Number(match[1]);
    if (match[2] === undefined) return { filters, kernel: CLASSIC_CONV_KERNEL, pool: true };
    return { filters, kernel: Number(match[2]), pool: match[3] === 'p' };
  });
}

/** The inverse of parseConvLayers (always the explicit form). */
export function formatConvLayers(layers: readonly ConvLayer[]): string {
  return layers.map((l) => `${l.filters}x${l.kernel}${l.pool ? 'p' : ''}`).join(',');
}

/** Each conv layer's input channels, and the side lengths after the stack. */
export function convShapes(conv: NonNullable<HeadArchitecture['conv']>) {
  let channels = 1;
  let { width, height } = conv;
  const inChannels: number[] = [];
  for (const layer of conv.layers) {
    inChannels.push(channels);
    channels = layer.filters;
    if (layer.pool) {
      width /= 2;
      height /= 2;
    }
  }
  return { inChannels, channels, width, height };
}

/** Throws unless the stack can run on its image: odd kernels, whole filters, even sides before every pool. */
export function checkConvStack(conv: NonNullable<HeadArchitecture['conv']>): void {
  let { width, height } = conv;
  if (conv.layers.length === 0) throw new Error('a convolution stack needs at least one layer');
  conv.layers.forEach((layer, i) => {
    if (!Number.isInteger(layer.filters) || layer.filters < 1)
      throw new Error(`conv layer ${i + 1}: filters must be a positive whole number, got ${layer.filters}`);
    if (!Number.isInteger(layer.kernel) || layer.kernel < 1 || layer.kernel % 2 === 0)
      throw new Error(`conv layer ${i + 1}: the kernel side must be odd, got ${layer.kernel}`);
    if (layer.pool) {
      if (width % 2 || height % 2)
        throw new Error(`conv layer ${i + 1}: a 2×2 pool needs even sides, got ${width}×${height}`);
      width /= 2;
      height /= 2;
    }
  });
}

/** Width of what the dense layers see: the last feature maps flattened, or the input itself. */
export function featureDim(a: HeadArchitecture): number {
  if (!a.conv) return a.inputDim;
  const { channels, width, height } = convShapes(a.conv);
  return channels * width * height;
}

/** Width of what the output layer reads. */
export function outputInputDim(a: HeadArchitecture): number {
  return a.hiddenDim > 0 ? a.hiddenDim : featureDim(a);
}

/** Names of the trained arrays in trainableArrays' order (for messages and tests). */
export function trainableNames(a: HeadArchitecture): string[] {
  const names = (a.conv?.layers ?? []).flatMap((_, i) => [`conv${i + 1}.weights`, `conv${i + 1}.bias`]);
  if (a.hiddenDim > 0) names.push('hiddenWeights', 'hiddenBias');
  names.push('outputWeights', 'outputBias');
  if (a.sequential) names.push(...SEQUENTIAL_NAMES);
  return names;
}

/** 1 where output weight (i, k) may be non-zero; for divide-and-encode, slice k = rows ⌊i·K/n⌋ = k. */
export function outputMask(a: HeadArchitecture): Float32Array | null {
  if (!a.divideAndEncode) return null;
  const rows = outputInputDim(a);
  if (rows < a.bits) throw new Error(`divide-and-encode needs at least ${a.bits} inputs, got ${rows}`);
  const mask = new Float32Array(rows * a.bits);
  for (let i = 0; i < rows; i++) mask[i * a.bits + Math.floor((i * a.bits) / rows)] = 1;
  return mask;
}

function heInit(count: number, fanIn: number, random: Random, gain = Math.SQRT2): Float32Array {
  const std = gain / Math.sqrt(fanIn);
  return Float32Array.from({ length: count }, () => random.gaussian() * std);
}

export function initHead(
  architecture: HeadArchitecture,
  random: Random,
  inputMean: Float32Array,
  inputScale: Float32Array,
): HeadParameters {
  const { hiddenDim, bits, conv } = architecture;
  const rows = outputInputDim(architecture);
  const features = featureDim(architecture);
  const mask = outputMask(architecture);
  const fanIn = mask ? rows / bits : rows;
  const outputWeights = heInit(rows * bits, fanIn, random, 1);
  if (mask) for (let i = 0; i < outputWeights.length; i++) outputWeights[i]! *= mask[i]!;
  const inChannels = conv ? convShapes(conv).inChannels : [];
  const convParameters = (conv?.layers ?? []).map((layer, i) => {
    const fanIn = inChannels[i]! * layer.kernel * layer.kernel;
    return { weights: heInit(layer.filters * fanIn, fanIn, random), bias: new Float32Array(layer.filters) };
  });
  return {
    architecture,
    conv: convParameters,
    hiddenWeights: hiddenDim > 0 ? heInit(features * hiddenDim, features, random) : new Float32Array(0),
    hiddenBias: new Float32Array(hiddenDim),
    outputWeights,
    outputBias: new Float32Array(bits),
    inputMean,
    inputScale,
  };
}

export function cloneHead(head: HeadParameters): HeadParameters {
  return {
    architecture: { ...head.architecture },
    conv: head.conv.map(({ weights, bias }) => ({ weights: weights.slice(), bias: bias.slice() })),
    hiddenWeights: head.hiddenWeights.slice(),
    hiddenBias: head.hiddenBias.slice(),
    outputWeights: head.outputWeights.slice(),
    outputBias: head.outputBias.slice(),
    inputMean: head.inputMean,
    inputScale: head.inputScale,
    ...(head.sequential ? { sequential: cloneSequential(head.sequential) } : {}),
  };
}

/** The trainable arrays in a fixed order (optimiser state and moving averages follow it): trainableNames' order. */
export function trainableArrays(head: HeadParameters): Float32Array[] {
  const arrays = head.conv.flatMap(({ weights, bias }) => [weights, bias]);
  if (head.architecture.hiddenDim > 0) arrays.push(head.hiddenWeights, head.hiddenBias);
  arrays.push(head.outputWeights, head.outputBias);
  if (head.sequential) arrays.push(...sequentialArrays(head.sequential));
  return arrays;
}

/** target ← rate·source + (1 − rate)·target (rate 1 = copy), for the slowly-updated database network. */
export function moveTowards(target: HeadParameters, source: HeadParameters, rate: number): void {
  const t = trainableArrays(target);
  const s = trainableArrays(source);
  for (let a = 0; a < t.length; a++) {
    const ta = t[a]!;
    const sa = s[a]!;
    for (let i = 0; i < ta.length; i++) ta[i] = rate * sa[i]! + (1 - rate) * ta[i]!;
  }
}

/**
 * Per-dimension mean and 1/std (std floored so constant pixels do not blow up); with `shared`, one
 * mean and scale for every dimension (convolutions need the same transform at every pixel).
 */
export function standardisation(features: Float32Array, count: number, dim: number, shared = false) {
  const mean = new Float64Array(dim);
  const square = new Float64Array(dim);
  for (let i = 0; i < count; i++)
    for (let j = 0; j < dim; j++) {
      const v = features[i * dim + j]!;
      mean[j]! += v;
      square[j]! += v * v;
    }
  const inputMean = new Float32Array(dim);
  const inputScale = new Float32Array(dim);
  let meanStd = 0;
  const std = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    const m = mean[j]! / count;
    inputMean[j] = m;
    std[j] = Math.sqrt(Math.max(square[j]! / count - m * m, 0));
    meanStd += std[j]! / dim;
  }
  for (let j = 0; j < dim; j++) inputScale[j] = 1 / Math.max(std[j]!, 0.1 * meanStd, 1e-6);
  if (shared) {
    let globalMean = 0;
    let globalSquare = 0;
    for (let j = 0; j < dim; j++) {
      globalMean += mean[j]! / (count * dim);
      globalSquare += square[j]! / (count * dim);
    }
    inputMean.fill(globalMean);
    inputScale.fill(1 / Math.max(Math.sqrt(Math.max(globalSquare - globalMean ** 2, 0)), 1e-6));
  }
  return { inputMean, inputScale };
}

/** Applies the head's input standardisation, returning a new array. */
export function standardise(head: HeadParameters, features: Float32Array): Float32Array {
  const dim = head.architecture.inputDim;
  const out = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) {
    const j = i % dim;
    out[i] = (features[i]! - head.inputMean[j]!) * head.inputScale[j]!;
  }
  return out;
}
