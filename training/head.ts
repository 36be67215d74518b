/**
 * The hashing head: descriptor (or raw pixels) → K logits z; code bit k = z_k > 0.
 *
 * Shapes: optional hidden layer (dense + ReLU), then the output layer, either dense or
 * divide-and-encode (Lin, Li, Tang: the layer input is cut into K slices and bit k sees only slice k,
 * so bits are computed from disjoint evidence). Divide-and-encode is a dense layer with a fixed
 * block-diagonal mask, which keeps one set of compute graphs for both.
 */
import type { Random } from './rng.js';

export interface HeadArchitecture {
  inputDim: number;
  /**
   * Raw-image heads only: a first 5×5 convolution (padding 2) + ReLU + 2×2 max-pool over the
   * inputDim = width·height pixels, and optionally a second one with `filters2` filters (width and
   * height must then be multiples of 4). Descriptor heads leave it out.
   */
  conv?: { filters: number; filters2?: number; width: number; height: number };
  /** Width of the ReLU hidden layer; 0 for a linear head. */
  hiddenDim: number;
  bits: number;
  divideAndEncode: boolean;
}

export interface HeadParameters {
  architecture: HeadArchitecture;
  /** [filters, 1, 5, 5] and [filters] (empty without a convolution). */
  convWeights: Float32Array;
  convBias: Float32Array;
  /** [filters2, filters, 5, 5] and [filters2] (empty without a second convolution). */
  conv2Weights: Float32Array;
  conv2Bias: Float32Array;
  /** [featureDim, hiddenDim], row-major (empty for a head without hidden layer). */
  hiddenWeights: Float32Array;
  hiddenBias: Float32Array;
  /** [outputInputDim, bits], row-major. */
  outputWeights: Float32Array;
  outputBias: Float32Array;
  /** Input standardisation folded into the head: x' = (x − mean) · scale, per input dimension. */
  inputMean: Float32Array;
  inputScale: Float32Array;
}

export const CONV_KERNEL = 5;

/** Width of what the dense layers see: the pooled feature maps, or the input itself. */
export function featureDim(a: HeadArchitecture): number {
  if (!a.conv) return a.inputDim;
  const { filters, filters2, width, height } = a.conv;
  return filters2 ? filters2 * (height / 4) * (width / 4) : filters * (height / 2) * (width / 2);
}

/** Width of what the output layer reads. */
export function outputInputDim(a: HeadArchitecture): number {
  return a.hiddenDim > 0 ? a.hiddenDim : featureDim(a);
}

export const PARAMETER_NAMES = [
  'convWeights',
  'convBias',
  'conv2Weights',
  'conv2Bias',
  'hiddenWeights',
  'hiddenBias',
  'outputWeights',
  'outputBias',
] as const;
export type ParameterName = (typeof PARAMETER_NAMES)[number];

/** The parameters this architecture trains, weights before biases, layer by layer. */
export function trainableNames(a: HeadArchitecture): ParameterName[] {
  return PARAMETER_NAMES.filter((name) => {
    if (name.startsWith('conv2')) return Boolean(a.conv?.filters2);
    if (name.startsWith('conv')) return a.conv !== undefined;
    if (name.startsWith('hidden')) return a.hiddenDim > 0;
    return true;
  });
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
  const kernelArea = CONV_KERNEL * CONV_KERNEL;
  return {
    architecture,
    convWeights: conv ? heInit(conv.filters * kernelArea, kernelArea, random) : new Float32Array(0),
    convBias: new Float32Array(conv?.filters ?? 0),
    conv2Weights: conv?.filters2
      ? heInit(conv.filters2 * conv.filters * kernelArea, conv.filters * kernelArea, random)
      : new Float32Array(0),
    conv2Bias: new Float32Array(conv?.filters2 ?? 0),
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
    convWeights: head.convWeights.slice(),
    convBias: head.convBias.slice(),
    conv2Weights: head.conv2Weights.slice(),
    conv2Bias: head.conv2Bias.slice(),
    hiddenWeights: head.hiddenWeights.slice(),
    hiddenBias: head.hiddenBias.slice(),
    outputWeights: head.outputWeights.slice(),
    outputBias: head.outputBias.slice(),
    inputMean: head.inputMean,
    inputScale: head.inputScale,
  };
}

/** The trainable arrays in a fixed order (optimiser state and moving averages follow it). */
export function trainableArrays(head: HeadParameters): Float32Array[] {
  return trainableNames(head.architecture).map((name) => head[name]);
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
