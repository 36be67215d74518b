import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDotWasmModule, RectangleDot } from './wasm-dot.js';

const plane = (width: number, height: number, values: number[]) => ({
  width,
  height,
  data: Float32Array.from({ length: width * height }, (_, i) => values[i % values.length]),
});

describe('the WebAssembly rectangle dot product', () => {
  it('is a valid module and runs here (Node has WebAssembly SIMD)', () => {
    expect(WebAssembly.validate(buildDotWasmModule() as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(new RectangleDot().wasm).toBe(true);
  });

  it('sums what the JS loop sums, to 1e-12 of the sum, at every placement of B over A', () => {
    const [wasm, js] = [new RectangleDot(), new RectangleDot(false)];
    expect(js.wasm).toBe(false);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 44 }),
        fc.integer({ min: 1, max: 44 }),
        fc.array(fc.float({ min: 0, max: 255, noNaN: true }), { minLength: 7, maxLength: 50 }),
        fc.integer({ min: 0, max: 10_000 }),
        (aw, ah, bw, bh, values, at) => {
          const a = plane(aw, ah, values);
          const b = plane(bw, bh, values.slice().reverse());
          for (const k of [wasm, js]) {
            k.setA(a);
            k.setB(b);
          }
          // A placement of B's top-left in A (every overlap has at least one cell).
          const dx = (at % (aw + bw - 1)) - bw + 1;
          const dy = (Math.floor(at / 97) % (ah + bh - 1)) - bh + 1;
          const [x0, x1] = [Math.max(0, dx), Math.min(aw, dx + bw)];
          const [y0, y1] = [Math.max(0, dy), Math.min(ah, dy + bh)];
          const expected = js.sum(x0, y0, x1, y1, dx, dy);
          let direct = 0;
          for (let y = y0; y < y1; y++)
            for (let x = x0; x < x1; x++) direct += a.data[y * aw + x] * b.data[(y - dy) * bw + (x - dx)];
          expect(expected).toBe(direct);
          expect(Math.abs(wasm.sum(x0, y0, x1, y1, dx, dy) - expected)).toBeLessThanOrEqual(
            1e-12 * Math.abs(expected) + 1e-9,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('takes planes larger than its first memory, and refuses an A it has no room for', () => {
    const dot = new RectangleDot();
    const b = plane(200, 200, [1, 2, 3]);
    dot.setA(plane(4, 4, [2]));
    dot.setB(b);
    // Rows of B start at 0, 200, 400, 600: [1 2 3 1], [3 1 2 3], [2 3 1 2], [1 2 3 1].
    expect(dot.sum(0, 0, 4, 4, 0, 0)).toBe(2 * (7 + 9 + 8 + 7));
    expect(dot.sum(0, 0, 2, 1, -198, -199)).toBe(2 * (b.data[199 * 200 + 198] + b.data[199 * 200 + 199]));
    expect(() => dot.setA(plane(100, 100, [1]))).toThrow(RangeError);
  });
});
