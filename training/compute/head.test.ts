import { describe, expect, it } from 'vitest';
import { checkConvStack, featureDim, formatConvLayers, initHead, parseConvLayers, trainableArrays } from './head.js';
import { createRandom } from './rng.js';

describe('parseConvLayers', () => {
  it('reads FxK[p] layers, and a bare number as the 5×5 pooled layer', () => {
    expect(parseConvLayers('32x3,32x3p, 64x5 ,64x3p')).toEqual([
      { filters: 32, kernel: 3, pool: false },
      { filters: 32, kernel: 3, pool: true },
      { filters: 64, kernel: 5, pool: false },
      { filters: 64, kernel: 3, pool: true },
    ]);
    expect(parseConvLayers('16,32')).toEqual([
      { filters: 16, kernel: 5, pool: true },
      { filters: 32, kernel: 5, pool: true },
    ]);
    expect(parseConvLayers('0')).toEqual([]);
    expect(parseConvLayers('')).toEqual([]);
  });

  it('round-trips through formatConvLayers', () => {
    const layers = parseConvLayers('8x3,8x3p,16x1p');
    expect(formatConvLayers(layers)).toBe('8x3,8x3p,16x1p');
    expect(parseConvLayers(formatConvLayers(parseConvLayers('12')))).toEqual(parseConvLayers('12x5p'));
  });

  it('refuses what it cannot read, naming the item', () => {
    expect(() => parseConvLayers('32x3,3y3')).toThrow(/"3y3"/);
    expect(() => parseConvLayers('32x')).toThrow(/"32x"/);
    expect(() => parseConvLayers('x3p')).toThrow(/"x3p"/);
  });
});

describe('conv stack shapes', () => {
  it('checks kernels, filters and even sides before each pool', () => {
    const stack = (spec: string, width = 28, height = 28) => ({ layers: parseConvLayers(spec), width, height });
    expect(() => checkConvStack(stack('32x3,32x3p,64x3,64x3p'))).not.toThrow();
    expect(() => checkConvStack(stack('8x4'))).toThrow(/odd/);
    expect(() => checkConvStack(stack('0x3'))).toThrow(/filters/);
    // 28 → 14 → 7: a third pool needs an even side.
    expect(() => checkConvStack(stack('8x3p,8x3p,8x3p'))).toThrow(/layer 3.*7×7/);
    expect(() => checkConvStack(stack('8x3p', 10, 9))).toThrow(/even/);
    expect(() => checkConvStack(stack(''))).toThrow(/at least one/);
  });

  it('sizes the dense input and the weights from the stack', () => {
    const architecture = {
      inputDim: 28 * 28,
      hiddenDim: 16,
      bits: 12,
      divideAndEncode: false,
      conv: { layers: parseConvLayers('4x3,4x3p,6x5,6x3p'), width: 28, height: 28 },
    };
    expect(featureDim(architecture)).toBe(6 * 7 * 7);
    const head = initHead(architecture, createRandom(1), new Float32Array(784), new Float32Array(784).fill(1));
    expect(head.conv.map((c) => c.weights.length)).toEqual([4 * 1 * 9, 4 * 4 * 9, 6 * 4 * 25, 6 * 6 * 9]);
    expect(head.conv.map((c) => c.bias.length)).toEqual([4, 4, 6, 6]);
    expect(trainableArrays(head).map((a) => a.length)).toEqual([
      36,
      4,
      144,
      4,
      600,
      6,
      324,
      6,
      294 * 16,
      16,
      16 * 12,
      12,
    ]);
  });
});
