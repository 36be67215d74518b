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
import { buildTiff, nefLike as nefLikeFile } from '../../tests/helpers/raw-file.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';

const photo = syntheticPhoto({ width: 160, height: 120, seed: 5 });
let dir: string;
beforeAll(() => {
  dir = tempDir('raw');
});

/** A NEF-like file of `stored` (default: the test photo). */
const nefLike = (little: boolean, orientation: Orientation, stored = photo) => nefLikeFile(little, orientation, stored);

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
