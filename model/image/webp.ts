/**
 * Lossy WebP decoding through `@jsquash/webp` (libwebp's decoder compiled to wasm), for the one kind of WebP the
 * app reads over and over: its own thumbnails (electron/search/pixels/pixel-check.ts prepares every candidate pair's
 * two, the keep rule measures them). libvips, inside sharp, takes 3.4–5 ms of CPU for a 256 × 192 thumbnail, this
 * 1.4 ms, and libwebp's own C decoder 0.7 ms; the output is libwebp's, the same bytes as sharp's (checked on every
 * thumbnail of the stress library, 1,528, and in webp.test.ts).
 *
 * Only the simple lossy format is taken (`RIFF…WEBPVP8 `): no alpha, no colour profile, no EXIF orientation, no
 * animation, so nothing that sharp's path (decode.ts) would convert, turn or flatten differently. Anything else, and
 * anything libwebp here refuses, is left to sharp (`null`), which gives the decode error a caller expects.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RawImage } from '../types.js';
import { sniffFormat, SNIFF_BYTES } from './formats.js';

interface WebpModule {
  decode(data: ArrayBuffer | Uint8Array): { data: Uint8ClampedArray; width: number; height: number } | null;
}

let module: Promise<WebpModule> | undefined;

/**
 * Larger pictures are left to sharp: the module's memory grows to hold a decode (4 bytes a pixel) and never shrinks,
 * and the thumbnails this is for have 65,536 pixels at most.
 */
export const WASM_MAX_PIXELS = 4_000_000;

/** Compiled and started on first use, once per thread (~140 KB of wasm). */
function loadModule(): Promise<WebpModule> {
  module ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasm = await WebAssembly.compile(readFileSync(require.resolve('@jsquash/webp/codec/dec/webp_dec.wasm')));
    const { default: factory } = (await import('@jsquash/webp/codec/dec/webp_dec.js')) as unknown as {
      default: (options: object) => Promise<WebpModule>;
    };
    return factory({
      noInitialRun: true,
      instantiateWasm: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) => {
        const instance = new WebAssembly.Instance(wasm, imports);
        done(instance);
        return instance.exports;
      },
    });
  })();
  module.catch(() => (module = undefined)); // a failed start is tried again next time
  return module;
}

/**
 * The size of a simple lossy WebP (RIFF header, then a `VP8 ` chunk holding a key frame), null for any other
 * file: read from the frame header, 14 bits a side.
 */
export function simpleLossyWebpSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 30 || sniffFormat(bytes.subarray(0, SNIFF_BYTES)) !== 'webp') return null;
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'VP8 ') return null;
  // Frame tag (3 bytes, bit 0 clear for a key frame), start code 9d 01 2a, then width and height.
  if ((bytes[20] & 1) !== 0 || bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) return null;
  const width = (bytes[26] | (bytes[27] << 8)) & 0x3fff;
  const height = (bytes[28] | (bytes[29] << 8)) & 0x3fff;
  return width && height ? { width, height } : null;
}

/**
 * The RGB pixels of a simple lossy WebP of at most `maxPixels` (and WASM_MAX_PIXELS); null when the file is another
 * kind of WebP (or not one), is larger, or does not decode here: the caller then decodes it with sharp.
 */
export async function decodeSimpleWebp(bytes: Uint8Array, maxPixels: number): Promise<RawImage | null> {
  const size = simpleLossyWebpSize(bytes);
  if (!size || size.width * size.height > Math.min(maxPixels, WASM_MAX_PIXELS)) return null;
  let decoded: ReturnType<WebpModule['decode']>;
  try {
    decoded = (await loadModule()).decode(bytes);
  } catch {
    return null;
  }
  if (!decoded || decoded.width !== size.width || decoded.height !== size.height) return null;
  const rgba = decoded.data;
  const data = new Uint8Array(size.width * size.height * 3);
  for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
    data[j] = rgba[i];
    data[j + 1] = rgba[i + 1];
    data[j + 2] = rgba[i + 2];
  }
  return { data, width: size.width, height: size.height, channels: 3 };
}
