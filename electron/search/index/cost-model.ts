/**
 * When to probe the multi-index tables and when to scan every code: a cost model in nanoseconds.
 *
 * The defaults were fitted by `npm run bench:search` (it prints the fitted constants) at N = 1M on the
 * development machine, a 2-core VM shared with other jobs; pass a `costModel` to the index (e.g. from
 * `fitCostModel` on your own measurements) to refine them. The index also stops a multi-index search
 * that runs over the linear budget (clustered data can fill buckets far beyond the uniform estimate)
 * and finishes it by scanning, so a poor estimate costs at most about one extra scan.
 */
import { probesWithin, probeRadii, type Substring } from './mih.js';

export interface CostModel {
  /** Scanning one code with the WebAssembly kernels (distance, then selection of the hits). */
  scanNsPerCode: number;
  /** Enumerating one probe key and looking up its bucket. */
  probeNs: number;
  /** Verifying one candidate slot (stamp check + full-code distance). */
  verifyNs: number;
  /** Fixed overhead of one linear scan (call, result copy). */
  scanFixedNs: number;
}

// Fitted by tests/bench/search.ts at N = 1M (04:42 UTC run, under contention). probeNs is dominated by
// cache misses on the 16 MB direct-addressed tables at that size; it is far lower for small tables.
export const DEFAULT_COST_MODEL: CostModel = {
  scanNsPerCode: 0.75,
  probeNs: 170,
  verifyNs: 22,
  scanFixedNs: 5_000,
};

export function linearScanCost(model: CostModel, slotCount: number): number {
  return model.scanFixedNs + slotCount * model.scanNsPerCode;
}

/** Expected multi-index cost of a radius search, assuming codes spread uniformly over each substring's keys. */
export function multiIndexRadiusCost(
  model: CostModel,
  substrings: readonly Substring[],
  radius: number,
  queryCount: number,
  liveCount: number,
): number {
  const radii = probeRadii(radius, substrings.length);
  let probes = 0;
  let candidates = 0;
  substrings.forEach((sub, j) => {
    if (radii[j] < 0) return;
    const p = probesWithin(sub.length, radii[j]);
    probes += p;
    candidates += (p * liveCount) / 2 ** sub.length;
  });
  return queryCount * (probes * model.probeNs + candidates * model.verifyNs);
}

/** A cost model from measured constants (ns); missing or non-positive ones keep the defaults. */
export function fitCostModel(samples: {
  scanNsPerCode: number;
  probeNs: number;
  verifyNs: number;
  scanFixedNs?: number;
}): CostModel {
  const positive = (v: number, fallback: number) => (Number.isFinite(v) && v > 0 ? v : fallback);
  return {
    scanNsPerCode: positive(samples.scanNsPerCode, DEFAULT_COST_MODEL.scanNsPerCode),
    probeNs: positive(samples.probeNs, DEFAULT_COST_MODEL.probeNs),
    verifyNs: positive(samples.verifyNs, DEFAULT_COST_MODEL.verifyNs),
    scanFixedNs: positive(samples.scanFixedNs ?? NaN, DEFAULT_COST_MODEL.scanFixedNs),
  };
}

/** Smallest radius whose ball holds k of n uniformly random `bits`-bit codes on average. */
export function uniformKnnRadius(bits: number, n: number, k: number): number {
  let ball = 0;
  let binomial = 1;
  for (let r = 0; r <= bits; r++) {
    ball += binomial;
    if ((n * ball) / 2 ** bits >= k) return r;
    binomial = (binomial * (bits - r)) / (r + 1);
  }
  return bits;
}
