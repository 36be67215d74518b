/**
 * Separable resampling of grey planes, shared by the pixel check (electron/search/pixels/alignment.ts) and the keep
 * rule's detail measures (model/image/picture-quality.ts). Shrinking averages the input cells each output cell covers
 * (box filter); enlarging either spreads a unit-wide box (`'box'`, the pixel check's) or interpolates between
 * the two nearest input centres (`'bilinear'`, the detail measures').
 */

/** Grey samples, row-major, float. */
export interface GreyPlane {
  width: number;
  height: number;
  data: Float32Array;
}

/** A plane whose samples may be stored in any numeric array (the resampling reads them). */
export interface SamplePlane {
  width: number;
  height: number;
  data: Float32Array | Uint8Array;
}

/** How an axis is enlarged (shrinking is always an area average). */
export type Enlarging = 'box' | 'bilinear';

/** For each output cell along one axis: the input cells it reads and their weights. */
function axisWeights(from: number, to: number, enlarging: Enlarging): { start: Int32Array; weights: Float32Array[] } {
  const ratio = from / to;
  const start = new Int32Array(to);
  const weights: Float32Array[] = [];
  for (let o = 0; o < to; o++) {
    if (ratio < 1 && enlarging === 'bilinear') {
      const centre = Math.min(Math.max((o + 0.5) * ratio - 0.5, 0), from - 1);
      const first = Math.min(Math.floor(centre), Math.max(0, from - 2));
      const t = centre - first;
      start[o] = first;
      weights.push(from > 1 ? Float32Array.of(1 - t, t) : Float32Array.of(1));
      continue;
    }
    // Output cell o covers input [o·ratio, (o+1)·ratio); when enlarging, a unit-wide window centred there.
    const centre = (o + 0.5) * ratio;
    const half = Math.max(ratio, 1) / 2;
    const lo = centre - half;
    const hi = centre + half;
    const first = Math.max(0, Math.floor(lo));
    const last = Math.min(from - 1, Math.ceil(hi) - 1);
    const w = new Float32Array(last - first + 1);
    let total = 0;
    for (let i = first; i <= last; i++) {
      const overlap = Math.min(hi, i + 1) - Math.max(lo, i);
      w[i - first] = Math.max(0, overlap);
      total += w[i - first];
    }
    for (let i = 0; i < w.length; i++) w[i] /= total;
    start[o] = first;
    weights.push(w);
  }
  return { start, weights };
}

/** The plane resampled to width × height, rows first, then columns. */
export function resampleGrey(src: SamplePlane, width: number, height: number, enlarging: Enlarging = 'box'): GreyPlane {
  const cols = axisWeights(src.width, width, enlarging);
  const rows = axisWeights(src.height, height, enlarging);
  const mid = new Float32Array(width * src.height);
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width;
    for (let x = 0; x < width; x++) {
      const w = cols.weights[x];
      const s = row + cols.start[x];
      let sum = 0;
      for (let k = 0; k < w.length; k++) sum += w[k] * src.data[s + k];
      mid[y * width + x] = sum;
    }
  }
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const w = rows.weights[y];
    const s = rows.start[y];
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < w.length; k++) sum += w[k] * mid[(s + k) * width + x];
      data[y * width + x] = sum;
    }
  }
  return { width, height, data };
}
