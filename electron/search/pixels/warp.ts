/**
 * Similarity warps between two grey planes, for the pixel alignment (alignment.ts): bilinear sampling, the
 * overlap under a warp, its Gauss–Newton refinement, the overlap's statistics, and the local-shift test (each
 * small tile aligned on its own).
 */
import type { GreyPlane } from '../../../model/image/grey-resample.js';
import { pearsonFromSums } from './correlation.js';
import { RefineSums, SUM_VALUES } from './wasm-refine.js';

/** Below this standard deviation (grey levels 0..255) an overlap has no texture to correlate. */
export const MIN_DEVIATION = 4;

/** Edges of a rectangle as shares of a picture's width and height. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * A similarity transform from A's continuous coordinates (pixel centres at i + 0.5), taken about A's centre,
 * to B's: u = a·x' − b·y' + tx, v = b·x' + a·y' + ty with x' = x − width/2, y' = y − height/2.
 */
export interface Warp {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Bilinear sample of `values` (a plane's layout) at continuous (u, v), clamped to the outer pixel centres. */
export function sample(values: Float32Array, width: number, height: number, u: number, v: number): number {
  const fx = Math.min(Math.max(u - 0.5, 0), width - 1.0001);
  const fy = Math.min(Math.max(v - 0.5, 0), height - 1.0001);
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const wx = fx - x0;
  const wy = fy - y0;
  const i = y0 * width + x0;
  const right = width > 1 ? 1 : 0;
  const down = height > 1 ? width : 0;
  return (
    (1 - wy) * ((1 - wx) * values[i] + wx * values[i + right]) +
    wy * ((1 - wx) * values[i + down] + wx * values[i + down + right])
  );
}

export interface WarpStats {
  count: number;
  /** Overlap pixels inside both pictures' content boxes. */
  contentCount: number;
  correlation: number;
  /** The smaller of the two standard deviations over the overlap (grey levels). */
  deviation: number;
}

/**
 * Every A pixel whose centre the warp puts inside B's rectangle: its index in A, its centre relative to A's
 * centre, and where it lands in B. Kept in arrays that the next call reuses (the refinement's hot loops read
 * them directly, without a callback per pixel).
 */
interface Overlap {
  count: number;
  index: Int32Array;
  xc: Float64Array;
  yc: Float64Array;
  u: Float64Array;
  v: Float64Array;
}

const overlapBuffer: Overlap = {
  count: 0,
  index: new Int32Array(0),
  xc: new Float64Array(0),
  yc: new Float64Array(0),
  u: new Float64Array(0),
  v: new Float64Array(0),
};

export function overlapPixels(a: GreyPlane, b: GreyPlane, warp: Warp): Overlap {
  const o = overlapBuffer;
  const size = a.width * a.height;
  if (o.index.length < size) {
    o.index = new Int32Array(size);
    o.xc = new Float64Array(size);
    o.yc = new Float64Array(size);
    o.u = new Float64Array(size);
    o.v = new Float64Array(size);
  }
  const cx = a.width / 2;
  const cy = a.height / 2;
  const uMax = b.width;
  const vMax = b.height;
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    const yc = y + 0.5 - cy;
    for (let x = 0; x < a.width; x++) {
      const xc = x + 0.5 - cx;
      const u = warp.a * xc - warp.b * yc + warp.tx;
      const v = warp.b * xc + warp.a * yc + warp.ty;
      if (u < 0 || v < 0 || u >= uMax || v >= vMax) continue;
      o.index[n] = y * a.width + x;
      o.xc[n] = xc;
      o.yc[n] = yc;
      o.u[n] = u;
      o.v[n] = v;
      n++;
    }
  }
  o.count = n;
  return o;
}

/** Solves the 6×6 system m·x = r in place (Gaussian elimination with partial pivoting); null if singular. */
function solve6(m: Float64Array, r: Float64Array): Float64Array | null {
  const n = 6;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(m[row * n + col]) > Math.abs(m[pivot * n + col])) pivot = row;
    if (Math.abs(m[pivot * n + col]) < 1e-12) return null;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [m[col * n + k], m[pivot * n + k]] = [m[pivot * n + k], m[col * n + k]];
      [r[col], r[pivot]] = [r[pivot], r[col]];
    }
    for (let row = col + 1; row < n; row++) {
      const f = m[row * n + col] / m[col * n + col];
      for (let k = col; k < n; k++) m[row * n + k] -= f * m[col * n + k];
      r[row] -= f * r[col];
    }
  }
  const x = new Float64Array(n);
  for (let row = n - 1; row >= 0; row--) {
    let sum = r[row];
    for (let k = row + 1; k < n; k++) sum -= m[row * n + k] * x[k];
    x[row] = sum / m[row * n + row];
  }
  return x;
}

/** A refinement step's sums under a warp, gain and bias: SUM_VALUES values, the normal equations' then the overlap's count. */
type StepSums = (warp: Warp, gain: number, bias: number) => Float64Array;

/**
 * Gauss–Newton on A ≈ gain·B(W(x)) + bias over the overlap: refines the warp (scale, tilt, shift) and the
 * photometric gain and bias together. Stops when the shift moves less than 0.02 px, or before a step that
 * leaves less than `minCount` pixels of overlap. A step's sums come from the WebAssembly kernel (wasm-refine.ts)
 * where it runs, else from the JS loop (`jsStepSums`), the same to the bit; `useWasm` false takes the JS loop.
 */
export function refineWarp(
  a: GreyPlane,
  b: GreyPlane,
  start: Warp,
  iterations: number,
  minCount: number,
  useWasm = true,
): Warp {
  const warp = { ...start };
  let gain = 1;
  let bias = 0;
  const jtj = new Float64Array(36);
  const jtr = new Float64Array(6);
  // B's central differences along x and y (what the gradient reads between the outer pixel centres).
  const [dx, dy] = centralDifferences(b);
  const kernel = useWasm ? refineKernel() : null;
  kernel?.load(a, b, dx, dy);
  const sumsOf: StepSums = kernel ? (w, g, o) => kernel.step(w, g, o) : (w, g, o) => jsStepSums(a, b, dx, dy, w, g, o);
  let kept = { ...warp }; // the last warp seen with overlap enough
  for (let it = 0; it < iterations; it++) {
    // The normal equations' 21 distinct sums and the right-hand side (j = [j0..j5], j5 = 1), then the count.
    const sums = sumsOf(warp, gain, bias);
    if (sums[SUM_VALUES - 1] < Math.max(16, minCount)) return kept; // the last step slid off the picture
    kept = { ...warp };
    const [s00, s01, s02, s03, s04, s05, s11, s12, s13, s14, s15] = sums;
    const [s22, s23, s24, s25, s33, s34, s35, s44, s45, s55, r0, r1, r2, r3, r4, r5] = sums.subarray(11);
    // prettier-ignore
    jtj.set([
      s00, s01, s02, s03, s04, s05,
      s01, s11, s12, s13, s14, s15,
      s02, s12, s22, s23, s24, s25,
      s03, s13, s23, s33, s34, s35,
      s04, s14, s24, s34, s44, s45,
      s05, s15, s25, s35, s45, s55,
    ]);
    jtr.set([r0, r1, r2, r3, r4, r5]);
    const step = solve6(jtj, jtr);
    if (!step || step.some((s) => !Number.isFinite(s))) break;
    warp.a += step[0];
    warp.b += step[1];
    warp.tx += step[2];
    warp.ty += step[3];
    gain += step[4];
    bias += step[5];
    if (Math.abs(step[2]) < 0.02 && Math.abs(step[3]) < 0.02) break;
  }
  return warp;
}

let threadKernel: RefineSums | null | undefined;

/** This thread's refinement kernel, made on first use; null where WebAssembly cannot run it. */
function refineKernel(): RefineSums | null {
  if (threadKernel === undefined) threadKernel = RefineSums.create();
  return threadKernel;
}

const jsSums = new Float64Array(SUM_VALUES);

/** A refinement step's sums in JS (wasm-refine.ts's kernel computes the same, operation for operation). */
function jsStepSums(
  a: GreyPlane,
  b: GreyPlane,
  dx: Float32Array,
  dy: Float32Array,
  warp: Warp,
  gain: number,
  bias: number,
): Float64Array {
  const { width, height, data } = b;
  // Inside these bounds the samples at u ± 1 and v ± 1 are not clamped: one set of bilinear weights serves the
  // value and both differences.
  const [uLow, uHigh, vLow, vHigh] = [1.5, width - 1.5001, 1.5, height - 1.5001];
  let [s00, s01, s02, s03, s04, s05, s11, s12, s13, s14, s15] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  let [s22, s23, s24, s25, s33, s34, s35, s44, s45, s55] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  let [r0, r1, r2, r3, r4, r5] = [0, 0, 0, 0, 0, 0];
  const o = overlapPixels(a, b, warp);
  for (let k = 0; k < o.count; k++) {
    const xc = o.xc[k];
    const yc = o.yc[k];
    const u = o.u[k];
    const v = o.v[k];
    let bv: number;
    let gx: number;
    let gy: number;
    if (u >= uLow && u < uHigh && v >= vLow && v < vHigh) {
      const fx = u - 0.5;
      const fy = v - 0.5;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const wx = fx - x0;
      const wy = fy - y0;
      const i = y0 * width + x0;
      const w00 = (1 - wy) * (1 - wx);
      const w01 = (1 - wy) * wx;
      const w10 = wy * (1 - wx);
      const w11 = wy * wx;
      bv = w00 * data[i] + w01 * data[i + 1] + w10 * data[i + width] + w11 * data[i + width + 1];
      gx = (gain * (w00 * dx[i] + w01 * dx[i + 1] + w10 * dx[i + width] + w11 * dx[i + width + 1])) / 2;
      gy = (gain * (w00 * dy[i] + w01 * dy[i + 1] + w10 * dy[i + width] + w11 * dy[i + width + 1])) / 2;
    } else {
      bv = sample(data, width, height, u, v);
      // B's gradient at (u, v) by central differences of bilinear samples.
      gx = (gain * (sample(data, width, height, u + 1, v) - sample(data, width, height, u - 1, v))) / 2;
      gy = (gain * (sample(data, width, height, u, v + 1) - sample(data, width, height, u, v - 1))) / 2;
    }
    const j0 = gx * xc + gy * yc;
    const j1 = gy * xc - gx * yc;
    const residual = a.data[o.index[k]] - (gain * bv + bias);
    s00 += j0 * j0;
    s01 += j0 * j1;
    s02 += j0 * gx;
    s03 += j0 * gy;
    s04 += j0 * bv;
    s05 += j0;
    s11 += j1 * j1;
    s12 += j1 * gx;
    s13 += j1 * gy;
    s14 += j1 * bv;
    s15 += j1;
    s22 += gx * gx;
    s23 += gx * gy;
    s24 += gx * bv;
    s25 += gx;
    s33 += gy * gy;
    s34 += gy * bv;
    s35 += gy;
    s44 += bv * bv;
    s45 += bv;
    s55 += 1;
    r0 += j0 * residual;
    r1 += j1 * residual;
    r2 += gx * residual;
    r3 += gy * residual;
    r4 += bv * residual;
    r5 += residual;
  }
  // prettier-ignore
  jsSums.set([
    s00, s01, s02, s03, s04, s05, s11, s12, s13, s14, s15, s22, s23, s24, s25, s33, s34, s35, s44, s45, s55,
    r0, r1, r2, r3, r4, r5, o.count,
  ]);
  return jsSums;
}

/**
 * A plane's differences between the next and the previous pixel along x and along y (0 on the outer rows and
 * columns, which the refinement's interior path never reads).
 */
function centralDifferences(plane: GreyPlane): [Float32Array, Float32Array] {
  const { width, height, data } = plane;
  const dx = new Float32Array(data.length);
  const dy = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (x > 0 && x < width - 1) dx[i] = data[i + 1] - data[i - 1];
      if (y > 0 && y < height - 1) dy[i] = data[i + width] - data[i - width];
    }
  }
  return [dx, dy];
}

const TILE = 8;
const TILE_REACH = 2;
const TILE_STEP = 0.5;

/**
 * How far the parts of the overlap stray from the global alignment: each 8 × 8 tile of A (long side 64) with
 * texture finds the shift of B (within ±2 px, half-pixel steps) that correlates best there, and the result is
 * the largest distance of a tile's shift from the tiles' median shift, in pixels. A copy moves as one piece
 * (tilts and scales are in the warp already); parallax or a subject that moved between two shots does not.
 *
 * A caller that only compares the result with `limit` gets it exactly where it is at most `limit`; above, the
 * tiles are measured only until the result is sure to exceed `limit` (`strayBeyond`), and a value above `limit`
 * is returned. Most pairs that need the test are two shots of one scene, and a few tiles that moved tell it.
 */
export function localShift(a: GreyPlane, b: GreyPlane, warp: Warp, limit = Infinity): number {
  const shifts: [number, number][] = [];
  const av: number[] = [];
  const uv: number[] = [];
  const tiles = Math.floor(a.width / TILE) * Math.floor(a.height / TILE);
  let measured = 0;
  let apart = 0; // the largest distance between two shifts found
  for (const [tx, ty] of tileOrder(a, b, warp, limit)) {
    // Enough is known once the result must exceed the limit: wherever the median lies, it is at least half the
    // distance between two shifts from one of them; and it can lie only so far among the known ones.
    if (limit < Infinity && shifts.length >= 3) {
      if (apart / 2 > limit) return apart / 2;
      const beyond = strayBeyond(shifts, tiles - measured);
      if (beyond > limit) return beyond;
    }
    measured++;
    av.length = 0;
    uv.length = 0;
    forTilePixels(a, b, warp, tx, ty, TILE_REACH, 1, (i, u, v) => {
      av.push(a.data[i]);
      uv.push(u, v);
    });
    if (av.length < 0.9 * TILE * TILE) continue;
    const n = av.length;
    let mean = 0;
    for (const x of av) mean += x;
    mean /= n;
    let sxx = 0;
    for (const x of av) sxx += (x - mean) ** 2;
    if (Math.sqrt(sxx / n) < 2 * MIN_DEVIATION) continue; // too plain to say where it lies
    let best = -2;
    let bestShift: [number, number] = [0, 0];
    for (let sy = -TILE_REACH; sy <= TILE_REACH; sy += TILE_STEP) {
      for (let sx = -TILE_REACH; sx <= TILE_REACH; sx += TILE_STEP) {
        let sb = 0;
        let sbb = 0;
        let sab = 0;
        for (let k = 0; k < n; k++) {
          const vb = sample(b.data, b.width, b.height, uv[2 * k] + sx, uv[2 * k + 1] + sy);
          sb += vb;
          sbb += vb * vb;
          sab += (av[k] - mean) * vb;
        }
        const varB = sbb - (sb * sb) / n;
        const r = varB > 1e-9 ? sab / Math.sqrt(sxx * varB) : 0;
        if (r > best) {
          best = r;
          bestShift = [sx, sy];
        }
      }
    }
    if (best >= 0.5) {
      for (const [sx, sy] of shifts) apart = Math.max(apart, Math.hypot(sx - bestShift[0], sy - bestShift[1]));
      shifts.push(bestShift);
    }
  }
  if (shifts.length < 3) return 0;
  const median = (values: number[]) => sorted(values)[values.length >> 1];
  const mx = median(shifts.map((s) => s[0]));
  const my = median(shifts.map((s) => s[1]));
  return Math.max(...shifts.map(([sx, sy]) => Math.hypot(sx - mx, sy - my)));
}

/**
 * The order `localShift` measures its tiles in (top-left corners): row by row; with a limit, the tiles where B laid
 * on A differs most first (the mean-free squared difference at the unshifted warp). What it returns within the limit
 * is every tile's, whatever the order; beyond, it stops as soon as two tiles' shifts lie more than twice the limit
 * apart, and the tiles that moved (a person who walked, a branch in the wind) are those that differ most: on the
 * stress library's pairs of two street-video frames it measured ~19 tiles a call in rows.
 */
function tileOrder(a: GreyPlane, b: GreyPlane, warp: Warp, limit: number): [number, number][] {
  const corners: [number, number][] = [];
  for (let ty = 0; ty + TILE <= a.height; ty += TILE)
    for (let tx = 0; tx + TILE <= a.width; tx += TILE) corners.push([tx, ty]);
  if (limit === Infinity) return corners;
  // Every other pixel of each tile, against B's nearest sample: enough to rank the tiles, at a sixteenth of a tile's
  // shift search.
  const differs = new Float64Array(corners.length);
  corners.forEach(([tx, ty], t) => {
    let [n, sd, sdd] = [0, 0, 0];
    forTilePixels(a, b, warp, tx, ty, 0, 2, (i, u, v) => {
      const d = a.data[i] - b.data[Math.floor(v) * b.width + Math.floor(u)];
      n++;
      sd += d;
      sdd += d * d;
    });
    differs[t] = n ? (sdd - (sd * sd) / n) / n : 0;
  });
  const order = corners.map((_, i) => i).sort((i, j) => differs[j] - differs[i] || i - j);
  return order.map((i) => corners[i]);
}

/**
 * Each pixel of A's TILE × TILE tile at (`tx`, `ty`) (every `step`-th of each row and column), by its index in A, and
 * where `warp` puts it in B, for the pixels that land at least `reach` inside B.
 */
function forTilePixels(
  a: GreyPlane,
  b: GreyPlane,
  warp: Warp,
  tx: number,
  ty: number,
  reach: number,
  step: number,
  visit: (index: number, u: number, v: number) => void,
): void {
  const cx = a.width / 2;
  const cy = a.height / 2;
  for (let y = ty; y < ty + TILE; y += step) {
    for (let x = tx; x < tx + TILE; x += step) {
      const xc = x + 0.5 - cx;
      const yc = y + 0.5 - cy;
      const u = warp.a * xc - warp.b * yc + warp.tx;
      const v = warp.b * xc + warp.a * yc + warp.ty;
      if (u < reach || v < reach || u >= b.width - reach || v >= b.height - reach) continue;
      visit(y * a.width + x, u, v);
    }
  }
}

function sorted(values: number[]): number[] {
  return [...values].sort((p, q) => p - q);
}

/**
 * A lower bound of `localShift`'s result from the median alone, once `shifts` (three or more) are known and at most
 * `unknown` more tiles may add theirs: the median of each coordinate can only lie between two of the known values
 * (or at the shift search's edge), so a known shift lies at least its distance from that range away from it.
 */
function strayBeyond(shifts: readonly [number, number][], unknown: number): number {
  const n = shifts.length;
  // The final median is element (n + j) >> 1 of the known values with j ≤ unknown others put anywhere among them.
  const range = (values: number[]): [number, number] => {
    const low = ((n + unknown) >> 1) - unknown;
    const high = (n + unknown) >> 1;
    return [low >= 0 ? values[low] : -TILE_REACH, high < n ? values[high] : TILE_REACH];
  };
  const [x0, x1] = range(sorted(shifts.map((s) => s[0])));
  const [y0, y1] = range(sorted(shifts.map((s) => s[1])));
  let bound = 0;
  for (const [sx, sy] of shifts) {
    const dx = Math.max(0, x0 - sx, sx - x1);
    const dy = Math.max(0, y0 - sy, sy - y1);
    bound = Math.max(bound, Math.hypot(dx, dy));
  }
  return bound;
}

/** Correlation of A with B warped onto it, over the overlap, and how much of the overlap is content. */
export function warpStats(a: GreyPlane, b: GreyPlane, warp: Warp, boxA: Box, boxB: Box): WarpStats {
  let inContent = 0;
  const ax0 = boxA.left * a.width;
  const ax1 = boxA.right * a.width;
  const ay0 = boxA.top * a.height;
  const ay1 = boxA.bottom * a.height;
  const bx0 = boxB.left * b.width;
  const bx1 = boxB.right * b.width;
  const by0 = boxB.top * b.height;
  const by1 = boxB.bottom * b.height;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  const o = overlapPixels(a, b, warp);
  for (let k = 0; k < o.count; k++) {
    const i = o.index[k];
    const u = o.u[k];
    const v = o.v[k];
    const va = a.data[i];
    const vb = sample(b.data, b.width, b.height, u, v);
    const x = (i % a.width) + 0.5;
    const y = Math.floor(i / a.width) + 0.5;
    if (x >= ax0 && x < ax1 && y >= ay0 && y < ay1 && u >= bx0 && u < bx1 && v >= by0 && v < by1) inContent++;
    sa += va;
    sb += vb;
    saa += va * va;
    sbb += vb * vb;
    sab += va * vb;
  }
  const n = o.count;
  if (n === 0) return { count: 0, contentCount: 0, correlation: -1, deviation: 0 };
  return { count: n, contentCount: inContent, ...pearsonFromSums(n, sa, sb, saa, sbb, sab) };
}

/**
 * The change test's tiles (px at the plane's long side 128: a person in a street scene spans one or two), how far
 * each tile may shift to find its best match (px: misregistration and resampling, not motion), and the
 * smoothing both planes get first (binomial passes: a copy resized to a quarter has lost the finest detail).
 */
const CHANGE_TILE = 8;
const CHANGE_REACH = 1;
const CHANGE_SMOOTHING = 1;
/**
 * A tile has changed when, at its best shift, B still differs from A by at least CHANGED_RESIDUAL grey levels
 * (RMS, after the overlap's gain and bias and the tile's own mean) and by at least CHANGED_SHARE of the larger of
 * the two tiles' deviations: something is there in one picture and not in the other.
 */
const CHANGED_RESIDUAL = 10;
const CHANGED_SHARE = 0.6;
/** A tile clipped to black or white (≤ CLIP_LOW or ≥ CLIP_HIGH) in over CLIPPED_SHARE of either picture lost its texture to a brightness or contrast edit, not to a change: it is not judged. */
const CLIP_LOW = 3;
const CLIP_HIGH = 252;
const CLIPPED_SHARE = 0.2;

/** Where B, warped onto A, differs from it tile by tile (`changeMap`). */
export interface ChangeMap {
  /** Tiles across and down A. */
  columns: number;
  rows: number;
  /**
   * Per tile (row-major): 0 unchanged or not judged (outside the overlap, clipped); else changed, and where
   * something is that the other picture lacks there: TILE_GAINED (B's tile deviates at least HOLDS_MORE times as
   * much as A's), TILE_LOST (A's does), TILE_CHANGED (neither).
   */
  changed: Uint8Array;
  /** Tiles whose centre lies inside both pictures' content: the overlap, in tiles. */
  inside: number;
}

const TILE_CHANGED = 1;
const TILE_GAINED = 2;
const TILE_LOST = 3;
/**
 * How many times one tile's deviation must be the other's for something to be there and not in the other picture
 * (a person on a plain road). Measured on the stress library's passing pairs: no copy had a tile of each kind at
 * 1.4 (a watermark's tiles nearly all gain), and 32 of the 40 pairs of two street-video frames that passed the
 * spread had one of each at 2.
 */
const HOLDS_MORE = 2;

/**
 * Per tile of A, whether B warped onto it (one gain and bias for the whole overlap, each tile its own mean) still
 * differs after the tile's best shift of up to CHANGE_REACH px: an edit of the whole picture (resize,
 * recompression, colour, blur) leaves every tile close, an overlay (a watermark) changes one place, and a subject
 * that moved or appeared changes the tiles where it was and where it is. Tiles near either picture's content edge
 * are not judged: there the border blends in.
 */
export function changeMap(planeA: GreyPlane, planeB: GreyPlane, warp: Warp, boxA: Box, boxB: Box): ChangeMap {
  const [tile, reach] = [CHANGE_TILE, CHANGE_REACH];
  let [a, b] = [planeA, planeB];
  for (let i = 0; i < CHANGE_SMOOTHING; i++) [a, b] = [smooth(a), smooth(b)];
  const o = overlapPixels(a, b, warp);
  let sa = 0;
  let sb = 0;
  let sbb = 0;
  let sab = 0;
  for (let k = 0; k < o.count; k++) {
    const va = a.data[o.index[k]];
    const vb = sample(b.data, b.width, b.height, o.u[k], o.v[k]);
    sa += va;
    sb += vb;
    sbb += vb * vb;
    sab += va * vb;
  }
  const n = Math.max(1, o.count);
  const varB = sbb - (sb * sb) / n;
  const gain = varB > 1e-9 ? (sab - (sa * sb) / n) / varB : 1;
  const columns = Math.floor(a.width / tile);
  const rows = Math.floor(a.height / tile);
  const changed = new Uint8Array(columns * rows);
  const cx = a.width / 2;
  const cy = a.height / 2;
  const m = tile * tile;
  const margin = reach + CHANGE_SMOOTHING + 1;
  const [ax0, ax1] = [boxA.left * a.width + CHANGE_SMOOTHING, boxA.right * a.width - CHANGE_SMOOTHING];
  const [ay0, ay1] = [boxA.top * a.height + CHANGE_SMOOTHING, boxA.bottom * a.height - CHANGE_SMOOTHING];
  const [bx0, bx1] = [boxB.left * b.width + margin, boxB.right * b.width - margin];
  const [by0, by1] = [boxB.top * b.height + margin, boxB.bottom * b.height - margin];
  const av = new Float64Array(m);
  // Where each pixel of the tile lands in B: the top-left of its 2 × 2 samples and the weights (the margin keeps every
  // shift inside B, so a shift only moves the index).
  const corner = new Int32Array(m);
  const wx = new Float64Array(m);
  const wy = new Float64Array(m);
  const shifts: [number, number][] = [[0, 0]]; // unshifted first: most tiles of a copy are decided there
  for (let sy = -reach; sy <= reach; sy++) for (let sx = -reach; sx <= reach; sx++) if (sx || sy) shifts.push([sx, sy]);
  const enough = CHANGED_RESIDUAL * CHANGED_RESIDUAL;
  // A tile counts for the overlap where its centre lies inside both pictures' content.
  const [insideA, insideB] = [
    [boxA.left * a.width, boxA.right * a.width, boxA.top * a.height, boxA.bottom * a.height],
    [boxB.left * b.width, boxB.right * b.width, boxB.top * b.height, boxB.bottom * b.height],
  ];
  const within = ([x0, x1, y0, y1]: number[], x: number, y: number) => x >= x0 && x < x1 && y >= y0 && y < y1;
  let inside = 0;
  for (let ty = 0; ty < rows; ty++) {
    for (let tx = 0; tx < columns; tx++) {
      const [xm, ym] = [(tx + 0.5) * tile, (ty + 0.5) * tile];
      const [xc, yc] = [xm - cx, ym - cy];
      const [um, vm] = [warp.a * xc - warp.b * yc + warp.tx, warp.b * xc + warp.a * yc + warp.ty];
      if (within(insideA, xm, ym) && within(insideB, um, vm)) inside++;
      let k = 0;
      let judged = true;
      let clippedA = 0;
      let clippedB = 0;
      for (let y = ty * tile; y < (ty + 1) * tile && judged; y++) {
        for (let x = tx * tile; x < (tx + 1) * tile; x++) {
          const xc = x + 0.5 - cx;
          const yc = y + 0.5 - cy;
          const u = warp.a * xc - warp.b * yc + warp.tx;
          const v = warp.b * xc + warp.a * yc + warp.ty;
          if (x < ax0 || x >= ax1 || y < ay0 || y >= ay1 || u < bx0 || v < by0 || u >= bx1 || v >= by1) {
            judged = false;
            break;
          }
          const [fx, fy] = [u - 0.5, v - 0.5];
          const [x0, y0] = [Math.floor(fx), Math.floor(fy)];
          const [j, h, g] = [y0 * b.width + x0, fx - x0, fy - y0];
          const rawA = planeA.data[y * a.width + x];
          const rawB = bilinear(planeB.data, j, b.width, h, g);
          if (rawA <= CLIP_LOW || rawA >= CLIP_HIGH) clippedA++;
          if (rawB <= CLIP_LOW || rawB >= CLIP_HIGH) clippedB++;
          av[k] = a.data[y * a.width + x];
          corner[k] = j;
          wx[k] = h;
          wy[k] = g;
          k++;
        }
      }
      if (!judged || Math.max(clippedA, clippedB) > CLIPPED_SHARE * m) continue;
      let meanA = 0;
      for (let i = 0; i < m; i++) meanA += av[i];
      meanA /= m;
      let varA = 0;
      for (let i = 0; i < m; i++) varA += (av[i] - meanA) ** 2;
      let best = Infinity;
      let bestDeviationB = 0;
      for (const [sx, sy] of shifts) {
        const offset = sy * b.width + sx;
        let s1 = 0;
        let s2 = 0;
        let sd = 0;
        let sd2 = 0;
        for (let i = 0; i < m; i++) {
          const vb = gain * bilinear(b.data, corner[i] + offset, b.width, wx[i], wy[i]);
          const d = av[i] - vb;
          s1 += vb;
          s2 += vb * vb;
          sd += d;
          sd2 += d * d;
        }
        const e = sd2 / m - (sd / m) ** 2;
        if (e < best) {
          best = e;
          bestDeviationB = Math.sqrt(Math.max(0, s2 / m - (s1 / m) ** 2));
        }
        if (best < enough) break; // below CHANGED_RESIDUAL: unchanged, whatever the other shifts give
      }
      const residual = Math.sqrt(Math.max(0, best));
      const deviationA = Math.sqrt(varA / m);
      if (residual >= CHANGED_RESIDUAL && residual >= CHANGED_SHARE * Math.max(deviationA, bestDeviationB)) {
        changed[ty * columns + tx] =
          bestDeviationB >= HOLDS_MORE * deviationA
            ? TILE_GAINED
            : deviationA >= HOLDS_MORE * bestDeviationB
              ? TILE_LOST
              : TILE_CHANGED;
      }
    }
  }
  return { columns, rows, changed, inside };
}

/** What `changes` finds: how far apart the changed places lie, and whether something moved between them. */
export interface Changes {
  /**
   * The share of the overlap (of both pictures' content) that the box around every changed tile spans; 0 with
   * fewer than two.
   */
  spread: number;
  /** Whether something is in A at one place and not in B (TILE_LOST), and in B at another and not in A (TILE_GAINED). */
  moved: boolean;
}

/**
 * Where B differs from A (`changeMap`), summed up: one overlay stays in a small box and adds to one picture only;
 * subjects that moved, appeared or left between two shots of a still view change places across the picture, or
 * leave one place and appear at another.
 */
export function changes(a: GreyPlane, b: GreyPlane, warp: Warp, boxA: Box, boxB: Box): Changes {
  const map = changeMap(a, b, warp, boxA, boxB);
  let [left, right, top, bottom, count] = [Infinity, -1, Infinity, -1, 0];
  let [gained, lost] = [false, false];
  for (let y = 0; y < map.rows; y++)
    for (let x = 0; x < map.columns; x++) {
      const tile = map.changed[y * map.columns + x];
      if (!tile) continue;
      count++;
      gained ||= tile === TILE_GAINED;
      lost ||= tile === TILE_LOST;
      [left, right, top, bottom] = [Math.min(left, x), Math.max(right, x), Math.min(top, y), Math.max(bottom, y)];
    }
  // Of the overlap, not of A: a letterboxed or framed A, or the whole against a crop, holds the same changes in
  // a smaller share of its picture.
  const spread = count < 2 ? 0 : Math.min(1, ((right - left + 1) * (bottom - top + 1)) / Math.max(1, map.inside));
  return { spread, moved: gained && lost };
}

/**
 * Bilinear sample of `values` (rows `width` apart) between the sample at `j`, its right and lower neighbours, at
 * fractions `h` across and `g` down: `sample`'s formula where the caller knows all four lie inside.
 */
function bilinear(values: Float32Array, j: number, width: number, h: number, g: number): number {
  return (
    (1 - g) * ((1 - h) * values[j] + h * values[j + 1]) + g * ((1 - h) * values[j + width] + h * values[j + width + 1])
  );
}

/** The plane filtered by the binomial kernel [1 2 1] / 4 across and down (edges repeated). */
export function smooth(p: GreyPlane): GreyPlane {
  const { width, height } = p;
  const across = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const l = p.data[row + Math.max(0, x - 1)];
      const r = p.data[row + Math.min(width - 1, x + 1)];
      across[row + x] = (l + 2 * p.data[row + x] + r) / 4;
    }
  }
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const up = Math.max(0, y - 1) * width;
    const down = Math.min(height - 1, y + 1) * width;
    for (let x = 0; x < width; x++)
      data[y * width + x] = (across[up + x] + 2 * across[y * width + x] + across[down + x]) / 4;
  }
  return { width, height, data };
}
