/**
 * The real PhotoAnalyzer: the encode pipeline decodes each photo once (model input and thumbnail), batches
 * the query network across photos, and returns codes and the descriptor; EXIF is read from the file's head.
 */
import exifr from 'exifr';
import { open } from 'node:fs/promises';
import { AppError } from '../api/errors.js';
import { toSqliteInteger } from '../../model/codes.js';
import { quantizeEmbedding } from '../../model/embedding.js';
import { DecodeError } from '../../model/image/decode.js';
import { toDecodeError } from '../../model/image/errors.js';
import { MAY_HOLD_FRAMES } from '../../model/image/formats.js';
import type { EncodeResult } from '../../model/pipeline/pipeline.js';
import type { VariantRequest } from '../../model/variants.js';
import { timeStage } from '../../model/stage-clock.js';
import { type CodeKind, type PhotoAnalysis, type StoredCode, storedVariant } from './catalog/catalog.js';

export const THUMBNAIL_SIZE = 256;

/** What the scanner needs from the query network: an encode pipeline plus what to record with its codes. */
/** Decodes and encodes one photo. Throws (any error) when the file cannot be analysed. */
export interface PhotoAnalyzer {
  analyze(file: string, signal: AbortSignal): Promise<PhotoAnalysis>;
}

export interface PhotoEncoder {
  /** Calls to keep in flight for full throughput (decodes overlapping with batched inference). */
  readonly capacity: number;
  /** Per code kind: the code length, and the model version (backbone + head) stored with every code. */
  readonly codes: Readonly<Record<CodeKind, { readonly bits: number; readonly version: string }>>;
  /** The backbone that made the descriptors (null: do not store descriptors). */
  readonly backboneVersion: string | null;
  /** The versions of each photo whose duplicate codes it makes beside the photo's own (model/variants.ts). */
  readonly variants: readonly VariantRequest[];
  /** Decodes a photo and makes both codes (and the duplicate codes of its variants). */
  encode(file: string, signal: AbortSignal): Promise<EncodeResult>;
  /** One kind's codes of stored descriptors (this backbone's), without decoding: how a new head catches up. */
  hash(kind: CodeKind, descriptors: Float32Array[]): Promise<Uint32Array[]>;
  close(): Promise<void>;
}

/** int8 with one scale per vector: 4× smaller than float32, plenty for re-encoding with a new head. */
export function quantizeDescriptor(values: Float32Array): { data: Int8Array; scale: number } {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  const scale = max > 0 ? max / 127 : 1;
  const data = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.round(values[i] / scale);
  return { data, scale };
}

export function dequantizeDescriptor(data: Int8Array, scale: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * scale;
  return out;
}

interface ExifFields {
  DateTimeOriginal?: Date | string;
  CreateDate?: Date | string;
  SubSecTimeOriginal?: string | number;
  SubSecTimeDigitized?: string | number;
  Make?: string;
  Model?: string;
}

/** EXIF sits near the start of JPEG, HEIC, TIFF and RAW files; reading this much avoids reading whole files. */
const EXIF_HEAD_BYTES = 256 * 1024;

async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(EXIF_HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, EXIF_HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * `date` (EXIF `DateTimeOriginal`, to the second) with the fraction of a second EXIF keeps apart
 * (`SubSecTimeOriginal`: the digits after the decimal point, "345" or "34" or "3", sometimes padded with spaces),
 * to the millisecond; `date` as it is where there is none or it is not digits.
 */
export function withSubSeconds(date: Date, subSeconds: unknown): Date {
  const digits =
    typeof subSeconds === 'number' ? String(subSeconds) : typeof subSeconds === 'string' ? subSeconds.trim() : '';
  if (!/^\d+$/.test(digits)) return date;
  return new Date(date.getTime() + Number(`${digits}00`.slice(0, 3)));
}

async function readExif(file: string): Promise<{ takenAt: string | null; camera: string | null }> {
  try {
    // Given a path, exifr can leave a file handle for the GC to close; given the file's head, it cannot.
    const exif = (await exifr.parse(await readHead(file), {
      pick: ['DateTimeOriginal', 'CreateDate', 'SubSecTimeOriginal', 'SubSecTimeDigitized', 'Make', 'Model'],
    })) as ExifFields | undefined;
    // To the millisecond where the file says (the shots of a burst within one second:
    // electron/search/duplicates/capture-time.ts).
    const [date, subSeconds] = exif?.DateTimeOriginal
      ? [exif.DateTimeOriginal, exif.SubSecTimeOriginal]
      : [exif?.CreateDate, exif?.SubSecTimeDigitized];
    const takenAt =
      date instanceof Date && !Number.isNaN(date.getTime()) ? withSubSeconds(date, subSeconds).toISOString() : null;
    const camera = [exif?.Make?.trim(), exif?.Model?.trim()].filter(Boolean).join(' ') || null;
    return { takenAt, camera };
  } catch {
    return { takenAt: null, camera: null }; // EXIF is optional; a broken EXIF block must not fail the photo
  }
}

export function createAnalyzer(encoder: PhotoEncoder): PhotoAnalyzer {
  return {
    async analyze(file: string, signal: AbortSignal): Promise<PhotoAnalysis> {
      const [result, exif] = await Promise.all([encoder.encode(file, signal), timeStage('exif', () => readExif(file))]);
      if (!result.ok) throw result.error;
      const { info, thumbnail, content, codes, descriptor, variantCodes } = result.photo;
      // The duplicate code keeps its head's output (verification of candidate pairs); the similarity code needs none.
      const embedding = (logits: Float32Array | null) => (logits?.length ? quantizeEmbedding(logits) : null);
      const stored = (kind: CodeKind): StoredCode => {
        const made = codes[kind];
        if (!made) throw new AppError('MODEL_ERROR', `The model produced no ${CODE_NAMES[kind]} code.`);
        const { bits, version } = encoder.codes[kind];
        const code = { code: toSqliteInteger(made.code, bits), bits, headVersion: version };
        return kind === 'dup' ? { ...code, embedding: embedding(made.logits) } : code;
      };
      const dupBits = encoder.codes.dup.bits;
      const variants = variantCodes.flatMap((v) =>
        v.code
          ? [
              {
                orientation: storedVariant(v.variant),
                canonical: v.canonical,
                code: toSqliteInteger(v.code, dupBits),
                embedding: embedding(v.logits),
              },
            ]
          : [],
      );
      const scale = Math.min(1, THUMBNAIL_SIZE / Math.max(info.width, info.height));
      return {
        width: info.width,
        height: info.height,
        // Measured on the small decode, scaled to the photo's pixels (the keep rule's resolution).
        contentWidth: Math.min(info.width, Math.max(1, Math.round(info.width * content.width))),
        contentHeight: Math.min(info.height, Math.max(1, Math.round(info.height * content.height))),
        format: info.format,
        takenAt: exif.takenAt,
        camera: exif.camera,
        orientation: info.orientation ?? null,
        frames: MAY_HOLD_FRAMES.includes(info.format) ? (info.pages ?? 1) : 1,
        codes: { dup: stored('dup'), sim: stored('sim') },
        // Greyscale and rotated/mirrored versions are matched by the duplicate code only.
        variants: variants.length ? { dup: variants } : undefined,
        descriptor: encoder.backboneVersion
          ? { backboneVersion: encoder.backboneVersion, ...quantizeDescriptor(descriptor) }
          : null,
        thumbnail: {
          webp: thumbnail,
          width: Math.max(1, Math.round(info.width * scale)),
          height: Math.max(1, Math.round(info.height * scale)),
        },
      };
    },
  };
}

const CODE_NAMES: Record<CodeKind, string> = { dup: 'duplicate', sim: 'similarity' };

/** An image that could not be read or decoded, as an API error: IO_ERROR for the file, DECODE_ERROR for its content. */
export function imageInputError(error: unknown, file: string): AppError {
  if (error instanceof AppError) return error;
  const e = error as NodeJS.ErrnoException;
  const unreadable =
    (error instanceof DecodeError && error.code === 'IO') || (typeof e?.code === 'string' && e.code.startsWith('E'));
  const reason = error instanceof DecodeError ? error.code : e?.code;
  return new AppError(unreadable ? 'IO_ERROR' : 'DECODE_ERROR', describeImageError(error, file), { reason });
}

/**
 * Why a scanned file could not be analysed, for the scan's list of failures (which names the file beside it):
 * what a person can act on first, the decoder's own words after, without the path they may repeat.
 */
export function scanFailureReason(error: unknown, file: string): string {
  const decode = toDecodeError(error, file);
  const detail = decode.message
    .split(` (${file})`)
    .join('')
    .split(`${file}: `)
    .join('')
    .split(file)
    .join('the file')
    .replace(/^Input (file|buffer) has corrupt header: /, '')
    // libvips may name a file its message came from (at times another one decoded beside it): not repeated.
    .replace(/(^|\s)\/\S*?: /g, '$1')
    .replace(/\.$/, '');
  switch (decode.code) {
    case 'UNSUPPORTED':
      return 'not an image Lookalike can read';
    case 'EMPTY':
      return 'the file is empty';
    case 'TOO_LARGE':
      return 'too large to decode safely (more pixels than the limit)';
    case 'IO':
      return `cannot be read (${detail})`;
    default: {
      const words = detail.replace(/^[\s:]+|[\s:]+$/g, '');
      return `damaged or cut short, so it cannot be decoded${words ? ` (${words})` : ''}`;
    }
  }
}

/** One sentence for a file that could not be read as an image, naming the file once. */
export function describeImageError(error: unknown, file: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const errno = (error as NodeJS.ErrnoException)?.code?.startsWith?.('E')
    ? (error as NodeJS.ErrnoException).code
    : /\b(ENOENT|EACCES|EPERM|EISDIR)\b/.exec(message)?.[1];
  if (errno === 'ENOENT') return `${file} does not exist.`;
  if (errno === 'EACCES' || errno === 'EPERM') return `${file} cannot be read (permission denied).`;
  if (errno === 'EISDIR') return `${file} is a folder, not an image.`;
  if (error instanceof DecodeError) {
    if (error.code === 'UNSUPPORTED') return `${file} is not an image Lookalike can read.`;
    if (error.code === 'EMPTY') return `${file} is empty.`;
    if (error.code === 'TOO_LARGE') return `${file} is too large to decode.`;
    if (error.code === 'CORRUPT') return `${file} is damaged and cannot be decoded.`;
  }
  // Anything else: its own words, without the path it may already repeat.
  const own = message.split(` (${file})`).join('').split(`'${file}'`).join('the file').replace(/\.$/, '');
  return `Cannot read ${file}: ${own}.`;
}
