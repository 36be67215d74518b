/**
 * The coarse search of the pixel alignment (alignment.ts): B's plane laid over A's at every offset, each scored
 * by the zero-mean normalised cross-correlation of the overlap, from summed-area tables so each offset costs one
 * pass over the overlap's products (in WebAssembly SIMD: wasm-dot.ts).
 */
import type { GreyPlane } from '../../../model/image/grey-resample.js';
import { rectangleDot } from './wasm-dot.js';

/**
 * Placements are ranked by correlation plus this much times the smaller coverage: on a plain or repetitive
 * picture several placements correlate about equally, and the one that overlaps more is the likelier truth.
 */
export const OVERLAP_BONUS = 0.05;

/** B's top-left at (dx, dy) in A, on the coarse planes. */
export interface Placement {
  dx: number;
  dy: number;
  correlation: number;
  /** Overlap in A's cells. */
  overlap: number;
  /** Correlation plus the overlap bonus: what placements are ranked by. */
  score: number;
}

/**
 * Zero-mean normalised cross-correlation from running sums over n paired samples, and the smaller of the two
 * standard deviations (0 correlation when either side is flat).
 */
export function pearsonFromSums(n: number, sa: number, sb: number, saa: number, sbb: number, sab: number) {
  const varA = Math.max(0, saa / n - (sa / n) ** 2);
  const varB = Math.max(0, sbb / n - (sb / n) ** 2);
  const cov = sab / n - (sa / n) * (sb / n);
  const correlation = varA > 1e-9 && varB > 1e-9 ? cov / Math.sqrt(varA * varB) : 0;
  return { correlation, deviation: Math.sqrt(Math.min(varA, varB)) };
}

/**
 * Summed-area tables of a plane's values and squares, (width + 1) × (height + 1), so that any rectangle's sum
 * is four reads: what lets the offset search correlate every placement with one product per overlap cell.
 */
export interface SumTables {
  stride: number;
  sum: Float64Array;
  squares: Float64Array;
}

export function sumTables(plane: GreyPlane): SumTables {
  const stride = plane.width + 1;
  const sum = new Float64Array(stride * (plane.height + 1));
  const squares = new Float64Array(sum.length);
  for (let y = 0; y < plane.height; y++) {
    let row = 0;
    let rowSquares = 0;
    for (let x = 0; x < plane.width; x++) {
      const v = plane.data[y * plane.width + x];
      row += v;
      rowSquares += v * v;
      sum[(y + 1) * stride + x + 1] = sum[y * stride + x + 1] + row;
      squares[(y + 1) * stride + x + 1] = squares[y * stride + x + 1] + rowSquares;
    }
  }
  return { stride, sum, squares };
}

/** Sum over the rectangle [x0, x1) × [y0, y1) of a summed-area table. */
export function boxSum(table: Float64Array, stride: number, x0: number, y0: number, x1: number, y1: number): number {
  return table[y1 * stride + x1] - table[y0 * stride + x1] - table[y1 * stride + x0] + table[y0 * stride + x0];
}

/**
 * The offset search's grid: every `stride`-th offset first, then every offset around the `keep` best of those;
 * where the best found so far correlates below `fullBelow`, every offset after all. Pictures of fine detail (a
 * starfield) and pairs of different pictures do not correlate smoothly from offset to offset even at 24 px.
 * Measured against every offset: on 4,728 stress pairs (single thread) every offset took 12.9 s, the 3 best
 * alone 8.2 s, and with the full search below 0.5, 9.9 s, no verdict changed; on both dedup seeds the 3 best
 * alone lost the framed copy of hubble_deep_field (its best placement correlates 0.3–0.4 at that size) and the
 * 12 best with the full search below 0.3 lost 11 of seed 1's 5,460 copy pairs, while the full search below 0.5
 * gave every table of both seeds exactly as every offset did.
 */
export const OFFSET_SEARCH = { stride: 2, keep: 3, fullBelow: 0.5 };

/**
 * The best placement of `b` over `a` among the offsets that overlap at least `minOverlapCells` cells: the
 * normalised cross-correlation of each, its sums and sums of squares read from summed-area tables. The coarse
 * planes are smooth (area-averaged to long side 24), so the correlation mostly varies slowly from one offset to
 * the next: every OFFSET_SEARCH.stride-th offset is scored first, then every offset around the best few of those,
 * and every offset only where that found no placement that correlates well.
 */
export function bestOffset(a: GreyPlane, tablesA: SumTables, b: GreyPlane, minOverlapCells: number): Placement | null {
  const tablesB = sumTables(b);
  const dot = rectangleDot();
  dot.setA(a);
  dot.setB(b);
  const [dxMin, dyMin] = [1 - b.width, 1 - b.height];
  const largerArea = Math.max(a.width * a.height, b.width * b.height);
  // The last placement scored (no object per offset: most are scored and dropped).
  let correlation = 0;
  let overlap = 0;
  /** The score of B's top-left at (dx, dy), or -Infinity where the overlap is too small. */
  const scoreAt = (dx: number, dy: number): number => {
    const y0 = Math.max(0, dy);
    const y1 = Math.min(a.height, dy + b.height);
    const x0 = Math.max(0, dx);
    const x1 = Math.min(a.width, dx + b.width);
    const n = (y1 - y0) * (x1 - x0);
    if (y1 <= y0 || x1 <= x0 || n < minOverlapCells) return -Infinity;
    const sab = dot.sum(x0, y0, x1, y1, dx, dy);
    const sa = boxSum(tablesA.sum, tablesA.stride, x0, y0, x1, y1);
    const saa = boxSum(tablesA.squares, tablesA.stride, x0, y0, x1, y1);
    const sb = boxSum(tablesB.sum, tablesB.stride, x0 - dx, y0 - dy, x1 - dx, y1 - dy);
    const sbb = boxSum(tablesB.squares, tablesB.stride, x0 - dx, y0 - dy, x1 - dx, y1 - dy);
    correlation = pearsonFromSums(n, sa, sb, saa, sbb, sab).correlation;
    overlap = n;
    return correlation + OVERLAP_BONUS * (n / largerArea);
  };
  /** B's top-left at (dx, dy) as a placement, or null where the overlap is too small. */
  const placementAt = (dx: number, dy: number): Placement | null => {
    const score = scoreAt(dx, dy);
    return score === -Infinity ? null : { dx, dy, correlation, overlap, score };
  };
  /** The best `count` placements among every `step`-th offset, best first (ties: the one met first). */
  const gridBest = (step: number, count: number): Placement[] => {
    const top: Placement[] = [];
    for (let dy = dyMin; dy < a.height; dy += step) {
      for (let dx = dxMin; dx < a.width; dx += step) {
        const score = scoreAt(dx, dy);
        if (score === -Infinity || (top.length === count && score <= top[count - 1].score)) continue;
        let i = top.length;
        while (i > 0 && top[i - 1].score < score) i--;
        top.splice(i, 0, { dx, dy, correlation, overlap, score });
        if (top.length > count) top.pop();
      }
    }
    return top;
  };
  const { stride, keep, fullBelow } = OFFSET_SEARCH;
  let best: Placement | null = null;
  const seen = new Set<number>();
  const reach = stride - 1;
  for (const centre of gridBest(stride, keep)) {
    for (let dy = Math.max(dyMin, centre.dy - reach); dy <= Math.min(a.height - 1, centre.dy + reach); dy++) {
      for (let dx = Math.max(dxMin, centre.dx - reach); dx <= Math.min(a.width - 1, centre.dx + reach); dx++) {
        const key = (dy - dyMin) * (a.width - dxMin) + (dx - dxMin);
        if (seen.has(key)) continue;
        seen.add(key);
        const p = dx === centre.dx && dy === centre.dy ? centre : placementAt(dx, dy);
        if (p && (!best || p.score > best.score || (p.score === best.score && precedes(p, best)))) best = p;
      }
    }
  }
  if (stride > 1 && best && best.correlation < fullBelow) {
    const [full] = gridBest(1, 1);
    if (full && full.score > best.score) best = full;
  }
  return best;
}

/** Row-major order of offsets, so that ties go to the placement an exhaustive scan would have met first. */
function precedes(p: Placement, q: Placement): boolean {
  return p.dy < q.dy || (p.dy === q.dy && p.dx < q.dx);
}
