/**
 * Pure-TypeScript pixel helpers for tests, benchmarks and fixtures: a deterministic generator of
 * photo-like images and the EXIF orientation transforms. Nothing here imports sharp, so these
 * also serve as an independent oracle for checking the sharp adapter.
 */
import { cropPixels } from '../../model/image/content-box.js';
import type { RawImage } from '../../model/types.js';

/** Small, fast, seedable PRNG (mulberry32) so that every synthetic image is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticPhotoOptions {
  width: number;
  height: number;
  seed: number;
  /** Standard deviation of the per-pixel "sensor" noise in 8-bit units (default 4). */
  noise?: number;
  /** Number of soft-edged shapes drawn over the background (default 8). */
  shapes?: number;
}

interface Shape {
  kind: 'disc' | 'box';
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  colour: [number, number, number];
  opacity: number;
}

/**
 * A photo-like RGB image: a smooth four-corner colour gradient, two octaves of low-frequency
 * "terrain" so that the spectrum is not flat, soft-edged discs and boxes, and Gaussian-ish noise.
 * Real photos compress to a few bits per pixel because of such texture; a flat synthetic image would
 * make JPEG decoding look unrealistically fast.
 */
export function syntheticPhoto(options: SyntheticPhotoOptions): RawImage {
  const { width, height, seed } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`syntheticPhoto: bad size ${width}x${height}`);
  }
  const noise = options.noise ?? 4;
  const random = seededRandom(seed);
  const colour = (): [number, number, number] => [random() * 255, random() * 255, random() * 255];
  const corners = [colour(), colour(), colour(), colour()];
  const octaves = [valueNoiseGrid(6, random), valueNoiseGrid(23, random)];
  const shapes: Shape[] = [];
  for (let i = 0; i < (options.shapes ?? 8); i++) {
    shapes.push({
      kind: random() < 0.5 ? 'disc' : 'box',
      cx: random() * width,
      cy: random() * height,
      rx: (0.05 + random() * 0.2) * width,
      ry: (0.05 + random() * 0.2) * height,
      colour: colour(),
      opacity: 0.5 + random() * 0.5,
    });
  }
  const data = new Uint8Array(width * height * 3);
  // Noise from a cheap xorshift rather than random() per sample: ~36M samples for 12 MP.
  let noiseState = (seed * 2654435761) >>> 0 || 1;
  const row = new Float32Array(width * 3);
  for (let y = 0; y < height; y++) {
    const v = height === 1 ? 0 : y / (height - 1);
    for (let x = 0; x < width; x++) {
      const u = width === 1 ? 0 : x / (width - 1);
      const terrain = 60 * sampleGrid(octaves[0], u, v) + 25 * sampleGrid(octaves[1], u, v) - 42;
      for (let c = 0; c < 3; c++) {
        const top = corners[0][c] * (1 - u) + corners[1][c] * u;
        const bottom = corners[2][c] * (1 - u) + corners[3][c] * u;
        row[x * 3 + c] = top * (1 - v) + bottom * v + terrain;
      }
    }
    for (const shape of shapes) paintShapeRow(row, width, y, shape);
    const offset = y * width * 3;
    for (let i = 0; i < width * 3; i++) {
      // Sum of two uniforms: a triangular distribution, close enough to Gaussian sensor noise.
      noiseState ^= noiseState << 13;
      noiseState ^= noiseState >>> 17;
      noiseState ^= noiseState << 5;
      const n = ((noiseState & 0xffff) + (noiseState >>> 16) - 65535) / 65535;
      data[offset + i] = clampByte(row[i] + n * noise * 2.45);
    }
  }
  return { data, width, height, channels: 3 };
}

function paintShapeRow(row: Float32Array, width: number, y: number, shape: Shape): void {
  const dy = (y - shape.cy) / shape.ry;
  if (Math.abs(dy) > 1.1) return;
  const x0 = Math.max(0, Math.floor(shape.cx - shape.rx * 1.1));
  const x1 = Math.min(width - 1, Math.ceil(shape.cx + shape.rx * 1.1));
  // Edges soften over ~3% of the shape's radius, like a slightly defocused object.
  for (let x = x0; x <= x1; x++) {
    const dx = (x - shape.cx) / shape.rx;
    const distance = shape.kind === 'disc' ? Math.sqrt(dx * dx + dy * dy) : Math.max(Math.abs(dx), Math.abs(dy));
    const coverage = Math.min(1, Math.max(0, (1 - distance) / 0.03)) * shape.opacity;
    if (coverage <= 0) continue;
    for (let c = 0; c < 3; c++) {
      const i = x * 3 + c;
      row[i] = row[i] * (1 - coverage) + shape.colour[c] * coverage;
    }
  }
}

interface Grid {
  size: number;
  values: Float32Array;
}

function valueNoiseGrid(size: number, random: () => number): Grid {
  const values = new Float32Array((size + 1) * (size + 1));
  for (let i = 0; i < values.length; i++) values[i] = random();
  return { size, values };
}

/** Smooth (smoothstep-interpolated) value noise in [0, 1] at (u, v) in [0, 1]². */
function sampleGrid(grid: Grid, u: number, v: number): number {
  const gx = u * grid.size;
  const gy = v * grid.size;
  const ix = Math.min(grid.size - 1, Math.floor(gx));
  const iy = Math.min(grid.size - 1, Math.floor(gy));
  const fx = smoothstep(gx - ix);
  const fy = smoothstep(gy - iy);
  const stride = grid.size + 1;
  const a = grid.values[iy * stride + ix];
  const b = grid.values[iy * stride + ix + 1];
  const c = grid.values[(iy + 1) * stride + ix];
  const d = grid.values[(iy + 1) * stride + ix + 1];
  return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}

export { inverseOrientation, orientPixels, type Orientation } from '../../model/image/orientation.js';

/** The window keeping `fraction` of each side, its top-left corner at (fx, fy) of the slack: a crop as an editor makes it. */
export function windowOf(image: RawImage, fraction: number, fx: number, fy: number): RawImage {
  const width = Math.round(image.width * fraction);
  const height = Math.round(image.height * fraction);
  const left = Math.round((image.width - width) * fx);
  const top = Math.round((image.height - height) * fy);
  return cropPixels(image, { left, top, width, height });
}

/** Mean absolute difference per sample between two images of the same shape. */
export function meanAbsoluteDifference(a: RawImage, b: RawImage): number {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new RangeError(
      `shape mismatch: ${a.width}x${a.height}x${a.channels} vs ${b.width}x${b.height}x${b.channels}`,
    );
  }
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

/** Mean of each channel, for "plausible colour" checks. */
export function channelMeans(image: RawImage): number[] {
  const sums = new Array<number>(image.channels).fill(0);
  for (let i = 0; i < image.data.length; i++) sums[i % image.channels] += image.data[i];
  return sums.map((s) => s / (image.width * image.height));
}
