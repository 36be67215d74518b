/**
 * Backbone descriptors of rows of a 28×28 greyscale image set (MNIST, Fashion-MNIST): each row is written
 * as the PNG file a user would have and described by the shipped backbone as the app describes files.
 * Cached in the OS temp folder under the set's name, the rows' count and the backbone version, since a
 * few thousand images take tens of seconds on a small CPU.
 */
import { describeFiles } from '../../model/backbone/describe-files.js';
import type { Encoder } from '../../model/encoder.js';
import { encodeImage } from '../../model/image/decode.js';
import type { LabelledSet } from './datasets.js';
import { cachedDescriptors } from './descriptor-cache.js';

export async function describeGreyRows(
  encoder: Encoder,
  set: LabelledSet,
  rows: readonly number[],
  name: string,
  backboneVersion: string,
): Promise<LabelledSet> {
  const shape = set.imageShape;
  if (!shape) throw new Error(`${name}: not an image set`);
  const dim = encoder.descriptorDim;
  const pixels = shape.width * shape.height;
  const features = await cachedDescriptors(`${name}-${rows.length}-${backboneVersion}`, rows.length, dim, async () => {
    const files: Buffer[] = [];
    for (const row of rows) {
      const px = Uint8Array.from(set.features.subarray(row * pixels, (row + 1) * pixels), (v) => Math.round(v * 255));
      files.push(await encodeImage({ data: px, width: shape.width, height: shape.height, channels: 1 }, 'png'));
    }
    return describeFiles(encoder, files);
  });
  return { features, dim, count: rows.length, labels: Int32Array.from(rows, (r) => set.labels[r]!) };
}
