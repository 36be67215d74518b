import { describe, expect, it } from 'vitest';
import { difference, differenceText } from './difference.js';

const rgba = (...pixels: [number, number, number][]) => new Uint8ClampedArray(pixels.flatMap((p) => [...p, 255]));

describe('the difference overlay', () => {
  it('is black where the pictures agree and bright where they differ, and says how much differs', () => {
    const a = rgba([10, 10, 10], [200, 100, 50], [0, 0, 0], [120, 120, 120]);
    const b = rgba([12, 9, 10], [200, 100, 50], [255, 0, 0], [120, 160, 120]);
    const d = difference(a, b);
    expect([...d.pixels]).toEqual([8, 4, 0, 255, 0, 0, 0, 255, 255, 0, 0, 255, 0, 160, 0, 255]);
    expect(d.differing).toBe(0.5); // noise of 2 levels does not count; 255 and 40 do
    expect(differenceText(d.differing)).toBe('50 % of the picture differs (bright in the overlay).');
    expect(differenceText(0)).toMatch(/^No visible difference/);
    expect(differenceText(0.004)).toBe('0.4 % of the picture differs (bright in the overlay).');
    expect(() => difference(a, rgba([0, 0, 0]))).toThrow(RangeError);
  });
});
