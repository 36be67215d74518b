/** Plain types shared by the native adapters and their users (no native library is imported here). */

/** Decoded pixels, row-major, interleaved channels, 8 bits per sample, sRGB. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** A dense float tensor (row-major). */
export interface Tensor {
  data: Float32Array;
  dims: number[];
}
