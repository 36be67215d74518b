import { describe, expect, it } from 'vitest';
import { verdictKey } from './pairs.js';

describe('verdict keys', () => {
  it('are one per pair: the same either way round when upright, apart when turned or other photos', () => {
    const key = (id: number, orientation: number, other: number) => verdictKey({ id, orientation, other });
    expect(key(3, 1, 7)).toBe(key(7, 1, 3));
    expect(key(3, 9, 7)).toBe(key(3, 1, 7)); // the greyscale variant compares upright
    expect(key(3, 6, 7)).not.toBe(key(7, 6, 3)); // a turned photo comes first
    expect(key(3, 6, 7)).not.toBe(key(3, 1, 7));
    const keys = new Set<number | string>();
    for (let a = 0; a < 40; a++) for (let b = a + 1; b < 40; b++) for (const o of [1, 2, 6, 8]) keys.add(key(a, o, b));
    expect(keys.size).toBe(((40 * 39) / 2) * 4);
  });

  it('are numbers for ids below 2^24 (less memory for millions of pairs) and strings past them', () => {
    expect(typeof verdictKey({ id: 2 ** 24 - 1, orientation: 8, other: 2 ** 24 - 2 })).toBe('number');
    expect(Number.isSafeInteger(verdictKey({ id: 2 ** 24 - 1, orientation: 8, other: 2 ** 24 - 2 }))).toBe(true);
    expect(verdictKey({ id: 2 ** 24, orientation: 1, other: 5 })).toBe(
      verdictKey({ id: 5, orientation: 1, other: 2 ** 24 }),
    );
    expect(typeof verdictKey({ id: 2 ** 24, orientation: 1, other: 5 })).toBe('string');
  });
});
