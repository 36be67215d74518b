import { describe, expect, it } from 'vitest';
import { EmbeddingTable, embeddingCosine, passesVerification, quantizeEmbedding } from './embedding.js';

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return dot / Math.sqrt(aa * bb);
};

describe('duplicate embeddings', () => {
  it('quantise the L2-normalised logits to int8 (round(v · 127)) whatever their scale', () => {
    expect([...quantizeEmbedding([3, -4])]).toEqual([76, -102]); // (0.6, −0.8) · 127
    expect([...quantizeEmbedding([300, -400])]).toEqual([76, -102]);
    expect([...quantizeEmbedding([0, 0, 0])]).toEqual([0, 0, 0]);
  });

  it('keep the cosine of the real-valued logits to within 0.01', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    for (let trial = 0; trial < 50; trial++) {
      const a = Float32Array.from({ length: 64 }, random);
      const b = a.map((v) => v + 0.7 * random());
      expect(embeddingCosine(quantizeEmbedding(a), quantizeEmbedding(b))!).toBeCloseTo(cosine(a, b), 2);
    }
  });

  it('are undefined for a zero vector or different lengths, and verification then falls back to the code', () => {
    const a = quantizeEmbedding([1, 2, 3]);
    const opposite = quantizeEmbedding([-1, -2, -3]);
    expect(embeddingCosine(a, new Int8Array(3))).toBeNull();
    expect(embeddingCosine(a, new Int8Array(4))).toBeNull();
    expect(passesVerification(a, opposite, 0.9)).toBe(false);
    expect(passesVerification(a, a, 0.9)).toBe(true);
    expect(passesVerification(a, opposite, null)).toBe(true); // no minimum: the radius alone decides
    expect(passesVerification(a, null, 0.9)).toBe(true); // a photo stored without an embedding
    expect(passesVerification(undefined, a, 0.9)).toBe(true);
    expect(passesVerification(a, new Int8Array(3), 0.9)).toBe(true);
  });

  it('are looked up by photo id, in any order, photos without one left out', () => {
    const e = (x: number) => Int8Array.of(x, -x);
    const table = EmbeddingTable.fromRows([30, 10, 20, 40], [e(3), e(1), null, e(4)]);
    expect(table.size).toBe(3);
    expect(table.dim).toBe(2);
    expect([...table.get(10)!]).toEqual([1, -1]);
    expect([...table.get(30)!]).toEqual([3, -3]);
    expect([...table.get(40)!]).toEqual([4, -4]);
    expect(table.get(20)).toBeUndefined();
    expect(table.get(25)).toBeUndefined();
  });
});
