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

/** Execution providers of onnxruntime the encoder can run on. */
export type ProviderName = 'cuda' | 'dml' | 'coreml' | 'cpu';

/** One hashing head: the model version (backbone+head) stored with its codes, and their length. */
export interface HeadStatus {
  version: string;
  bits: number;
}

/** What the encoder (query network) is doing, reported by the app's `app.info`. */
export interface ModelStatus {
  /** `ready`: the model loaded; `missing`: no artifacts; `error`: it failed to load. */
  state: 'ready' | 'missing' | 'error' | 'not-loaded';
  /** The duplicate head's version and bits (the same as `heads.dup`). */
  version: string | null;
  bits: number | null;
  /** The head of each code kind: 'dup' for duplicates, 'sim' for similar photos (null: none). */
  heads: { dup: HeadStatus | null; sim: HeadStatus | null };
  provider: ProviderName | null;
  /** One line per execution provider that was skipped, with the reason. */
  providerNotes: string[];
  message?: string;
}

/** A code as hex (bits/4 digits, bit k of the code is bit k of the number) and the model version that made it. */
export interface EncodedCode {
  code: string;
  bits: number;
  model: string;
}
