import { describe, expect, it } from 'vitest';
import { resampleGrey } from './grey-resample.js';

describe('resampleGrey', () => {
  it('averages the cells each output pixel covers', () => {
    const plane = { width: 4, height: 2, data: Float32Array.from([0, 2, 4, 6, 8, 10, 12, 14]) };
    const half = resampleGrey(plane, 2, 1);
    expect([...half.data]).toEqual([5, 9]);
    const third = resampleGrey({ width: 3, height: 1, data: Float32Array.from([0, 3, 6]) }, 2, 1);
    // Output 0 covers input [0, 1.5): 1 × 0 + 0.5 × 3, over 1.5.
    expect(third.data[0]).toBeCloseTo(1, 5);
    expect(third.data[1]).toBeCloseTo(5, 5);
  });
});
