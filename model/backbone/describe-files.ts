/** Descriptors of image files through the shipped backbone, with decoding overlapped with inference. */
import type { Encoder } from '../encoder.js';
import { decodeImage, type DecodeOptions } from '../image.js';

/**
 * Rows [files.length, dim] of descriptors. `decode` overrides how files are decoded (default: the
 * encoder's own options); the next batch decodes while the current one runs.
 */
export async function describeFiles(
  encoder: Encoder,
  files: (string | Buffer)[],
  options: { batchSize?: number; decode?: DecodeOptions; onProgress?: (done: number, total: number) => void } = {},
): Promise<Float32Array> {
  const batchSize = options.batchSize ?? 32;
  const decode = options.decode ?? encoder.decodeOptions;
  const dim = encoder.descriptorDim;
  const rows = new Float32Array(files.length * dim);
  const decodeBatch = (start: number) =>
    Promise.all(files.slice(start, start + batchSize).map((f) => decodeImage(f, decode)));
  let pending = files.length > 0 ? decodeBatch(0) : null;
  for (let start = 0; pending; start += batchSize) {
    const images = await pending;
    pending = start + batchSize < files.length ? decodeBatch(start + batchSize) : null;
    const descriptors = await encoder.describe(images);
    descriptors.forEach((d, i) => rows.set(d, (start + i) * dim));
    options.onProgress?.(Math.min(start + batchSize, files.length), files.length);
  }
  return rows;
}
