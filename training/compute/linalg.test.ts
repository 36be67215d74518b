import { describe, expect, it } from 'vitest';
import { orthogonalPolarFactor, orthonormaliseColumns, symmetricEigen } from './linalg.js';
import { createRandom } from './rng.js';

const random = createRandom(4);

function multiply(a: ArrayLike<number>, b: ArrayLike<number>, n: number, transposeA = false): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += (transposeA ? a[r * n + i]! : a[i * n + r]!) * b[r * n + j]!;
      out[i * n + j] = s;
    }
  return out;
}

describe('symmetricEigen', () => {
  it('satisfies A v = λ v', () => {
    const n = 6;
    const m = Float64Array.from({ length: n * n }, () => random.gaussian());
    const a = multiply(m, m, n, true);
    const { values, vectors } = symmetricEigen(a, n);
    for (let e = 0; e < n; e++)
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j]! * vectors[j * n + e]!;
        expect(av).toBeCloseTo(values[e]! * vectors[i * n + e]!, 8);
      }
  });
});

describe('orthogonalPolarFactor', () => {
  it('is orthogonal and recovers a rotation from a rotation times a positive-definite stretch', () => {
    const n = 5;
    const q = Float64Array.from({ length: n * n }, () => random.gaussian());
    orthonormaliseColumns(q, n, n);
    const m = Float64Array.from({ length: n * n }, () => random.gaussian());
    const spd = multiply(m, m, n, true);
    for (let i = 0; i < n; i++) spd[i * n + i]! += 1;
    const r = orthogonalPolarFactor(multiply(q, spd, n), n);
    const rtr = multiply(r, r, n, true);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(rtr[i * n + j]!).toBeCloseTo(i === j ? 1 : 0, 8);
    for (let i = 0; i < n * n; i++) expect(r[i]!).toBeCloseTo(q[i]!, 6);
  });
});
