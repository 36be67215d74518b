import { describe, expect, it } from 'vitest';
import {
  calibratePresets,
  CLOSE_RADIUS_64,
  LOOSE_RADIUS_64,
  resolveThreshold,
  VERY_CLOSE_RADIUS_64,
} from './presets.js';

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

describe('calibrated presets', () => {
  it('uses the head’s measured radii for codes of its length, and the fallback otherwise', () => {
    const calibrated = { bits: 64, radii: { 'very-close': 1, close: 4, loose: 9 } };
    expect(resolveThreshold('close', 64, calibrated).radius).toBe(4);
    expect(resolveThreshold('very-close', 64, calibrated).radius).toBe(1);
    expect(resolveThreshold('close', 32, calibrated).radius).toBe(Math.round(CLOSE_RADIUS_64 / 2));
    expect(resolveThreshold(7, 64, calibrated).radius).toBe(7);
  });

  it('derives very-close, close and loose from a precision/recall sweep', () => {
    const point = (threshold: number, precision: number, recall: number) => ({
      threshold,
      precision,
      recall,
      f1: (2 * precision * recall) / (precision + recall),
    });
    const sweep = [
      point(0, 0.99, 0.3),
      point(1, 0.99, 0.5),
      point(2, 0.98, 0.7),
      point(3, 0.9, 0.85),
      point(4, 0.95, 0.9),
      point(5, 0.7, 0.93),
      point(6, 0.5, 0.96),
      point(7, 0.3, 0.99),
    ];
    // Best F1 at 4; the largest radius below it within 0.02 of the top precision is 2; recall ≥ 0.95 first at 6.
    expect(calibratePresets(sweep)).toEqual({ 'very-close': 2, close: 4, loose: 6 });
  });
});
