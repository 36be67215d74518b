// No real camera RAW files are available to the project, so these tests build TIFF-container files
// laid out like NEF/CR2/DNG (IFD0 thumbnail, SubIFD preview, lossless-JPEG sensor data) and a RAF header.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  inverseOrientation,
  meanAbsoluteDifference,
  orientPixels,
  syntheticPhoto,
  type Orientation,
} from '../../tests/helpers/synthetic-photo.js';
import { decodeImage, encodeImage, probeImage, DecodeError } from './decode.js';
import { extractRawPreview, jpegFrameSize } from './raw-preview.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';

interface Entry {
  tag: number;
  type: 3 | 4;
  values?: number[];
  /** A LONG entry whose value is the offset of these bytes, which are placed after the IFDs. */
  pointsTo?: Uint8Array;
}

/** Lays out a TIFF: IFD0 with a SubIFDs pointer to one SubIFD, then the pointed-to data. */
function buildTiff(little: boolean, ifd0: Entry[], subIfd: Entry[]): Uint8Array {
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
function jpegTags(offsetTag: number, lengthTag: number, jpeg: Uint8Array): Entry[] {
  return [
    { tag: offsetTag, type: 4, pointsTo: jpeg },
    { tag: lengthTag, type: 4, values: [jpeg.length] },
  ];
}

const photo = syntheticPhoto({ width: 160, height: 120, seed: 5 });
let dir: string;
beforeAll(() => {
  dir = tempDir('raw');
});

async function nefLike(little: boolean, orientation: Orientation, stored = photo): Promise<Uint8Array> {
  const thumbnail = await encodeImage(syntheticPhoto({ width: 40, height: 30, seed: 9 }), 'jpeg');
  const preview = await encodeImage(stored, 'jpeg', { quality: 95 });
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

describe('RAW embedded preview', () => {
  it('finds the largest displayable JPEG, in little- and big-endian containers', async () => {
    for (const little of [true, false]) {
      const preview = extractRawPreview(await nefLike(little, 1));
      expect(preview).toMatchObject({ width: 160, height: 120, orientation: 1 });
      expect(jpegFrameSize(preview!.jpeg)).toEqual({ width: 160, height: 120 });
    }
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8] as Orientation[])('decodes a .nef with IFD0 orientation %i upright', async (o) => {
    const file = join(dir, `photo-${o}.nef`);
    await writeFile(file, await nefLike(true, o, orientPixels(photo, inverseOrientation(o))));
    const decoded = await decodeImage(file);
    expect([decoded.width, decoded.height]).toEqual([160, 120]);
    expect(meanAbsoluteDifference(decoded, photo)).toBeLessThan(4);
    expect(await probeImage(file)).toMatchObject({ width: 160, height: 120, format: 'raw', orientation: o });
  });

  it('recognises CR2 by content and a RAF header', async () => {
    const cr2 = await nefLike(true, 1);
    cr2.set(Buffer.from('CR', 'latin1'), 8);
    expect(await decodeImage(Buffer.from(cr2))).toMatchObject({ width: 160, height: 120 });
    const jpeg = await encodeImage(photo, 'jpeg');
    const raf = new Uint8Array(160 + jpeg.length);
    raf.set(Buffer.from('FUJIFILMCCD-RAW 0201FF383501', 'latin1'), 0);
    new DataView(raf.buffer).setUint32(84, 160, false);
    new DataView(raf.buffer).setUint32(88, jpeg.length, false);
    raf.set(jpeg, 160);
    expect(await decodeImage(Buffer.from(raf), { size: 32 })).toMatchObject({ width: 32, height: 32 });
  });

  it('a RAW container without a usable preview is UNSUPPORTED, not a crash', async () => {
    const file = join(dir, 'sensor-only.dng');
    await writeFile(
      file,
      buildTiff(true, [{ tag: 0x112, type: 3, values: [1] }], [{ tag: 0x103, type: 3, values: [1] }]),
    );
    const error = await decodeImage(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code).toBe('UNSUPPORTED');
  });
});
