/**
 * HEIC/HEIF decoding through `heic-decode` (libheif compiled to wasm), because the libvips inside
 * the prebuilt sharp has no HEVC decoder. libheif applies the irot/imir transforms itself (its
 * default decoding options), so the pixels returned here are already upright; the EXIF
 * orientation some cameras also store in HEIF files must then be ignored, as the HEIF spec says.
 */
import { createRequire } from 'node:module';
import { parseHeifHeader, type HeifHeader } from './formats.js';

interface HeicDecodeResult {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}
type HeicDecode = (input: { buffer: Uint8Array }) => Promise<HeicDecodeResult>;

let decoder: HeicDecode | undefined;

/** Loaded on first use: the wasm bundle is ~2 MB and most libraries have no HEIC at all. */
function loadDecoder(): HeicDecode {
  decoder ??= createRequire(import.meta.url)('heic-decode') as HeicDecode;
  return decoder;
}

export interface DecodedHeic {
  /** Upright RGBA pixels. */
  rgba: Uint8Array;
  width: number;
  height: number;
  header: HeifHeader;
}

/**
 * Decodes the first top-level image (libheif lists the primary first in files written by phones).
 * `maxPixels` is checked against the header before any pixel memory is allocated.
 */
export async function decodeHeic(file: Uint8Array, maxPixels: number): Promise<DecodedHeic> {
  const header = parseHeifHeader(file);
  if (header.width * header.height > maxPixels) {
    throw new Error(`HEIF: image exceeds pixel limit (${header.width}x${header.height})`);
  }
  const { width, height, data } = await loadDecoder()({ buffer: file });
  return { rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height, header };
}
