/**
 * The real PhotoAnalyzer: one decode per photo feeds the thumbnail and the model input; EXIF comes from
 * the file's bytes; the encoder turns the model input into codes and a descriptor.
 */
import exifr from 'exifr';
import { readFile } from 'node:fs/promises';
import { AppError } from '../api/errors.js';
import { DecodeError, decodeForCatalog, probeImage } from '../../model/image.js';
import type { RawImage } from '../../model/types.js';
import type { CodeKind, PhotoAnalysis, StoredCode } from './catalog.js';
import type { PhotoAnalyzer } from './scanner.js';

export const THUMBNAIL_SIZE = 256;

/** What the scanner needs from the query network. */
export interface CodeEncoder {
  /** Side of the square model input. */
  readonly inputSize: number;
  encode(image: RawImage): Promise<{
    codes: Partial<Record<CodeKind, StoredCode>>;
    variants?: PhotoAnalysis['variants'];
    descriptor: { backboneVersion: string; data: Float32Array } | null;
  }>;
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
  Make?: string;
  Model?: string;
}

async function readExif(bytes: Buffer): Promise<{ takenAt: string | null; camera: string | null }> {
  try {
    const exif = (await exifr.parse(bytes, { pick: ['DateTimeOriginal', 'CreateDate', 'Make', 'Model'] })) as
      ExifFields | undefined;
    const date = exif?.DateTimeOriginal ?? exif?.CreateDate;
    const takenAt = date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
    const camera = [exif?.Make?.trim(), exif?.Model?.trim()].filter(Boolean).join(' ') || null;
    return { takenAt, camera };
  } catch {
    return { takenAt: null, camera: null }; // EXIF is optional; a broken EXIF block must not fail the photo
  }
}

export function createAnalyzer(encoder: CodeEncoder): PhotoAnalyzer {
  return {
    async analyze(file: string, signal: AbortSignal): Promise<PhotoAnalysis> {
      const bytes = await readFile(file, { signal });
      const info = await probeImage(bytes);
      // One decode (shrink-on-load) feeds both the model input and the thumbnail.
      const decoded = await decodeForCatalog(bytes, { modelSize: encoder.inputSize, thumbnailSize: THUMBNAIL_SIZE });
      signal.throwIfAborted();
      const [encoded, exif] = await Promise.all([encoder.encode(decoded.model), readExif(bytes)]);
      const scale = Math.min(1, THUMBNAIL_SIZE / Math.max(info.width, info.height));
      return {
        width: info.width,
        height: info.height,
        format: info.format,
        takenAt: exif.takenAt,
        camera: exif.camera,
        orientation: info.orientation ?? null,
        codes: encoded.codes,
        variants: encoded.variants,
        descriptor: encoded.descriptor
          ? { backboneVersion: encoded.descriptor.backboneVersion, ...quantizeDescriptor(encoded.descriptor.data) }
          : null,
        thumbnail: {
          webp: decoded.thumbnail,
          width: Math.max(1, Math.round(info.width * scale)),
          height: Math.max(1, Math.round(info.height * scale)),
        },
      };
    },
  };
}

/** An image that could not be read or decoded, as an API error: IO_ERROR for the file, DECODE_ERROR for its content. */
export function imageInputError(error: unknown, file: string): AppError {
  if (error instanceof AppError) return error;
  const e = error as NodeJS.ErrnoException;
  const unreadable =
    (error instanceof DecodeError && error.code === 'IO') || (typeof e?.code === 'string' && e.code.startsWith('E'));
  const reason = error instanceof DecodeError ? error.code : e?.code;
  return new AppError(unreadable ? 'IO_ERROR' : 'DECODE_ERROR', `Cannot read ${file}: ${e?.message ?? String(error)}`, {
    reason,
  });
}
