/**
 * Iterative quantisation (Gong & Lazebnik, 2011): PCA to K dimensions, then the rotation R that makes
 * sign(V·R) lose the least, found by alternating B = sign(VR) and the orthogonal Procrustes solution
 * R = polar(Vᵀ·B). The result is one linear map, written as a small ONNX head
 * (descriptor [N, D] → logits [N, K], bit k = logits[k] > 0), so codes are meaningful before a
 * trained head exists.
 *
 * The two big products (the D×D covariance and the subspace iteration) run through onnxruntime, the
 * K×K steps in plain JavaScript (float64).
 */
import { openSession } from '../encoder.js';
import { GraphBuilder, toFloat16Bits } from '../onnx/graph.js';
import { installHead, type HeadEntry } from './manifest.js';

export interface LinearHead {
  /** [D, K] row-major. */
  weights: Float32Array;
  /** [K]: −mean · weights, so logits = x·W + b. */
  bias: Float32Array;
  inputDim: number;
  bits: number;
}

/** A small seeded generator (mulberry32 + Box–Muller) so a fit is reproducible. */
function gaussianSource(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-12))) * Math.cos(2 * Math.PI * uniform());
}

/** Orthonormalises the K columns of a [D, K] row-major matrix in place (modified Gram–Schmidt, twice). */
export function orthonormaliseColumns(m: Float64Array, rows: number, cols: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < cols; j++) {
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += m[r * cols + i] * m[r * cols + j];
        for (let r = 0; r < rows; r++) m[r * cols + j] -= dot * m[r * cols + i];
      }
      let norm = 0;
      for (let r = 0; r < rows; r++) norm += m[r * cols + j] ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let r = 0; r < rows; r++) m[r * cols + j] /= norm;
    }
  }
}

/** Eigen-decomposition of a small symmetric [n, n] matrix by cyclic Jacobi; eigenvalues descending. */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[y * n + y] - m[x * n + x]);
  const values = Float64Array.from(order, (i) => m[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/** A·B (or Aᵀ·B) in float32 through onnxruntime: [m, k] · [k, n] → [m, n]. */
async function matmul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transA = false,
): Promise<Float32Array> {
  const g = new GraphBuilder('matmul');
  g.input('a', 'float32', transA ? [k, m] : [m, k]);
  g.input('b', 'float32', [k, n]);
  g.node('Gemm', ['a', 'b'], ['c'], { transA: transA ? 1 : 0 });
  g.output('c', 'float32', [m, n]);
  const session = await openSession(g.toBytes(), { providers: ['cpu'] });
  try {
    const { c } = await session.run({ a: { data: a, dims: transA ? [k, m] : [m, k] }, b: { data: b, dims: [k, n] } });
    return c.data;
  } finally {
    await session.release();
  }
}

/** The top-K principal directions of rows [n, d]: subspace iteration on the covariance + Rayleigh–Ritz. */
export async function principalComponents(
  rows: Float32Array,
  n: number,
  d: number,
  k: number,
  seed = 1,
): Promise<{ mean: Float64Array; components: Float64Array }> {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += rows[i * d + j] / n;
  const centred = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centred[i * d + j] = rows[i * d + j] - mean[j];
  const cov = await matmul(centred, centred, d, n, d, true);
  for (let i = 0; i < cov.length; i++) cov[i] /= n;
  const gaussian = gaussianSource(seed);
  let q: Float64Array = Float64Array.from({ length: d * k }, gaussian);
  orthonormaliseColumns(q, d, k);
  for (let iteration = 0; iteration < 40; iteration++) {
    q = Float64Array.from(await matmul(cov, Float32Array.from(q), d, d, k));
    orthonormaliseColumns(q, d, k);
  }
  // Rayleigh–Ritz: rotate the subspace basis onto the eigenvectors of Qᵀ C Q (float64 from here on).
  const cq = await matmul(cov, Float32Array.from(q), d, d, k);
  const small = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) for (let i = 0; i < d; i++) small[a * k + b] += q[i * k + a] * cq[i * k + b];
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) small[a * k + b] = small[b * k + a] = (small[a * k + b] + small[b * k + a]) / 2;
  const { vectors } = symmetricEigen(small, k);
  const components = new Float64Array(d * k);
  for (let i = 0; i < d; i++)
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) components[i * k + b] += q[i * k + a] * vectors[a * k + b];
  return { mean, components };
}

/** Polar factor of a square [k, k] matrix M: M (MᵀM)^{-1/2}, the orthogonal matrix nearest to M. */
function polarFactor(m: Float64Array, k: number): Float64Array {
  const mtm = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) for (let i = 0; i < k; i++) mtm[a * k + b] += m[i * k + a] * m[i * k + b];
  const { values, vectors } = symmetricEigen(mtm, k);
  const inverseRoot = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let e = 0; e < k; e++)
        s += (vectors[a * k + e] * vectors[b * k + e]) / Math.sqrt(Math.max(values[e], 1e-12));
      inverseRoot[a * k + b] = s;
    }
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let b = 0; b < k; b++) for (let a = 0; a < k; a++) out[i * k + b] += m[i * k + a] * inverseRoot[a * k + b];
  return out;
}

/** Fits ITQ on descriptor rows [n, d]; returns the head and the final quantisation loss per item. */
export async function fitItq(
  rows: Float32Array,
  n: number,
  d: number,
  bits: number,
  options: { iterations?: number; seed?: number } = {},
): Promise<LinearHead & { loss: number }> {
  const { mean, components } = await principalComponents(rows, n, d, bits, options.seed ?? 1);
  const v = new Float64Array(n * bits);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const x = rows[i * d + j] - mean[j];
      if (x === 0) continue;
      for (let k = 0; k < bits; k++) v[i * bits + k] += x * components[j * bits + k];
    }
  const gaussian = gaussianSource((options.seed ?? 1) + 1);
  let r: Float64Array = Float64Array.from({ length: bits * bits }, gaussian);
  orthonormaliseColumns(r, bits, bits);
  let loss = 0;
  for (let iteration = 0; iteration < (options.iterations ?? 50); iteration++) {
    // B = sign(V R); then R = polar(Vᵀ B) minimises ‖B − V R‖ over rotations.
    const vtb = new Float64Array(bits * bits);
    loss = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < bits; k++) {
        let z = 0;
        for (let a = 0; a < bits; a++) z += v[i * bits + a] * r[a * bits + k];
        const b = z >= 0 ? 1 : -1;
        loss += (b - z) ** 2;
        for (let a = 0; a < bits; a++) vtb[a * bits + k] += v[i * bits + a] * b;
      }
    }
    r = polarFactor(vtb, bits);
  }
  const weights = new Float32Array(d * bits);
  for (let j = 0; j < d; j++)
    for (let k = 0; k < bits; k++) {
      let s = 0;
      for (let a = 0; a < bits; a++) s += components[j * bits + a] * r[a * bits + k];
      weights[j * bits + k] = s;
    }
  const bias = new Float32Array(bits);
  for (let k = 0; k < bits; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) s -= mean[j] * weights[j * bits + k];
    bias[k] = s;
  }
  return { weights, bias, inputDim: d, bits, loss: loss / n };
}

/**
 * descriptor [N, D] → logits [N, K] = descriptor · W + b, as an ONNX model. With `float16Weights`, W is
 * stored as float16 and cast to float32 when the session loads (half the file; the head is committed).
 */
export function linearHeadToOnnx(
  head: LinearHead,
  metadata: Record<string, string> = {},
  options: { float16Weights?: boolean } = {},
): Uint8Array {
  const g = new GraphBuilder('hashing_head');
  g.input('descriptor', 'float32', ['batch', head.inputDim]);
  if (options.float16Weights) {
    g.initializer('W16', toFloat16Bits(head.weights), [head.inputDim, head.bits]);
    g.node('Cast', ['W16'], ['W'], { to: 1 });
  } else {
    g.initializer('W', head.weights, [head.inputDim, head.bits]);
  }
  g.initializer('b', head.bias, [head.bits]);
  g.node('Gemm', ['descriptor', 'W', 'b'], ['logits']);
  g.output('logits', 'float32', ['batch', head.bits]);
  return g.toBytes({ opset: 17, metadata });
}

/**
 * Write a float32 linear head into `dir` and record it in the manifest, reading the backbone's `descriptor`
 * and emitting `logits` (the encoder's head interface).
 */
export function installLinearHead(
  dir: string,
  id: string,
  head: LinearHead,
  entry: { version: string; kind: string; backboneVersion: string },
  options: { makeDefault?: boolean } = {},
): HeadEntry {
  return installHead(
    dir,
    id,
    linearHeadToOnnx(head),
    { ...entry, bits: head.bits, input: { name: 'descriptor', dim: head.inputDim }, output: { name: 'logits' } },
    options,
  );
}
