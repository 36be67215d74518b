/**
 * Format detection by content (never by extension alone), the list of extensions the scanner
 * should offer to the decoder, and a small ISO-BMFF reader for the HEIF header fields that the
 * wasm HEIC decoder does not report (size before decoding, rotation, ICC profile).
 */

export type ImageFormat =
  'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif' | 'heic' | 'bmp' | 'raw' | 'svg' | 'unknown';

/**
 * Formats whose files may hold several frames or pages that are one work (an animated GIF or WebP, a multi-page
 * TIFF), of which the decoder reads the first: a file of another format counts as one frame (a HEIF with several
 * images is a container of photos, not an animation).
 */
export const MAY_HOLD_FRAMES: readonly ImageFormat[] = ['gif', 'webp', 'tiff'];

/** Extensions (lower case, with dot) of RAW formats whose embedded JPEG preview we decode. */
export const RAW_EXTENSIONS: readonly string[] = [
  '.cr2',
  '.nef',
  '.nrw',
  '.arw',
  '.srf',
  '.sr2',
  '.dng',
  '.orf',
  '.rw2',
  '.raf',
  '.pef',
  '.srw',
];

/** Every extension (lower case, with dot) the scanner should hand to decodeImage. */
export const SUPPORTED_EXTENSIONS: readonly string[] = [
  '.jpg',
  '.jpeg',
  '.jpe',
  '.jfif',
  '.png',
  '.webp',
  '.avif',
  '.heic',
  '.heif',
  '.hif',
  '.tif',
  '.tiff',
  '.gif',
  '.bmp',
  '.dib',
  ...RAW_EXTENSIONS,
];

const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'msf1', 'mif2']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** How many leading bytes sniffFormat needs to see. */
export const SNIFF_BYTES = 64;

/** Identifies the container from its first bytes; `extension` only separates plain TIFF from TIFF-based RAW. */
export function sniffFormat(head: Uint8Array, extension = ''): ImageFormat {
  const ascii = (start: number, end: number) => String.fromCharCode(...head.subarray(start, end));
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 8 && ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (head.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (head.length >= 16 && ascii(0, 15) === 'FUJIFILMCCD-RAW') return 'raw';
  if (head.length >= 4) {
    const magic = ascii(0, 4);
    // Olympus ORF and Panasonic RW2 are TIFF with a private magic number.
    if (magic === 'IIRO' || magic === 'IIRS' || magic === 'MMOR' || magic === 'IIU\0') return 'raw';
    if (magic === 'II*\0' || magic === 'MM\0*') {
      if (ascii(8, 10) === 'CR') return 'raw'; // Canon CR2
      return RAW_EXTENSIONS.includes(extension.toLowerCase()) ? 'raw' : 'tiff';
    }
  }
  if (head.length >= 12 && ascii(4, 8) === 'ftyp') {
    const size = Math.min(readU32(head, 0), head.length);
    const brands = [ascii(8, 12)];
    for (let at = 16; at + 4 <= size; at += 4) brands.push(ascii(at, at + 4));
    if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
    if (brands.some((b) => HEIC_BRANDS.has(b))) return 'heic';
    return 'unknown';
  }
  if (head.length >= 14 && ascii(0, 2) === 'BM' && readU32LE(head, 2) >= 26) return 'bmp';
  if (/^\s*(<\?xml|<svg)/.test(ascii(0, Math.min(head.length, 64)))) return 'svg';
  return 'unknown';
}

export interface HeifHeader {
  /** Size of the primary image as stored (before irot). */
  width: number;
  height: number;
  /** Anticlockwise rotation in degrees from `irot` (0, 90, 180, 270). */
  rotation: number;
  /** Mirror axis from `imir`, if any. */
  mirror?: 'vertical' | 'horizontal';
  /** ICC profile from a `colr` box of type prof/rICC, if any. */
  icc?: Uint8Array;
  hasAlpha: boolean;
}

interface Box {
  type: string;
  start: number; // first byte of the payload
  end: number;
}

/** Reads the primary item's properties from a HEIF file; throws on malformed structure. */
export function parseHeifHeader(file: Uint8Array): HeifHeader {
  const meta = childBoxes(file, 0, file.length).find((b) => b.type === 'meta');
  if (!meta) throw new Error('HEIF: no meta box');
  const metaChildren = childBoxes(file, meta.start + 4, meta.end); // meta is a FullBox
  const pitm = metaChildren.find((b) => b.type === 'pitm');
  const iprp = metaChildren.find((b) => b.type === 'iprp');
  if (!pitm || !iprp) throw new Error('HEIF: missing pitm or iprp');
  const primary = file[pitm.start] === 0 ? readU16(file, pitm.start + 4) : readU32(file, pitm.start + 4);
  const iprpChildren = childBoxes(file, iprp.start, iprp.end);
  const ipco = iprpChildren.find((b) => b.type === 'ipco');
  if (!ipco) throw new Error('HEIF: missing ipco');
  const properties = childBoxes(file, ipco.start, ipco.end);
  const associated = new Set<number>();
  for (const ipma of iprpChildren.filter((b) => b.type === 'ipma')) {
    for (const index of primaryAssociations(file, ipma, primary)) associated.add(index);
  }
  const header: HeifHeader = { width: 0, height: 0, rotation: 0, hasAlpha: false };
  for (const index of associated) {
    const property = properties[index - 1]; // property indices are 1-based
    if (!property) continue;
    const p = property.start;
    if (property.type === 'ispe') {
      header.width = readU32(file, p + 4);
      header.height = readU32(file, p + 8);
    } else if (property.type === 'irot') {
      header.rotation = (file[p] & 3) * 90;
    } else if (property.type === 'imir') {
      header.mirror = (file[p] & 1) === 0 ? 'vertical' : 'horizontal';
    } else if (property.type === 'colr') {
      const kind = String.fromCharCode(...file.subarray(p, p + 4));
      if (kind === 'prof' || kind === 'rICC') header.icc = file.slice(p + 4, property.end);
    }
  }
  // An alpha plane is an auxiliary item referencing the primary via 'auxl'; presence of an auxC
  // property whose URN names alpha is a cheap, good-enough signal.
  header.hasAlpha = properties.some(
    (b) => b.type === 'auxC' && String.fromCharCode(...file.subarray(b.start + 4, b.end)).includes('alpha'),
  );
  if (header.width === 0 || header.height === 0) throw new Error('HEIF: primary image has no ispe size');
  return header;
}

function primaryAssociations(file: Uint8Array, ipma: Box, item: number): number[] {
  const version = file[ipma.start];
  const flags = file[ipma.start + 3];
  let at = ipma.start + 4;
  const count = readU32(file, at);
  at += 4;
  const found: number[] = [];
  for (let i = 0; i < count && at < ipma.end; i++) {
    const id = version < 1 ? readU16(file, at) : readU32(file, at);
    at += version < 1 ? 2 : 4;
    const n = file[at++];
    for (let j = 0; j < n; j++) {
      const index = flags & 1 ? readU16(file, at) & 0x7fff : file[at] & 0x7f;
      at += flags & 1 ? 2 : 1;
      if (id === item) found.push(index);
    }
  }
  return found;
}

function childBoxes(file: Uint8Array, start: number, end: number): Box[] {
  const boxes: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    let size = readU32(file, at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) break;
      size = readU32(file, at + 8) * 2 ** 32 + readU32(file, at + 12);
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < header || at + size > end) throw new Error(`HEIF: box ${JSON.stringify(type)} overruns its parent`);
    boxes.push({ type, start: at + header, end: at + size });
    at += size;
  }
  return boxes;
}

function readU16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}

function readU32LE(b: Uint8Array, at: number): number {
  return ((b[at + 3] << 24) >>> 0) + ((b[at + 2] << 16) | (b[at + 1] << 8) | b[at]);
}
