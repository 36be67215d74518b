import { describe, expect, it } from 'vitest';
import {
  calibratePresets,
  calibrateVerifiedPresets,
  CLOSE_RADIUS_64,
  LOOSE_RADIUS_64,
  resolveThreshold,
  type RuleSweepPoint,
  VERY_CLOSE_RADIUS_64,
} from './presets.js';

describe('resolveThreshold', () => {
  it('maps presets to radii, ordered from strict to loose, scaled by code length', () => {
    expect(resolveThreshold('exact', 64)).toEqual({ name: 'exact', radius: null, minCosine: null, pixels: null });
    expect(resolveThreshold('very-close', 64).radius).toBe(VERY_CLOSE_RADIUS_64);
    expect(resolveThreshold(undefined, 64)).toEqual({
      name: 'close',
      radius: CLOSE_RADIUS_64,
      minCosine: null,
      pixels: null,
    });
    expect(resolveThreshold('loose', 64).radius).toBe(LOOSE_RADIUS_64);
    expect(VERY_CLOSE_RADIUS_64 < CLOSE_RADIUS_64 && CLOSE_RADIUS_64 < LOOSE_RADIUS_64).toBe(true);
    expect(resolveThreshold('loose', 128).radius).toBe(2 * LOOSE_RADIUS_64);
  });

  it('accepts a custom radius as a number or numeric string and refuses anything else', () => {
    expect(resolveThreshold(7, 64)).toEqual({ name: 'custom', radius: 7, minCosine: null, pixels: null });
    expect(resolveThreshold(' 3 ', 64)).toEqual({ name: 'custom', radius: 3, minCosine: null, pixels: null });
    for (const bad of [-1, 65, 2.5, 'closer', '', '1e2']) expect(() => resolveThreshold(bad, 64)).toThrow(/threshold/);
  });
});

describe('calibrated presets', () => {
  it('uses the head’s measured radii (a manifest’s plain numbers) for codes of its length, and the fallback otherwise', () => {
    const calibrated = { bits: 64, rules: { 'very-close': 1, close: 4, loose: 9 } };
    expect(resolveThreshold('close', 64, calibrated)).toEqual({
      name: 'close',
      radius: 4,
      minCosine: null,
      pixels: null,
    });
    expect(resolveThreshold('very-close', 64, calibrated).radius).toBe(1);
    expect(resolveThreshold('close', 32, calibrated).radius).toBe(Math.round(CLOSE_RADIUS_64 / 2));
    expect(resolveThreshold(7, 64, calibrated).radius).toBe(7);
  });

  it('resolves verified rules {radius, minCosine, pixels}; a custom threshold and exact stay without either', () => {
    const pixels = { minCoverage: 0.58, minCorrelation: 0.88, sureCorrelation: 0.95, maxLocalShift: 1 };
    const calibrated = {
      bits: 64,
      rules: {
        'very-close': { radius: 8, minCosine: 0.985 },
        close: { radius: 13, minCosine: 0.875, pixels },
        loose: { radius: 19, minCosine: null },
      },
    };
    expect(resolveThreshold('very-close', 64, calibrated)).toEqual({
      name: 'very-close',
      radius: 8,
      minCosine: 0.985,
      pixels: null,
    });
    expect(resolveThreshold(undefined, 64, calibrated)).toEqual({
      name: 'close',
      radius: 13,
      minCosine: 0.875,
      pixels,
    });
    expect(resolveThreshold('loose', 64, calibrated)).toEqual({
      name: 'loose',
      radius: 19,
      minCosine: null,
      pixels: null,
    });
    expect(resolveThreshold('7', 64, calibrated)).toEqual({ name: 'custom', radius: 7, minCosine: null, pixels: null });
    expect(resolveThreshold('exact', 64, calibrated)).toEqual({
      name: 'exact',
      radius: null,
      minCosine: null,
      pixels: null,
    });
    // Rules measured on 64-bit codes do not apply to 128-bit ones: the fallback radii, without a cosine.
    expect(resolveThreshold('close', 128, calibrated)).toEqual({
      name: 'close',
      radius: 2 * CLOSE_RADIUS_64,
      minCosine: null,
      pixels: null,
    });
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

  it('derives nested verified rules from a (radius, minimum cosine) sweep', () => {
    const point = (radius: number, minCosine: number, precision: number, recall: number): RuleSweepPoint => ({
      radius,
      minCosine,
      precision,
      recall,
      f1: (2 * precision * recall) / (precision + recall),
    });
    const grid = [
      point(2, 0.99, 1, 0.2),
      point(2, 0.9, 0.97, 0.3),
      point(4, 0.99, 0.99, 0.4), // the best F1 among rules within 0.02 of the top precision: very close
      point(4, 0.9, 0.9, 0.859), // F1 0.8790, within 0.001 of the best, at the smallest such radius: close
      point(6, 0.9, 0.9, 0.86), // F1 0.8796, the grid's best, at a larger radius
      point(6, 0.8, 0.8, 0.96), // recall ≥ 0.95 and at least as wide as close: loose
      point(8, 0.8, 0.7, 0.97), // recall ≥ 0.95 too, with a lower F1
      point(8, 0.95, 0.8, 0.97), // recall ≥ 0.95 and a higher F1 than loose's, but stricter in cosine than close
    ];
    expect(calibrateVerifiedPresets(grid)).toEqual({
      'very-close': { radius: 4, minCosine: 0.99 },
      close: { radius: 4, minCosine: 0.9 },
      loose: { radius: 6, minCosine: 0.8 },
    });
    // Without a rule reaching recall 0.95, loose is the widest-reaching rule around close.
    const short = grid.filter((p) => p.recall < 0.95).concat(point(8, 0.7, 0.5, 0.93), point(8, 0.95, 0.6, 0.94));
    expect(calibrateVerifiedPresets(short).loose).toEqual({ radius: 8, minCosine: 0.7 });
    // Rules past the widest candidate radius are never chosen, however good their F1.
    const far = grid.concat(point(30, 0.9, 0.95, 0.95));
    expect(calibrateVerifiedPresets(far, 8)).toEqual(calibrateVerifiedPresets(grid, 8));
    expect(calibrateVerifiedPresets(far, 30).close).toEqual({ radius: 30, minCosine: 0.9 });
  });
});
