/**
 * Camera RAW files for tests: no real ones are available to the project, so these are TIFF containers laid out like
 * NEF/CR2/DNG (IFD0 thumbnail, SubIFD preview, lossless-JPEG sensor data).
 */
import { encodeImage } from '../../model/image/decode.js';
import type { RawImage } from '../../model/types.js';
import { syntheticPhoto } from './synthetic-photo.js';

export interface Entry {
  tag: number;
  type: 3 | 4;
  values?: number[];
  /** A LONG entry whose value is the offset of these bytes, which are placed after the IFDs. */
  pointsTo?: Uint8Array;
}

/** Lays out a TIFF: IFD0 with a SubIFDs pointer to one SubIFD, then the pointed-to data. */
export function buildTiff(little: boolean, ifd0: Entry[], subIfd: Entry[]): Uint8Array {
  const ifdSize = (entries: Entry[]) => 2 + entries.length * 12 + 4;
  const ifd0At = 8;
  const subAt = ifd0At + ifdSize(ifd0) + 12; // +12 for the SubIFDs entry added below
  let dataAt = subAt + ifdSize(subIfd);
  const placed = new Map<Uint8Array, number>();
  for (const e of [...ifd0, ...subIfd]) {
    if (e.pointsTo && !placed.has(e.pointsTo)) {
      placed.set(e.pointsTo, dataAt);
      dataAt += e.pointsTo.length + (e.pointsTo.length & 1); // TIFF data is word-aligned
    }
  }
  const file = new Uint8Array(dataAt);
  const view = new DataView(file.buffer);
  file.set(Buffer.from(little ? 'II*\0' : 'MM\0*', 'latin1'), 0);
  view.setUint32(4, ifd0At, little);
  const writeIfd = (at: number, entries: Entry[]) => {
    const sorted = [...entries].sort((a, b) => a.tag - b.tag);
    view.setUint16(at, sorted.length, little);
    sorted.forEach((e, i) => {
      const p = at + 2 + i * 12;
      const values = e.pointsTo ? [placed.get(e.pointsTo)!] : (e.values ?? []);
      view.setUint16(p, e.tag, little);
      view.setUint16(p + 2, e.type, little);
      view.setUint32(p + 4, values.length, little);
      if (e.type === 3) values.forEach((v, k) => view.setUint16(p + 8 + 2 * k, v, little));
      else view.setUint32(p + 8, values[0], little);
    });
    view.setUint32(at + 2 + sorted.length * 12, 0, little);
  };
  writeIfd(ifd0At, [...ifd0, { tag: 0x14a, type: 4, values: [subAt] }]);
  writeIfd(subAt, subIfd);
  for (const [bytes, at] of placed) file.set(bytes, at);
  return file;
}

/** The offset/length tag pair that locates `jpeg` (0x201/0x202, or a single strip 0x111/0x117). */
export function jpegTags(offsetTag: number, lengthTag: number, jpeg: Uint8Array): Entry[] {
  return [
    { tag: offsetTag, type: 4, pointsTo: jpeg },
    { tag: lengthTag, type: 4, values: [jpeg.length] },
  ];
}

/**
 * A NEF-like file whose displayable preview is `picture` as a JPEG (EXIF orientation `orientation`), beside a small
 * thumbnail and lossless sensor data (which no decoder may take for the picture).
 */
export async function nefLike(little: boolean, orientation: number, picture: RawImage): Promise<Uint8Array> {
  const thumbnail = await encodeImage(syntheticPhoto({ width: 40, height: 30, seed: 9 }), 'jpeg');
  const preview = await encodeImage(picture, 'jpeg', { quality: 95 });
  // Bigger than the preview but lossless JPEG (SOF3), like DNG sensor data: must never be chosen.
  const sensor = Uint8Array.from([0xff, 0xd8, 0xff, 0xc3, 0, 11, 8, 0x0f, 0xa0, 0x0b, 0xb8, 1, 1, 0x11, 0, 0xff, 0xd9]);
  const ifd0 = [{ tag: 0x112, type: 3 as const, values: [orientation] }, ...jpegTags(0x201, 0x202, thumbnail)];
  const sub = [
    { tag: 0x103, type: 3 as const, values: [6] },
    ...jpegTags(0x111, 0x117, preview),
    ...jpegTags(0x201, 0x202, sensor),
  ];
  return buildTiff(little, ifd0, sub);
}
