/** Small dense linear algebra for the LSH/ITQ baselines (K×K problems; the D-sized products go through ORT). */

/** Eigen-decomposition of a symmetric n×n matrix (row-major) by cyclic Jacobi rotations. Vectors are columns. */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]!), vectors: v };
}

/** Orthonormalises the k columns of a row-major [rows, k] matrix in place (modified Gram–Schmidt). */
export function orthonormaliseColumns(m: Float64Array | Float32Array, rows: number, k: number): void {
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += m[r * k + i]! * m[r * k + j]!;
      for (let r = 0; r < rows; r++) m[r * k + j]! -= dot * m[r * k + i]!;
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += m[r * k + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let r = 0; r < rows; r++) m[r * k + j]! /= norm;
  }
}

/** The orthogonal polar factor of a square n×n matrix M (= U·Vᵀ of its SVD): the nearest rotation. */
export function orthogonalPolarFactor(m: ArrayLike<number>, n: number): Float64Array {
  // MᵀM = V Σ² Vᵀ; U = M V Σ⁻¹; polar factor U Vᵀ = M V Σ⁻¹ Vᵀ.
  const mtm = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += m[r * n + i]! * m[r * n + j]!;
      mtm[i * n + j] = s;
    }
  const { values, vectors } = symmetricEigen(mtm, n);
  const maxValue = Math.max(...values);
  // V Σ⁻¹ Vᵀ (singular directions with vanishing σ are dropped: the factor is then not unique anyway).
  const inverseRoot = new Float64Array(n * n);
  for (let e = 0; e < n; e++) {
    if (values[e]! <= maxValue * 1e-14) continue;
    const scale = 1 / Math.sqrt(values[e]!);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) inverseRoot[i * n + j]! += vectors[i * n + e]! * vectors[j * n + e]! * scale;
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += m[i * n + r]! * inverseRoot[r * n + j]!;
      out[i * n + j] = s;
    }
  return out;
}
