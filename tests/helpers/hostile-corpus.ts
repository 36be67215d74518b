/**
 * A corpus of hostile files, generated (never committed): what a photo library holds when something went wrong —
 * truncated files of every format at many cut points, empty files, random bytes under image extensions, images
 * under the wrong extension, decompression bombs (huge declared dimensions, thousands of GIF frames, a TIFF whose
 * IFD chain loops), absurd EXIF (orientation 99, dates in year 9999, a 60 KB description), deep folders, symlink
 * loops, an unreadable file, and names with a line break, invalid UTF-8 or 255 bytes.
 *
 * `expect` says what a scan must do with each file: `indexed` (a picture, however odd its wrapping), `failed`
 * (listed with a sentence), or `either` (a truncated file a decoder may still read in part: it must be one or the
 * other, never lost, never a crash or a hang).
 */
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { encodeImage, type EncodeFormat } from '../../model/image/decode.js';
import { pngBomb } from './png-bomb.js';
import { syntheticPhoto } from './synthetic-photo.js';

export type Expectation = 'indexed' | 'failed' | 'either';

export interface HostileFile {
  /** The path as written (a Buffer for a name that is not valid UTF-8). */
  path: string | Buffer;
  kind: string;
  expect: Expectation;
}

const FORMATS: EncodeFormat[] = ['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif'];
const EXTENSION: Record<EncodeFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  avif: 'avif',
  tiff: 'tif',
  gif: 'gif',
};

/** Deterministic bytes. */
function randomBytes(count: number, seed: number): Buffer {
  const out = Buffer.alloc(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A little-endian TIFF whose first IFD points back to itself as the next one (an endless chain). */
function tiffLoop(): Buffer {
  const b = Buffer.alloc(8 + 2 + 12 * 3 + 4);
  b.write('II', 0, 'ascii');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(3, 8);
  const entry = (i: number, tag: number, value: number) => {
    const o = 10 + 12 * i;
    b.writeUInt16LE(tag, o);
    b.writeUInt16LE(3, o + 2); // SHORT
    b.writeUInt32LE(1, o + 4);
    b.writeUInt16LE(value, o + 8);
  };
  entry(0, 256, 1); // width
  entry(1, 257, 1); // height
  entry(2, 258, 8); // bits per sample
  b.writeUInt32LE(8, 10 + 12 * 3); // next IFD: itself
  return b;
}

/** Writes the corpus under `dir`; `cuts` truncation points per format (shares of the file, and a few bytes). */
export async function writeHostileCorpus(
  dir: string,
  options: { cuts?: number[] } = {},
): Promise<{ files: HostileFile[]; unreadable: string | null }> {
  const cuts = options.cuts ?? [1, 2, 8, 64, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99];
  const files: HostileFile[] = [];
  const put = (relative: string | Buffer, bytes: Buffer, kind: string, expect: Expectation) => {
    const full =
      typeof relative === 'string' ? path.join(dir, relative) : Buffer.concat([Buffer.from(`${dir}/`), relative]);
    mkdirSync(path.dirname(typeof full === 'string' ? full : full.toString('latin1')), { recursive: true });
    writeFileSync(full, bytes);
    files.push({ path: full, kind, expect });
  };
  const picture = (seed: number) => syntheticPhoto({ width: 96, height: 72, seed });

  // Good pictures of every format, and pictures under another format's extension.
  for (const [i, format] of FORMATS.entries()) {
    const bytes = await encodeImage(picture(10 + i), format);
    put(`good/photo-${format}.${EXTENSION[format]}`, bytes, `valid ${format}`, 'indexed');
    const wrong = FORMATS[(i + 1) % FORMATS.length];
    put(
      `wrong-extension/${format}-named.${EXTENSION[wrong]}`,
      bytes,
      `${format} named .${EXTENSION[wrong]}`,
      'indexed',
    );
    // Truncated at many points: the first bytes only cannot be a picture; later cuts may decode in part.
    for (const cut of cuts) {
      const length = cut < 1 ? Math.max(1, Math.floor(bytes.length * cut)) : Math.min(cut, bytes.length - 1);
      put(
        `truncated/${format}-${cut}.${EXTENSION[format]}`,
        bytes.subarray(0, length),
        `${format} cut at ${length} of ${bytes.length} bytes`,
        length <= 64 ? 'failed' : 'either',
      );
    }
  }

  // HEIC (no encoder here: the committed fixture made by tests/fixtures/make-heic-fixtures.ts), cut likewise.
  const heic = readFileSync(new URL('../fixtures/synthetic.heic', import.meta.url));
  put('good/photo-heic.heic', heic, 'valid heic', 'indexed');
  for (const cut of cuts) {
    const length = cut < 1 ? Math.max(1, Math.floor(heic.length * cut)) : Math.min(cut, heic.length - 1);
    put(
      `truncated/heic-${cut}.heic`,
      heic.subarray(0, length),
      `heic cut at ${length} of ${heic.length} bytes`,
      length <= 64 ? 'failed' : 'either',
    );
  }

  // Nothing, or noise, under image extensions.
  put('empty/zero.jpg', Buffer.alloc(0), 'zero bytes', 'failed');
  for (const [i, ext] of ['jpg', 'png', 'heic', 'webp', 'tif'].entries()) {
    put(`noise/random.${ext}`, randomBytes(4096, i + 1), `random bytes named .${ext}`, 'failed');
  }

  // Decompression bombs: dimensions far past the pixel limit; a GIF of 2,000 frames; an IFD chain that loops.
  put('bombs/huge.png', pngBomb(100_000, 100_000), 'PNG claiming 100,000 × 100,000', 'failed');
  put('bombs/wide.png', pngBomb(4_000_000, 4_000), 'PNG claiming 4,000,000 × 4,000', 'failed');
  const tiny = picture(30);
  const frame = { ...tiny, width: 8, height: 6, data: tiny.data.subarray(0, 8 * 6 * tiny.channels) };
  const extraFrames = Array.from({ length: 1999 }, () => frame);
  put('bombs/frames.gif', await encodeImage(frame, 'gif', { extraFrames }), 'GIF of 2,000 frames', 'indexed');
  put('bombs/loop.tif', tiffLoop(), 'TIFF whose IFD chain loops', 'either');

  // Absurd EXIF: orientation 99 (patched in), dates in year 9999, a 60 KB description.
  const exif = await sharp(Buffer.from(picture(40).data), { raw: { width: 96, height: 72, channels: 3 } })
    .withExif({
      IFD0: { ImageDescription: 'x'.repeat(60_000), DateTime: '9999:99:99 99:99:99', Orientation: '1' },
      IFD2: { DateTimeOriginal: '9999:12:31 25:61:61' },
    })
    .jpeg()
    .toBuffer();
  const orientation = exif.indexOf(Buffer.from([0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00]));
  if (orientation >= 0) exif[orientation + 8] = 99;
  put('exif/absurd.jpg', exif, 'EXIF orientation 99, year 9999, 60 KB description', 'indexed');

  // Names: a line break, bytes that are not UTF-8, 255 bytes; a picture 40 folders deep.
  const named = await encodeImage(picture(50), 'jpeg');
  put('names/line\nbreak.jpg', named, 'a line break in the name', 'indexed');
  put(
    Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x73, 0x2f, 0xff, 0xfe, 0x2e, 0x6a, 0x70, 0x67]),
    named,
    'a name that is not UTF-8',
    'failed', // Node cannot open it by name: listed with a sentence saying so
  );
  put(`names/${'n'.repeat(251)}.jpg`, named, 'a 255-byte name', 'indexed');
  put(
    `${Array.from({ length: 40 }, (_, i) => `d${i}`).join('/')}/deep.jpg`,
    named,
    'a picture 40 folders deep',
    'indexed',
  );

  // Symlink loops: a folder linking to itself and to its parent.
  mkdirSync(path.join(dir, 'loops', 'inner'), { recursive: true });
  symlinkSync('.', path.join(dir, 'loops', 'self'));
  symlinkSync('..', path.join(dir, 'loops', 'inner', 'up'));
  put('loops/inner/photo.jpg', await encodeImage(picture(60), 'jpeg'), 'a picture beside symlink loops', 'indexed');

  // A file nobody may read (root reads it anyway: then it is a plain picture).
  const locked = path.join(dir, 'locked', 'locked.jpg');
  mkdirSync(path.dirname(locked), { recursive: true });
  writeFileSync(locked, await encodeImage(picture(70), 'jpeg'));
  chmodSync(locked, 0o000);
  const rootReads = process.getuid?.() === 0;
  files.push({ path: locked, kind: 'unreadable by permission', expect: rootReads ? 'indexed' : 'failed' });
  return { files, unreadable: rootReads ? null : locked };
}
