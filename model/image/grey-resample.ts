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

/**
 * For each output cell along one axis: the first input cell it reads, how many, and their weights (`taps` slots a
 * cell, flat: one array, not one per cell, so the loops below stay monomorphic and allocation-free).
 */
interface AxisWeights {
  start: Int32Array;
  count: Int32Array;
  taps: number;
  weights: Float32Array;
}

/**
 * Weights made before, by axis lengths and mode: the pixel check resamples planes of a few sizes over and over (its
 * coarse search, B at 14 scales for every searched pair), and making the weights cost as much as using them.
 */
const weightsMade = new Map<string, AxisWeights>();
const WEIGHTS_KEPT = 512;

function axisWeights(from: number, to: number, enlarging: Enlarging): AxisWeights {
  // Shrinking, and keeping the size, average cells whatever the enlarging mode.
  const bilinear = enlarging === 'bilinear' && from < to;
  const key = `${from}:${to}:${bilinear}`;
  let made = weightsMade.get(key);
  if (!made) {
    made = makeAxisWeights(from, to, bilinear);
    if (weightsMade.size >= WEIGHTS_KEPT) weightsMade.delete(weightsMade.keys().next().value!);
    weightsMade.set(key, made);
  }
  return made;
}

function makeAxisWeights(from: number, to: number, bilinear: boolean): AxisWeights {
  const ratio = from / to;
  const start = new Int32Array(to);
  const count = new Int32Array(to);
  // A box window of width max(ratio, 1) touches at most ceil(width) + 1 input cells.
  const taps = bilinear ? 2 : Math.ceil(Math.max(ratio, 1)) + 1;
  const weights = new Float32Array(to * taps);
  for (let o = 0; o < to; o++) {
    const at = o * taps;
    if (bilinear) {
      const centre = Math.min(Math.max((o + 0.5) * ratio - 0.5, 0), from - 1);
      const first = Math.min(Math.floor(centre), Math.max(0, from - 2));
      const t = centre - first;
      start[o] = first;
      if (from > 1) {
        weights[at] = 1 - t;
        weights[at + 1] = t;
        count[o] = 2;
      } else {
        weights[at] = 1;
        count[o] = 1;
      }
      continue;
    }
    // Output cell o covers input [o·ratio, (o+1)·ratio); when enlarging, a unit-wide window centred there.
    const centre = (o + 0.5) * ratio;
    const half = Math.max(ratio, 1) / 2;
    const lo = centre - half;
    const hi = centre + half;
    const first = Math.max(0, Math.floor(lo));
    const last = Math.min(from - 1, Math.ceil(hi) - 1);
    const n = last - first + 1;
    // Normalised as float32 weights, as they are stored: the sum is taken over the stored values.
    const w = new Float32Array(n);
    let total = 0;
    for (let i = first; i <= last; i++) {
      const overlap = Math.min(hi, i + 1) - Math.max(lo, i);
      w[i - first] = Math.max(0, overlap);
      total += w[i - first];
    }
    for (let i = 0; i < n; i++) weights[at + i] = w[i] / total;
    start[o] = first;
    count[o] = n;
  }
  return { start, count, taps, weights };
}

/** Resamples each row of `src` (`rows` rows of `srcWidth`) along x into `out` (rows of `cols.start.length`). */
function resampleRows(
  src: ArrayLike<number>,
  srcWidth: number,
  rows: number,
  cols: AxisWeights,
  out: Float32Array,
): void {
  const { start, count, taps, weights } = cols;
  const width = start.length;
  for (let y = 0; y < rows; y++) {
    const row = y * srcWidth;
    const outRow = y * width;
    for (let x = 0; x < width; x++) {
      const at = x * taps;
      const s = row + start[x];
      const n = count[x];
      let sum = 0;
      for (let k = 0; k < n; k++) sum += weights[at + k] * src[s + k];
      out[outRow + x] = sum;
    }
  }
}

/** The plane resampled to width × height, rows first, then columns. */
export function resampleGrey(src: SamplePlane, width: number, height: number, enlarging: Enlarging = 'box'): GreyPlane {
  const cols = axisWeights(src.width, width, enlarging);
  const rows = axisWeights(src.height, height, enlarging);
  const mid = new Float32Array(width * src.height);
  resampleRows(src.data, src.width, src.height, cols, mid);
  const data = new Float32Array(width * height);
  // Columns a row of output at a time: each tap adds a whole input row (contiguous reads), summed in doubles in the
  // same order as a per-cell sum, so the result is the same to the bit.
  const sums = new Float64Array(width);
  const { start, count, taps, weights } = rows;
  for (let y = 0; y < height; y++) {
    const at = y * taps;
    const n = count[y];
    sums.fill(0);
    for (let k = 0; k < n; k++) {
      const w = weights[at + k];
      const row = (start[y] + k) * width;
      for (let x = 0; x < width; x++) sums[x] += w * mid[row + x];
    }
    const out = y * width;
    for (let x = 0; x < width; x++) data[out + x] = sums[x];
  }
  return { width, height, data };
}
