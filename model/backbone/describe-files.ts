/** Descriptors of image files through the shipped backbone (or another converted one), with decoding overlapped with inference. */
import type { RawImage } from '../types.js';
import { openSession } from '../encoder.js';
import { decodeImage, type DecodeOptions } from '../image/decode.js';
import { convertBackbone, type BackboneSpec } from './convert.js';
import { loadNsfwjsKerasModel } from './keras.js';

/** What describing needs of an encoder: `Encoder` is one; `openConvertedDescriber` gives another. */
export interface Describer {
  readonly descriptorDim: number;
  /** The square input the describer takes (decode files with it). */
  readonly decodeOptions: DecodeOptions & { size: number };
  describe(images: RawImage[]): Promise<Float32Array[]>;
}

/** A describer that names its backbone and holds sessions until closed: `Encoder`, or `openConvertedDescriber`'s. */
export interface OpenDescriber extends Describer {
  readonly backboneVersion: string;
  close(): Promise<void>;
}

/**
 * A describer for an nsfwjs network converted with `spec` (not the shipped backbone: for experiments that
 * compare descriptors, e.g. `training/cli/export-cifar-descriptors.ts --nsfwjs`). Images must be decoded with
 * its `decodeOptions` (spec.inputSize square, RGB). `close()` releases the session.
 */
export async function openConvertedDescriber(
  model: string,
  spec: BackboneSpec,
  threads?: number,
): Promise<OpenDescriber> {
  const converted = convertBackbone(loadNsfwjsKerasModel(model), spec);
  const session = await openSession(converted.bytes, threads ? { threads } : {});
  const size = spec.inputSize;
  const dim = converted.descriptorDim;
  return {
    descriptorDim: dim,
    decodeOptions: { size, fit: 'fill', channels: 3 },
    backboneVersion: `${model}-${spec.parts.map((p) => `${p.layer}-${p.pooling}`).join('+')}-${size}-${spec.inputRange}`,
    async describe(images) {
      const { descriptor } = await session.run({ pixels: pixelBatch(images, size) });
      return images.map((_, i) => descriptor.data.slice(i * dim, (i + 1) * dim) as Float32Array);
    },
    close: () => session.release(),
  };
}

/**
 * Images of size × size × 3 as one NHWC uint8 batch, the `pixels` input of a converted backbone (decode them with
 * `{ size, fit: 'fill', channels: 3 }`); an image of any other shape is refused.
 */
export function pixelBatch(images: RawImage[], size: number): { data: Uint8Array; dims: number[] } {
  const data = new Uint8Array(images.length * size * size * 3);
  images.forEach((image, i) => {
    if (image.width !== size || image.height !== size || image.channels !== 3) {
      throw new Error(
        `image is ${image.width}×${image.height}×${image.channels}; this describer takes ${size}×${size}×3`,
      );
    }
    data.set(image.data, i * size * size * 3);
  });
  return { data, dims: [images.length, size, size, 3] };
}

export interface DescribeOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Rows [files.length, dim] of descriptors. `decode` overrides how files are decoded (default: the
 * encoder's own options); the next batch decodes while the current one runs.
 */
export function describeFiles(
  encoder: Describer,
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
  encoder: Describer,
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
