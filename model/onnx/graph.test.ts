import { describe, expect, it } from 'vitest';
import { openSession } from '../encoder.js';
import { GraphBuilder, toFloat16Bits } from './graph.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function randomArray(n: number, rand: () => number): Float32Array {
  return Float32Array.from({ length: n }, rand);
}

/** y = relu(x·W + b) * 0.5 via Gemm(alpha = 1 as a forced float) and Mul. */
function denseGraph(w: Float32Array, b: Float32Array, inDim: number, outDim: number): GraphBuilder {
  const g = new GraphBuilder('dense');
  const x = g.input('x', 'float32', ['batch', inDim]);
  g.initializer('w', w, [inDim, outDim]);
  g.initializer('b', b, [outDim]);
  g.initializer('half', new Float32Array([0.5]), []);
  g.node('Gemm', [x, 'w', 'b'], ['z'], { alpha: { f: 1 }, beta: { f: 1 }, transB: 0 });
  g.node('Relu', ['z'], ['r']);
  g.node('Mul', ['r', 'half'], ['y']);
  g.output('y', 'float32', ['batch', outDim]);
  return g;
}

describe('GraphBuilder', () => {
  it('writes a model that onnxruntime runs and that matches a reference computation', async () => {
    const rand = seeded(1);
    const [n, inDim, outDim] = [3, 5, 4];
    const w = randomArray(inDim * outDim, rand);
    const b = randomArray(outDim, rand);
    const x = randomArray(n * inDim, rand);
    const session = await openSession(denseGraph(w, b, inDim, outDim).toBytes({ metadata: { bits: '4' } }));
    try {
      const { y } = await session.run({ x: { data: x, dims: [n, inDim] } });
      expect(y.dims).toEqual([n, outDim]);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < outDim; j++) {
          let z = b[j];
          for (let k = 0; k < inDim; k++) z += x[i * inDim + k] * w[k * outDim + j];
          expect(y.data[i * outDim + j]).toBeCloseTo(Math.max(0, z) * 0.5, 5);
        }
      }
    } finally {
      await session.release();
    }
  });

  it('serialises deterministically, independent of metadata insertion order', () => {
    const rand = seeded(2);
    const w = randomArray(6, rand);
    const b = randomArray(3, rand);
    const a = denseGraph(w, b, 2, 3).toBytes({ metadata: { a: '1', b: '2' } });
    const c = denseGraph(w, b, 2, 3).toBytes({ metadata: { b: '2', a: '1' } });
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(true);
    const d = denseGraph(w, b, 2, 3).toBytes({ metadata: { a: '1', b: '3' } });
    expect(Buffer.from(a).equals(Buffer.from(d))).toBe(false);
  });

  it('writes int lists, negative ints, int64 initializers, strings and tensor attributes correctly', async () => {
    const g = new GraphBuilder('shapes');
    g.input('x', 'float32', [2, 3, 4]);
    g.initializer('shape', new BigInt64Array([2n, -1n]), [2]);
    g.node('Transpose', ['x'], ['t'], { perm: [0, 2, 1] });
    g.node('Reshape', ['t', 'shape'], ['flat']);
    g.output('flat', 'float32', [2, 12]);
    const x = Float32Array.from({ length: 24 }, (_, i) => i);
    const reshaped = await openSession(g.toBytes());
    try {
      const { flat } = await reshaped.run({ x: { data: x, dims: [2, 3, 4] } });
      expect(flat.dims).toEqual([2, 12]);
      // flat[b, k*3 + j] = x[b, j, k]
      expect(flat.data[1]).toBe(4);
      expect(flat.data[12 + 3]).toBe(12 + 1);
    } finally {
      await reshaped.release();
    }
    // A second graph checks ConstantOfShape's tensor attribute and Pad's string `mode`.
    const g2 = new GraphBuilder('fill');
    g2.input('x', 'float32', [1, 2]);
    g2.initializer('pads', new BigInt64Array([0n, 1n, 0n, 1n]), [4]);
    g2.initializer('fillShape', new BigInt64Array([1n, 4n]), [2]);
    g2.node('Pad', ['x', 'pads'], ['p'], { mode: 'edge' });
    g2.node('ConstantOfShape', ['fillShape'], ['c'], {
      value: { tensor: { dtype: 'float32', data: new Float32Array([0.25]), dims: [1] } },
    });
    g2.node('Add', ['p', 'c'], ['y']);
    g2.node('Softmax', ['y'], ['sm'], { axis: -1 });
    g2.output('y', 'float32', [1, 4]);
    g2.output('sm', 'float32', [1, 4]);
    const session = await openSession(g2.toBytes({ opset: 18 }));
    try {
      const out = await session.run({ x: { data: new Float32Array([1, 2]), dims: [1, 2] } });
      expect(Array.from(out.y.data)).toEqual([1.25, 1.25, 2.25, 2.25]);
      const total = out.sm.data.reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(1, 5);
    } finally {
      await session.release();
    }
  });

  it('rejects malformed graphs early', () => {
    const g = new GraphBuilder('bad');
    g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(/twice/);
    expect(() => g.initializer('w', new Float32Array(3), [2, 2])).toThrow(/do not fill/);
    g.output('nowhere', 'float32', [1]);
    expect(() => g.toBytes()).toThrow(/produced by no node/);
    expect(() => new GraphBuilder('x').toBytes({ opset: 13 })).toThrow(/opset/);
    expect(() => g.node('Mul', ['x', 'x'], ['y'], { bad: { i: 1.5 } })).toThrow(/integer/);
    expect(() => g.node('Mul', ['x', 'x'], ['y'], { bad: undefined as never })).toThrow(/unsupported value/);
  });

  it('converts float32 to float16 bits with round-to-nearest-even, and onnxruntime reads them back', async () => {
    const values = [1, -2, 0.1, 65504, 1e6, 6.103515625e-5, 5.960464477539063e-8, 1e-9, 1 + 2 ** -11, 1 + 3 * 2 ** -11];
    const bits = toFloat16Bits(values);
    expect(Array.from(bits.slice(0, 8))).toEqual([0x3c00, 0xc000, 0x2e66, 0x7bff, 0x7c00, 0x0400, 0x0001, 0x0000]);
    expect(bits[8]).toBe(0x3c00); // tie → even mantissa
    expect(bits[9]).toBe(0x3c02); // tie → even mantissa (up)
    const g = new GraphBuilder('half');
    g.input('x', 'float32', [1]);
    g.initializer('h', toFloat16Bits([0.1, -3.14159, 1000.5]), [3]);
    g.node('Cast', ['h'], ['f'], { to: 1 });
    g.node('Add', ['f', 'x'], ['y']);
    g.output('y', 'float32', [3]);
    const session = await openSession(g.toBytes());
    try {
      const { y } = await session.run({ x: { data: new Float32Array([0]), dims: [1] } });
      expect(y.data[0]).toBeCloseTo(0.0999755859375, 10);
      expect(y.data[1]).toBeCloseTo(-3.140625, 10);
      expect(y.data[2]).toBe(1000.5);
    } finally {
      await session.release();
    }
  });
});
