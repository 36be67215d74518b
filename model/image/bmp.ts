/**
 * A small BMP/DIB reader: the prebuilt libvips in sharp has no BMP loader (it would need
 * ImageMagick), and BMP is simple enough to read here. Handles the header variants in the wild
 * (OS/2 core, BITMAPINFOHEADER, V4, V5), 1/4/8-bit palettes, RLE4/RLE8, 16/24/32-bit with or
 * without bit fields, bottom-up and top-down rows. Throws plain Errors; the adapter maps them.
 */
import type { RawImage } from '../types.js';

export interface BmpHeader {
  width: number;
  height: number;
  bitsPerPixel: number;
  compression: number;
  topDown: boolean;
  hasAlpha: boolean;
}

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

interface Layout extends BmpHeader {
  pixelOffset: number;
  headerSize: number;
  paletteOffset: number;
  paletteEntrySize: number;
  paletteSize: number;
  masks: [number, number, number, number];
}

export function readBmpHeader(file: Uint8Array): BmpHeader {
  const { width, height, bitsPerPixel, compression, topDown, hasAlpha } = readLayout(file);
  return { width, height, bitsPerPixel, compression, topDown, hasAlpha };
}

function readLayout(file: Uint8Array): Layout {
  if (file.length < 26 || file[0] !== 0x42 || file[1] !== 0x4d) throw new Error('BMP: not a BMP file');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const pixelOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  let width: number;
  let rawHeight: number;
  let bitsPerPixel: number;
  let compression = BI_RGB;
  let paletteSize = 0;
  let masks: [number, number, number, number] = [0, 0, 0, 0];
  if (headerSize === 12) {
    width = view.getUint16(18, true);
    rawHeight = view.getInt16(20, true);
    bitsPerPixel = view.getUint16(24, true);
  } else if (headerSize >= 40 && file.length >= 14 + 40) {
    width = view.getInt32(18, true);
    rawHeight = view.getInt32(22, true);
    bitsPerPixel = view.getUint16(28, true);
    compression = view.getUint32(30, true);
    paletteSize = view.getUint32(46, true);
    if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
      // Masks follow a 40-byte header, or live inside V2+ headers at the same offsets.
      const at = 14 + 40;
      if (file.length < at + 12) throw new Error('BMP: truncated bit-field masks');
      const alpha = headerSize >= 56 || compression === BI_ALPHABITFIELDS ? view.getUint32(at + 12, true) : 0;
      masks = [view.getUint32(at, true), view.getUint32(at + 4, true), view.getUint32(at + 8, true), alpha];
    }
  } else {
    throw new Error(`BMP: unsupported header size ${headerSize}`);
  }
  if (width <= 0 || rawHeight === 0) throw new Error('BMP: invalid dimensions');
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) throw new Error(`BMP: unsupported bit depth ${bitsPerPixel}`);
  if (![BI_RGB, BI_RLE8, BI_RLE4, BI_BITFIELDS, BI_ALPHABITFIELDS].includes(compression)) {
    throw new Error(`BMP: unsupported compression ${compression} (embedded JPEG/PNG)`);
  }
  if (compression === BI_RGB && bitsPerPixel === 16) masks = [0x7c00, 0x03e0, 0x001f, 0];
  if (compression === BI_RGB && bitsPerPixel === 32) masks = [0xff0000, 0xff00, 0xff, 0];
  // V3+ headers (>= 56 bytes) carry an alpha mask even for BI_RGB in practice only via BITFIELDS.
  if (bitsPerPixel <= 8 && paletteSize === 0) paletteSize = 1 << bitsPerPixel;
  const paletteEntrySize = headerSize === 12 ? 3 : 4;
  const extraMasks = headerSize === 40 && compression === BI_BITFIELDS ? 12 : 0;
  const extraAlphaMask = headerSize === 40 && compression === BI_ALPHABITFIELDS ? 16 : 0;
  return {
    width,
    height: Math.abs(rawHeight),
    bitsPerPixel,
    compression,
    topDown: rawHeight < 0,
    hasAlpha: masks[3] !== 0,
    pixelOffset,
    headerSize,
    paletteOffset: 14 + headerSize + extraMasks + extraAlphaMask,
    paletteEntrySize,
    paletteSize,
    masks,
  };
}

/** Decodes a BMP to 8-bit RGB, or RGBA when the file has an alpha mask. */
export function decodeBmp(file: Uint8Array, maxPixels = Infinity): RawImage {
  const layout = readLayout(file);
  const { width, height, bitsPerPixel, compression, topDown } = layout;
  if (width * height > maxPixels) throw new Error(`BMP: image exceeds pixel limit (${width}x${height})`);
  const channels = layout.hasAlpha ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  const palette = readPalette(file, layout);
  const setIndexed = (x: number, row: number, index: number) => {
    if (x >= width || row < 0 || row >= height) return;
    const y = topDown ? row : height - 1 - row;
    const o = (y * width + x) * channels;
    const p = (index % Math.max(1, palette.length / 3)) * 3;
    out[o] = palette[p] ?? 0;
    out[o + 1] = palette[p + 1] ?? 0;
    out[o + 2] = palette[p + 2] ?? 0;
  };
  if (compression === BI_RLE8 || compression === BI_RLE4) {
    decodeRle(file, layout, setIndexed);
    return { data: out, width, height, channels };
  }
  const stride = Math.ceil((width * bitsPerPixel) / 32) * 4;
  if (layout.pixelOffset + stride * (height - 1) + Math.ceil((width * bitsPerPixel) / 8) > file.length) {
    throw new Error('BMP: pixel data is truncated');
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shifts = layout.masks.map(maskShape);
  for (let row = 0; row < height; row++) {
    const base = layout.pixelOffset + row * stride;
    const y = topDown ? row : height - 1 - row;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      if (bitsPerPixel <= 8) {
        const bit = x * bitsPerPixel;
        const index = (file[base + (bit >> 3)] >> (8 - bitsPerPixel - (bit & 7))) & ((1 << bitsPerPixel) - 1);
        setIndexed(x, row, index);
      } else if (bitsPerPixel === 24) {
        const i = base + x * 3;
        out[o] = file[i + 2];
        out[o + 1] = file[i + 1];
        out[o + 2] = file[i];
      } else {
        const value = bitsPerPixel === 16 ? view.getUint16(base + x * 2, true) : view.getUint32(base + x * 4, true);
        for (let c = 0; c < channels; c++) out[o + c] = extractChannel(value, shifts[c]);
      }
    }
  }
  return { data: out, width, height, channels };
}

function readPalette(file: Uint8Array, layout: Layout): Uint8Array {
  if (layout.bitsPerPixel > 8) return new Uint8Array(0);
  const entries = Math.min(layout.paletteSize, 256);
  const palette = new Uint8Array(entries * 3);
  for (let i = 0; i < entries; i++) {
    const at = layout.paletteOffset + i * layout.paletteEntrySize;
    if (at + 3 > file.length) throw new Error('BMP: truncated palette');
    palette[i * 3] = file[at + 2];
    palette[i * 3 + 1] = file[at + 1];
    palette[i * 3 + 2] = file[at];
  }
  return palette;
}

interface MaskShape {
  mask: number;
  shift: number;
  max: number;
}

function maskShape(mask: number): MaskShape {
  if (mask === 0) return { mask: 0, shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { mask: mask >>> 0, shift, max: (mask >>> 0) >>> shift };
}

function extractChannel(value: number, shape: MaskShape): number {
  if (shape.max === 0) return 255; // absent channel (alpha without mask)
  return Math.round(((((value >>> 0) & shape.mask) >>> shape.shift) * 255) / shape.max);
}

/** Run-length decoding (RLE8/RLE4), clipped to the image; a short stream leaves the rest black. */
function decodeRle(file: Uint8Array, layout: Layout, set: (x: number, row: number, index: number) => void): void {
  const nibbles = layout.compression === BI_RLE4;
  let at = layout.pixelOffset;
  let x = 0;
  let row = 0;
  while (at + 1 < file.length && row < layout.height) {
    const count = file[at];
    const value = file[at + 1];
    at += 2;
    if (count > 0) {
      for (let i = 0; i < count; i++) set(x++, row, nibbles ? (i & 1 ? value & 15 : value >> 4) : value);
    } else if (value === 0) {
      x = 0;
      row++;
    } else if (value === 1) {
      return;
    } else if (value === 2) {
      x += file[at] ?? 0;
      row += file[at + 1] ?? 0;
      at += 2;
    } else {
      const bytes = nibbles ? Math.ceil(value / 2) : value;
      for (let i = 0; i < value; i++) {
        const byte = file[at + (nibbles ? i >> 1 : i)] ?? 0;
        set(x++, row, nibbles ? (i & 1 ? byte & 15 : byte >> 4) : byte);
      }
      at += bytes + (bytes & 1); // absolute runs are word-aligned
    }
  }
}

/** Writes an uncompressed 24-bit (or 32-bit with alpha) BMP; used to make test fixtures. */
export function encodeBmp(image: RawImage, options: { topDown?: boolean } = {}): Uint8Array {
  const { width, height, channels } = image;
  const bits = channels === 4 ? 32 : 24;
  const stride = Math.ceil((width * bits) / 32) * 4;
  const headerSize = bits === 32 ? 108 : 40; // V4 header carries the alpha mask
  const pixelOffset = 14 + headerSize;
  const file = new Uint8Array(pixelOffset + stride * height);
  const view = new DataView(file.buffer);
  file[0] = 0x42;
  file[1] = 0x4d;
  view.setUint32(2, file.length, true);
  view.setUint32(10, pixelOffset, true);
  view.setUint32(14, headerSize, true);
  view.setInt32(18, width, true);
  view.setInt32(22, options.topDown ? -height : height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bits, true);
  view.setUint32(30, bits === 32 ? BI_BITFIELDS : BI_RGB, true);
  view.setUint32(34, stride * height, true);
  if (bits === 32) {
    view.setUint32(54, 0x00ff0000, true);
    view.setUint32(58, 0x0000ff00, true);
    view.setUint32(62, 0x000000ff, true);
    view.setUint32(66, 0xff000000, true);
    view.setUint32(70, 0x73524742, true); // 'sRGB'
  }
  for (let y = 0; y < height; y++) {
    const row = options.topDown ? y : height - 1 - y;
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels;
      const to = pixelOffset + row * stride + (x * bits) / 8;
      const grey = channels === 1;
      file[to] = image.data[from + (grey ? 0 : 2)];
      file[to + 1] = image.data[from + (grey ? 0 : 1)];
      file[to + 2] = image.data[from];
      if (bits === 32) file[to + 3] = image.data[from + 3];
    }
  }
  return file;
}
