/**
 * Similarity warps between two grey planes, for the pixel alignment (alignment.ts): bilinear sampling, the
 * overlap under a warp, its Gauss–Newton refinement, the overlap's statistics, and the local-shift test (each
 * small tile aligned on its own).
 */
import type { GreyPlane } from '../../../model/image/grey-resample.js';
import { pearsonFromSums } from './correlation.js';

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

/**
 * Gauss–Newton on A ≈ gain·B(W(x)) + bias over the overlap: refines the warp (scale, tilt, shift) and the
 * photometric gain and bias together. Stops when the shift moves less than 0.02 px, or before a step that
 * leaves less than `minCount` pixels of overlap.
 */
export function refineWarp(a: GreyPlane, b: GreyPlane, start: Warp, iterations: number, minCount: number): Warp {
  const warp = { ...start };
  let gain = 1;
  let bias = 0;
  const jtj = new Float64Array(36);
  const jtr = new Float64Array(6);
  const j = new Float64Array(6);
  let kept = { ...warp }; // the last warp seen with overlap enough
  for (let it = 0; it < iterations; it++) {
    jtj.fill(0);
    jtr.fill(0);
    const o = overlapPixels(a, b, warp);
    for (let k = 0; k < o.count; k++) {
      const xc = o.xc[k];
      const yc = o.yc[k];
      const u = o.u[k];
      const v = o.v[k];
      const bv = sample(b.data, b.width, b.height, u, v);
      // B's gradient at (u, v) by central differences of bilinear samples (no gradient planes kept in memory).
      const gx =
        (gain * (sample(b.data, b.width, b.height, u + 1, v) - sample(b.data, b.width, b.height, u - 1, v))) / 2;
      const gy =
        (gain * (sample(b.data, b.width, b.height, u, v + 1) - sample(b.data, b.width, b.height, u, v - 1))) / 2;
      j[0] = gx * xc + gy * yc;
      j[1] = gy * xc - gx * yc;
      j[2] = gx;
      j[3] = gy;
      j[4] = bv;
      j[5] = 1;
      const residual = a.data[o.index[k]] - (gain * bv + bias);
      for (let p = 0; p < 6; p++) {
        jtr[p] += j[p] * residual;
        for (let q = p; q < 6; q++) jtj[p * 6 + q] += j[p] * j[q];
      }
    }
    if (o.count < Math.max(16, minCount)) return kept; // the last step slid off the picture
    kept = { ...warp };
    for (let p = 0; p < 6; p++) for (let q = 0; q < p; q++) jtj[p * 6 + q] = jtj[q * 6 + p];
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

const TILE = 8;
const TILE_REACH = 2;
const TILE_STEP = 0.5;

/**
 * How far the parts of the overlap stray from the global alignment: each 8 × 8 tile of A (long side 64) with
 * texture finds the shift of B (within ±2 px, half-pixel steps) that correlates best there, and the result is
 * the largest distance of a tile's shift from the tiles' median shift, in pixels. A copy moves as one piece
 * (tilts and scales are in the warp already); parallax or a subject that moved between two shots does not.
 */
export function localShift(a: GreyPlane, b: GreyPlane, warp: Warp): number {
  const cx = a.width / 2;
  const cy = a.height / 2;
  const shifts: [number, number][] = [];
  const av: number[] = [];
  const uv: number[] = [];
  for (let ty = 0; ty + TILE <= a.height; ty += TILE) {
    for (let tx = 0; tx + TILE <= a.width; tx += TILE) {
      av.length = 0;
      uv.length = 0;
      for (let y = ty; y < ty + TILE; y++) {
        for (let x = tx; x < tx + TILE; x++) {
          const xc = x + 0.5 - cx;
          const yc = y + 0.5 - cy;
          const u = warp.a * xc - warp.b * yc + warp.tx;
          const v = warp.b * xc + warp.a * yc + warp.ty;
          if (u < TILE_REACH || v < TILE_REACH || u >= b.width - TILE_REACH || v >= b.height - TILE_REACH) continue;
          av.push(a.data[y * a.width + x]);
          uv.push(u, v);
        }
      }
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
      if (best >= 0.5) shifts.push(bestShift);
    }
  }
  if (shifts.length < 3) return 0;
  const median = (values: number[]) => [...values].sort((p, q) => p - q)[values.length >> 1];
  const mx = median(shifts.map((s) => s[0]));
  const my = median(shifts.map((s) => s[1]));
  return Math.max(...shifts.map(([sx, sy]) => Math.hypot(sx - mx, sy - my)));
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
