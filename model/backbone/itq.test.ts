import { describe, expect, it } from 'vitest';
import { openSession } from '../encoder.js';
import { fitItq, linearHeadToOnnx, principalComponents, symmetricEigen } from './itq.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** n points in d dims: `clusters` well-separated centres in a random low-dimensional subspace, plus noise. */
function clusteredData(
  n: number,
  d: number,
  clusters: number,
  seed: number,
): { rows: Float32Array; label: Int32Array } {
  const rand = seeded(seed);
  const centres = Array.from({ length: clusters }, () => Float64Array.from({ length: d }, () => rand() * 4));
  const rows = new Float32Array(n * d);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    label[i] = i % clusters;
    for (let j = 0; j < d; j++) rows[i * d + j] = centres[label[i]][j] + rand() * 0.3;
  }
  return { rows, label };
}

describe('symmetricEigen', () => {
  it('satisfies A·v = λ·v with orthonormal vectors, eigenvalues descending', () => {
    const n = 6;
    const rand = seeded(3);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rand();
    const { values, vectors } = symmetricEigen(a, n);
    for (let e = 0; e < n; e++) {
      if (e > 0) expect(values[e]).toBeLessThanOrEqual(values[e - 1]);
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[j * n + e];
        expect(av).toBeCloseTo(values[e] * vectors[i * n + e], 9);
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += vectors[i * n + e] ** 2;
      expect(norm).toBeCloseTo(1, 9);
    }
  });
});

describe('principalComponents', () => {
  it('finds planted high-variance directions', async () => {
    const [n, d] = [400, 12];
    const rand = seeded(5);
    const rows = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) rows[i * d + j] = rand() * 0.1;
      rows[i * d + 3] += rand() * 10; // largest variance along axis 3
      rows[i * d + 7] += rand() * 5; // then axis 7
    }
    const { components } = await principalComponents(rows, n, d, 2);
    expect(Math.abs(components[3 * 2 + 0])).toBeGreaterThan(0.99);
    expect(Math.abs(components[7 * 2 + 1])).toBeGreaterThan(0.99);
  });
});

describe('fitItq', () => {
  it('gives items of one cluster the same code and different clusters different codes', async () => {
    const [n, d, bits] = [320, 24, 8];
    const { rows, label } = clusteredData(n, d, 4, 9);
    const head = await fitItq(rows, n, d, bits, { seed: 2 });
    const codes = Array.from({ length: n }, (_, i) => {
      let code = 0;
      for (let k = 0; k < bits; k++) {
        let z = head.bias[k];
        for (let j = 0; j < d; j++) z += rows[i * d + j] * head.weights[j * bits + k];
        if (z > 0) code |= 1 << k;
      }
      return code;
    });
    const hamming = (a: number, b: number) => {
      let x = a ^ b;
      let c = 0;
      for (; x; x &= x - 1) c++;
      return c;
    };
    let within = 0;
    let across = 0;
    let [nw, na] = [0, 0];
    for (let i = 0; i < n; i += 7)
      for (let j = i + 1; j < n; j += 5) {
        if (label[i] === label[j]) [within, nw] = [within + hamming(codes[i], codes[j]), nw + 1];
        else [across, na] = [across + hamming(codes[i], codes[j]), na + 1];
      }
    expect(within / nw).toBeLessThan(1);
    expect(across / na).toBeGreaterThan(2);
  });

  it('lowers the quantisation loss below an unrotated PCA, and is deterministic', async () => {
    const [n, d, bits] = [300, 20, 8];
    const { rows } = clusteredData(n, d, 6, 11);
    const pcaOnly = await fitItq(rows, n, d, bits, { iterations: 1, seed: 4 });
    const itq = await fitItq(rows, n, d, bits, { iterations: 40, seed: 4 });
    expect(itq.loss).toBeLessThan(pcaOnly.loss);
    expect(Array.from((await fitItq(rows, n, d, bits, { iterations: 40, seed: 4 })).weights)).toEqual(
      Array.from(itq.weights),
    );
  });

  it('its ONNX head computes descriptor·W + b', async () => {
    const [n, d, bits] = [64, 10, 4];
    const { rows } = clusteredData(n, d, 2, 13);
    const head = await fitItq(rows, n, d, bits);
    for (const [float16Weights, digits] of [
      [false, 4],
      [true, 1],
    ] as const) {
      const session = await openSession(linearHeadToOnnx(head, {}, { float16Weights }));
      try {
        const { logits } = await session.run({ descriptor: { data: rows, dims: [n, d] } });
        for (let i = 0; i < n; i += 9)
          for (let k = 0; k < bits; k++) {
            let z = head.bias[k];
            for (let j = 0; j < d; j++) z += rows[i * d + j] * head.weights[j * bits + k];
            expect(logits.data[i * bits + k]).toBeCloseTo(z, digits);
          }
      } finally {
        await session.release();
      }
    }
  });
});
