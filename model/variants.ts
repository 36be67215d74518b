/**
 * The versions of a photo's model input that duplicate matching encodes beside it: rotated and mirrored ones
 * (geometric matching) and a greyscale one (colour invariance: a greyscale copy of a colour photo is matched
 * through it, since the duplicate head is not blind to colour).
 */
import { orientPixels, type Orientation } from './orientation.js';
import type { RawImage } from './types.js';

/** A variant: the picture turned/mirrored as EXIF orientation 2..8 asks, or the upright picture in greyscale. */
export type ImageVariant = Orientation | 'greyscale';

export function variantPixels(image: RawImage, variant: ImageVariant): RawImage {
  return variant === 'greyscale' ? greyscalePixels(image) : orientPixels(image, variant);
}

/** Luma Y = round(0.299 R + 0.587 G + 0.114 B) of each pixel, replicated to every colour channel (alpha kept). */
export function greyscalePixels(image: RawImage): RawImage {
  const { data, channels } = image;
  const out = new Uint8Array(data.length);
  const colour = Math.min(channels, 3);
  for (let i = 0; i < data.length; i += channels) {
    const y = colour === 3 ? Math.round(0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2]) : data[i];
    for (let c = 0; c < colour; c++) out[i + c] = y;
    for (let c = colour; c < channels; c++) out[i + c] = data[i + c];
  }
  return { data: out, width: image.width, height: image.height, channels };
}
