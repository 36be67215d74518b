import { describe, expect, it } from 'vitest';
import { CLOSE_RADIUS_64, LOOSE_RADIUS_64, resolveThreshold, VERY_CLOSE_RADIUS_64 } from './presets.js';

describe('resolveThreshold', () => {
  it('maps presets to radii, ordered from strict to loose, scaled by code length', () => {
    expect(resolveThreshold('exact', 64)).toEqual({ name: 'exact', radius: null });
    expect(resolveThreshold('very-close', 64).radius).toBe(VERY_CLOSE_RADIUS_64);
    expect(resolveThreshold(undefined, 64)).toEqual({ name: 'close', radius: CLOSE_RADIUS_64 });
    expect(resolveThreshold('loose', 64).radius).toBe(LOOSE_RADIUS_64);
    expect(VERY_CLOSE_RADIUS_64 < CLOSE_RADIUS_64 && CLOSE_RADIUS_64 < LOOSE_RADIUS_64).toBe(true);
    expect(resolveThreshold('loose', 128).radius).toBe(2 * LOOSE_RADIUS_64);
  });

  it('accepts a custom radius as a number or numeric string and refuses anything else', () => {
    expect(resolveThreshold(7, 64)).toEqual({ name: 'custom', radius: 7 });
    expect(resolveThreshold(' 3 ', 64)).toEqual({ name: 'custom', radius: 3 });
    for (const bad of [-1, 65, 2.5, 'closer', '', '1e2']) expect(() => resolveThreshold(bad, 64)).toThrow(/threshold/);
  });
});
