/**
 * Unsupervised projection baselines as linear heads (so they are exported and evaluated exactly like
 * trained heads): LSH (random Gaussian projections of centred inputs) and ITQ (Gong & Lazebnik 2011:
 * PCA to K dimensions, then the rotation minimising the quantisation error ‖B − VR‖).
 */
import { MatmulCompute } from '../compute/compute-graphs.js';
import type { LabelledSet } from '../data/datasets.js';
import type { HeadParameters } from '../compute/head.js';
import { orthogonalPolarFactor, orthonormaliseColumns } from '../compute/linalg.js';
import { createRandom } from '../compute/rng.js';
import { throwIfAborted } from '../loop/training-options.js';

function linearHead(inputDim: number, bits: number, weights: Float32Array, mean: Float32Array): HeadParameters {
  return {
    architecture: { inputDim, hiddenDim: 0, bits, divideAndEncode: false },
    conv: [],
    hiddenWeights: new Float32Array(0),
    hiddenBias: new Float32Array(0),
    outputWeights: weights,
    outputBias: new Float32Array(bits),
    inputMean: mean,
    inputScale: new Float32Array(inputDim).fill(1),
  };
}

function columnMeans(set: LabelledSet): Float32Array {
  const mean = new Float64Array(set.dim);
  for (let i = 0; i < set.count; i++) for (let j = 0; j < set.dim; j++) mean[j]! += set.features[i * set.dim + j]!;
  return Float32Array.from(mean, (m) => m / set.count);
}

function centred(set: LabelledSet, mean: Float32Array): Float32Array {
  return set.features.map((v, i) => v - mean[i % set.dim]!);
}

export function trainLsh(train: LabelledSet, bits: number, seed: number): HeadParameters {
  const random = createRandom(seed);
  const weights = Float32Array.from({ length: train.dim * bits }, () => random.gaussian());
  return linearHead(train.dim, bits, weights, columnMeans(train));
}

export async function trainItq(
  train: LabelledSet,
  bits: number,
  seed: number,
  options: { iterations?: number; threads?: number; signal?: AbortSignal } = {},
): Promise<HeadParameters> {
  const random = createRandom(seed);
  const { dim, count } = train;
  if (bits > dim) throw new Error(`ITQ needs bits ≤ input dimension (${bits} > ${dim})`);
  const mean = columnMeans(train);
  const x = centred(train, mean);
  const matmul = await MatmulCompute.open(options.threads);
  try {
    // PCA: top-K eigen-subspace of the covariance by subspace iteration (ITQ rotates within it anyway).
    const covariance = await matmul.multiply(x, [count, dim], x, [count, dim], true);
    let basis: Float32Array = Float32Array.from({ length: dim * bits }, () => random.gaussian());
    orthonormaliseColumns(basis, dim, bits);
    for (let it = 0; it < 60; it++) {
      throwIfAborted(options.signal);
      basis = await matmul.multiply(covariance, [dim, dim], basis, [dim, bits]);
      orthonormaliseColumns(basis, dim, bits);
    }
    const projected = await matmul.multiply(x, [count, dim], basis, [dim, bits]);
    // ITQ: alternate B = sign(V R) and R = polar(Vᵀ B).
    let rotation: Float64Array = Float64Array.from({ length: bits * bits }, () => random.gaussian());
    orthonormaliseColumns(rotation, bits, bits);
    const rotated = new Float64Array(count * bits);
    for (let it = 0; it < (options.iterations ?? 50); it++) {
      throwIfAborted(options.signal);
      multiplyInto(projected, rotation, count, bits, rotated);
      const vtb = new Float64Array(bits * bits);
      for (let i = 0; i < count; i++)
        for (let a = 0; a < bits; a++) {
          const v = projected[i * bits + a]!;
          for (let b = 0; b < bits; b++) vtb[a * bits + b]! += rotated[i * bits + b]! >= 0 ? v : -v;
        }
      rotation = orthogonalPolarFactor(vtb, bits);
    }
    const weights = new Float32Array(dim * bits);
    multiplyInto(basis, rotation, dim, bits, weights);
    return linearHead(dim, bits, weights, mean);
  } finally {
    await matmul.release();
  }
}

/** out[rows, k] = a[rows, k] · r[k, k]. */
function multiplyInto(
  a: ArrayLike<number>,
  r: Float64Array,
  rows: number,
  k: number,
  out: Float64Array | Float32Array,
): void {
  for (let i = 0; i < rows; i++)
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += a[i * k + c]! * r[c * k + b]!;
      out[i * k + b] = s;
    }
}
