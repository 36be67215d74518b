/** Descriptors of image files through the shipped backbone, with decoding overlapped with inference. */
import type { RawImage } from '../types.js';
import type { Encoder } from '../encoder.js';
import { decodeImage, type DecodeOptions } from '../image.js';

export interface DescribeOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Rows [files.length, dim] of descriptors. `decode` overrides how files are decoded (default: the
 * encoder's own options); the next batch decodes while the current one runs.
 */
export function describeFiles(
  encoder: Encoder,
  files: (string | Buffer)[],
  options: DescribeOptions & { decode?: DecodeOptions } = {},
): Promise<Float32Array> {
  const decode = options.decode ?? encoder.decodeOptions;
  return describeImages(encoder, files.length, (i) => decodeImage(files[i]!, decode), options);
}

/**
 * Rows [count, dim] of descriptors of the images `load(i)` gives (each already at the encoder's input size,
 * as `encoder.decodeOptions` decodes). `load` is called in index order; the next batch loads while the
 * current one runs.
 */
export async function describeImages(
  encoder: Encoder,
  count: number,
  load: (index: number) => Promise<RawImage>,
  options: DescribeOptions = {},
): Promise<Float32Array> {
  const batchSize = options.batchSize ?? 32;
  const dim = encoder.descriptorDim;
  const rows = new Float32Array(count * dim);
  const loadBatch = (start: number) =>
    Promise.all(Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => load(start + i)));
  let pending = count > 0 ? loadBatch(0) : null;
  for (let start = 0; pending; start += batchSize) {
    const images = await pending;
    pending = start + batchSize < count ? loadBatch(start + batchSize) : null;
    const descriptors = await encoder.describe(images);
    descriptors.forEach((d, i) => rows.set(d, (start + i) * dim));
    options.onProgress?.(Math.min(start + batchSize, count), count);
  }
  return rows;
}
