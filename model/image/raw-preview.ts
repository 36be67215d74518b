/**
 * Finds the largest embedded JPEG preview in a camera RAW file, so that RAW photos can be indexed
 * without a RAW developer. Most RAW formats (CR2, NEF, ARW, DNG, ORF, RW2, PEF, SRW) are TIFF
 * containers: previews sit in IFDs as JPEGInterchangeFormat (0x201/0x202) or as a JPEG-compressed
 * strip, in IFD0's chain or in SubIFDs (0x14A); Panasonic RW2 keeps one in tag 0x2E; Fuji RAF has
 * a fixed header pointing at its JPEG. Only baseline/progressive JPEGs count: DNG's lossless-JPEG
 * raw data (SOF3) is not a picture libjpeg can show.
 */

export interface RawPreview {
  jpeg: Uint8Array;
  width: number;
  height: number;
  /** EXIF orientation from IFD0 (1 if absent); the preview itself is usually stored unrotated. */
  orientation: number;
}

const TAG_COMPRESSION = 0x103;
const TAG_STRIP_OFFSETS = 0x111;
const TAG_ORIENTATION = 0x112;
const TAG_STRIP_BYTE_COUNTS = 0x117;
const TAG_SUB_IFDS = 0x14a;
const TAG_JPEG_OFFSET = 0x201;
const TAG_JPEG_LENGTH = 0x202;
const TAG_EXIF_IFD = 0x8769;
const TAG_RW2_JPEG = 0x2e;

/** The largest decodable JPEG preview, or null when there is none (or the file is not a RAW container). */
export function extractRawPreview(file: Uint8Array): RawPreview | null {
  const raf = fujiPreview(file);
  if (raf) return raf;
  if (file.length < 8) return null;
  const little = file[0] === 0x49 && file[1] === 0x49;
  if (!little && !(file[0] === 0x4d && file[1] === 0x4d)) return null;
  const reader = new TiffReader(file, little);
  const candidates: { offset: number; length: number }[] = [];
  let orientation = 1;
  const visited = new Set<number>();
  const visit = (ifdOffset: number, depth: number, isIfd0: boolean) => {
    if (depth > 4 || visited.has(ifdOffset) || ifdOffset <= 0 || ifdOffset + 2 > file.length) return;
    visited.add(ifdOffset);
    const entries = reader.entries(ifdOffset);
    const tag = (id: number) => entries.find((e) => e.tag === id);
    if (isIfd0) orientation = tag(TAG_ORIENTATION)?.values[0] ?? 1;
    const jpegOffset = tag(TAG_JPEG_OFFSET)?.values[0];
    const jpegLength = tag(TAG_JPEG_LENGTH)?.values[0];
    if (jpegOffset !== undefined && jpegLength !== undefined)
      candidates.push({ offset: jpegOffset, length: jpegLength });
    const compression = tag(TAG_COMPRESSION)?.values[0];
    const strips = tag(TAG_STRIP_OFFSETS)?.values;
    const counts = tag(TAG_STRIP_BYTE_COUNTS)?.values;
    if ((compression === 6 || compression === 7) && strips?.length === 1 && counts?.length === 1) {
      candidates.push({ offset: strips[0], length: counts[0] });
    }
    const rw2 = tag(TAG_RW2_JPEG);
    if (rw2) candidates.push({ offset: rw2.dataOffset, length: rw2.count });
    for (const sub of tag(TAG_SUB_IFDS)?.values ?? []) visit(sub, depth + 1, false);
    const exif = tag(TAG_EXIF_IFD)?.values[0];
    if (exif !== undefined) visit(exif, depth + 1, false);
    const next = reader.nextIfd(ifdOffset);
    if (next) visit(next, depth, false);
  };
  try {
    visit(reader.u32(4), 0, true);
  } catch {
    // A malformed IFD ends the walk; whatever was found before it is still usable.
  }
  let best: RawPreview | null = null;
  for (const { offset, length } of candidates) {
    if (offset <= 0 || length <= 0 || offset + length > file.length) continue;
    const jpeg = file.subarray(offset, offset + length);
    const size = jpegFrameSize(jpeg);
    if (size && (!best || size.width * size.height > best.width * best.height)) {
      best = { jpeg, ...size, orientation: orientation >= 1 && orientation <= 8 ? orientation : 1 };
    }
  }
  return best;
}

function fujiPreview(file: Uint8Array): RawPreview | null {
  if (file.length < 100 || String.fromCharCode(...file.subarray(0, 15)) !== 'FUJIFILMCCD-RAW') return null;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const offset = view.getUint32(84, false);
  const length = view.getUint32(88, false);
  if (offset + length > file.length) return null;
  const jpeg = file.subarray(offset, offset + length);
  const size = jpegFrameSize(jpeg);
  // RAF previews carry their own EXIF orientation, which the JPEG decoder applies.
  return size ? { jpeg, ...size, orientation: 1 } : null;
}

/** Size from the first SOF0/1/2 marker, or null when the data is not a displayable JPEG. */
export function jpegFrameSize(jpeg: Uint8Array): { width: number; height: number } | null {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return null;
  let at = 2;
  while (at + 9 < jpeg.length) {
    if (jpeg[at] !== 0xff) return null;
    const marker = jpeg[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = (jpeg[at + 2] << 8) | jpeg[at + 3];
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      const height = (jpeg[at + 5] << 8) | jpeg[at + 6];
      const width = (jpeg[at + 7] << 8) | jpeg[at + 8];
      return width > 0 && height > 0 ? { width, height } : null;
    }
    // Any other SOF (lossless, arithmetic, hierarchical) is not something we can show; SOS means no frame header.
    if (
      (marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) ||
      marker === 0xda
    ) {
      return null;
    }
    at += 2 + length;
  }
  return null;
}

interface IfdEntry {
  tag: number;
  count: number;
  values: number[];
  /** Where the value bytes are (inline or at the pointed-to offset). */
  dataOffset: number;
}

const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 7: 1, 13: 4 };

class TiffReader {
  private readonly view: DataView;
  constructor(
    private readonly file: Uint8Array,
    private readonly little: boolean,
  ) {
    this.view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  }

  u16(at: number): number {
    return this.view.getUint16(at, this.little);
  }

  u32(at: number): number {
    return this.view.getUint32(at, this.little);
  }

  entries(ifd: number): IfdEntry[] {
    const count = this.u16(ifd);
    const entries: IfdEntry[] = [];
    for (let i = 0; i < count && ifd + 2 + (i + 1) * 12 <= this.file.length; i++) {
      const at = ifd + 2 + i * 12;
      const tag = this.u16(at);
      const type = this.u16(at + 2);
      const n = this.u32(at + 4);
      const size = (TYPE_SIZES[type] ?? 0) * n;
      const dataOffset = size <= 4 ? at + 8 : this.u32(at + 8);
      const values: number[] = [];
      // Numeric arrays longer than a few entries are strip tables of huge files; we only need short ones.
      if ((type === 3 || type === 4 || type === 13) && n <= 64 && dataOffset + size <= this.file.length) {
        for (let k = 0; k < n; k++)
          values.push(type === 3 ? this.u16(dataOffset + 2 * k) : this.u32(dataOffset + 4 * k));
      }
      entries.push({ tag, count: n, values, dataOffset });
    }
    return entries;
  }

  nextIfd(ifd: number): number {
    const at = ifd + 2 + this.u16(ifd) * 12;
    return at + 4 <= this.file.length ? this.u32(at) : 0;
  }
}
