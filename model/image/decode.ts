/**
 * The one sharp adapter: every decode, probe, thumbnail and test-image encode goes through here and
 * comes out as plain types (RawImage, Buffer, ImageInfo) or a DecodeError.
 *
 * Choices that affect every photo:
 * - Pixels are 8-bit sRGB, EXIF orientation applied, ICC profiles honoured (libvips converts from
 *   the embedded profile; CMYK without one uses libvips's built-in CMYK profile).
 * - Transparency is flattened on WHITE: images with alpha are mostly logos, screenshots and
 *   stickers made for a white page, and white is how viewers (and our thumbnails) show them.
 * - Animated images (GIF, WebP) and multi-page TIFFs contribute their first frame/page.
 * - Inputs are sniffed by content; HEIC goes through wasm libheif, BMP through a TS reader, RAW
 *   through its embedded JPEG preview; everything else straight to libvips from the file path so
 *   JPEG shrink-on-load can skip most of the IDCT work when resizing.
 */
import { open, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { decodeBmp, readBmpHeader } from './bmp.js';
import { contentBox, contentFraction, cropPixels } from './content-box.js';
import { MIN_TRIMMED_CUT } from '../variants.js';
import { DecodeError, toDecodeError } from './errors.js';
import { decodeHeic } from './heic.js';
import { parseHeifHeader, sniffFormat, SNIFF_BYTES, type ImageFormat } from './formats.js';
import type { Orientation } from './orientation.js';
import { wrapPixelsInTiff } from './tiff-wrap.js';
import { extractRawPreview } from './raw-preview.js';
import { decodeSimpleWebp } from './webp.js';
import type { RawImage } from '../types.js';
import { timeStage, timeStageSync } from '../stage-clock.js';

export { DecodeError, type DecodeErrorCode } from './errors.js';
export { RAW_EXTENSIONS, SUPPORTED_EXTENSIONS, type ImageFormat } from './formats.js';

/** Default decompression-bomb guard: 200 MP covers phone panoramas, refuses 50000×50000 PNG bombs. */
export const DEFAULT_MAX_PIXELS = 200_000_000;
const WHITE = { r: 255, g: 255, b: 255 };

// Libraries are scanned once per file, so libvips's operation cache only holds memory; sharp also
// defaults to one libvips thread per image on glibc, and throughput comes from decoding several
// images at once on the libuv pool instead (see tests/bench/decode.ts).
sharp.cache(false);

export type Fit = 'fill' | 'cover' | 'contain' | 'inside';
/** How strict to be with damaged pixel data: 'error' rejects truncated files but tolerates warnings such as extraneous bytes. */
export type Strictness = 'none' | 'truncated' | 'error' | 'warning';

export interface DecodeOptions {
  /** Resize to size×size (or within it for 'inside'); omitted = full resolution. */
  size?: number;
  /** How to fit the box (default 'fill', which keeps every pixel and ignores aspect ratio). */
  fit?: Fit;
  /** 3 = sRGB (default), 1 = luminance. */
  channels?: 1 | 3;
  /** Refuse images larger than this many pixels (default DEFAULT_MAX_PIXELS). */
  maxPixels?: number;
  /** Default 'error'. */
  strictness?: Strictness;
  /** Never scale small images up when fitting (used for thumbnails). */
  withoutEnlargement?: boolean;
  /** Only this rectangle of the upright picture (pixels), cut before any resize. */
  region?: { left: number; top: number; width: number; height: number };
}

/** The settings of the model-input path, shared by the encoder and the decode benchmark. */
export const MODEL_INPUT_DECODE: Readonly<DecodeOptions> = { size: 224, fit: 'fill', channels: 3 };

export interface ImageInfo {
  /** Displayed size, i.e. after EXIF/HEIF orientation. */
  width: number;
  height: number;
  format: ImageFormat;
  /** EXIF orientation (1–8) when the file declares one. */
  orientation?: number;
  hasAlpha: boolean;
  /** Frame/page count for animated or multi-page files. */
  pages?: number;
}

type Input = string | Buffer | Uint8Array;

/** A sniffed input: sharp-native formats keep the path so libvips reads the file itself. */
interface Source {
  format: ImageFormat;
  path?: string;
  /** The whole file, for formats we parse ourselves (or when the input was a buffer). */
  bytes?: Uint8Array;
}

async function loadSource(input: Input): Promise<Source> {
  if (typeof input !== 'string') {
    if (input.length === 0) throw new DecodeError('EMPTY', 'image data is empty');
    return { format: sniffFormat(input.subarray(0, SNIFF_BYTES)), bytes: input };
  }
  const path = input;
  let head: Uint8Array;
  try {
    const handle = await open(path, 'r');
    try {
      const { size, isFile } = await handle.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
      if (!isFile) throw new DecodeError('IO', 'not a regular file', { path });
      if (size === 0) throw new DecodeError('EMPTY', 'file is empty', { path });
      head = new Uint8Array(Math.min(size, SNIFF_BYTES));
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw toDecodeError(error, path);
  }
  const format = sniffFormat(head, extname(path));
  if (format === 'heic' || format === 'bmp' || format === 'raw') {
    return { format, path, bytes: await readFile(path).catch((e: unknown) => Promise.reject(toDecodeError(e, path))) };
  }
  return { format, path };
}

function sharpOptions(options: DecodeOptions): SharpOptions {
  return {
    failOn: options.strictness ?? 'error',
    limitInputPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
    sequentialRead: true,
    pages: 1,
    page: 0,
  };
}

/** A sharp pipeline positioned at upright, full-resolution pixels of the source. */
async function openPipeline(source: Source, options: DecodeOptions): Promise<Sharp> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  switch (source.format) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
    case 'tiff':
    case 'avif':
      return sharp(source.path ?? source.bytes, { ...sharpOptions(options), autoOrient: true });
    case 'heic': {
      const heic = await decodeHeic(source.bytes!, maxPixels);
      // libheif already applied irot/imir; neither path below carries EXIF, so nothing rotates twice.
      if (heic.header.icc) {
        const tiff = wrapPixelsInTiff(heic.rgba, heic.width, heic.height, 4, heic.header.icc);
        return sharp(tiff, { limitInputPixels: maxPixels });
      }
      return sharp(heic.rgba, { raw: { width: heic.width, height: heic.height, channels: 4 } });
    }
    case 'bmp': {
      const bmp = decodeBmp(source.bytes!, maxPixels);
      return sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: bmp.channels } });
    }
    case 'raw': {
      const preview = extractRawPreview(source.bytes!);
      if (!preview) throw new DecodeError('UNSUPPORTED', 'RAW file without a decodable embedded JPEG preview');
      const ownOrientation = (await sharp(preview.jpeg).metadata()).orientation;
      const pipeline = sharp(preview.jpeg, { ...sharpOptions(options), autoOrient: ownOrientation !== undefined });
      return ownOrientation === undefined ? applyOrientation(pipeline, preview.orientation as Orientation) : pipeline;
    }
    default:
      throw new DecodeError('UNSUPPORTED', 'not a supported image format');
  }
}

/**
 * Applies EXIF orientation `o` with explicit operations. Measured (raw-preview.test.ts checks all
 * eight against a pure-TS oracle): sharp mirrors before it rotates, so transpose (5) is flip+90°
 * and transverse (7) is flop+90°.
 */
function applyOrientation(pipeline: Sharp, o: Orientation): Sharp {
  const rotation = o === 3 ? 180 : o === 5 || o === 6 || o === 7 ? 90 : o === 8 ? 270 : 0;
  if (rotation) pipeline = pipeline.rotate(rotation);
  if (o === 2 || o === 7) pipeline = pipeline.flop();
  if (o === 4 || o === 5) pipeline = pipeline.flip();
  return pipeline;
}

async function toRawImage(pipeline: Sharp, options: DecodeOptions): Promise<RawImage> {
  const channels = options.channels ?? 3;
  if (options.region) pipeline = pipeline.extract(options.region);
  if (options.size !== undefined) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`bad size ${options.size}`);
    pipeline = pipeline.resize(options.size, options.size, {
      fit: options.fit ?? 'fill',
      background: WHITE,
      withoutEnlargement: options.withoutEnlargement ?? false,
      fastShrinkOnLoad: true,
    });
  }
  pipeline = pipeline.flatten({ background: WHITE }).toColourspace(channels === 1 ? 'b-w' : 'srgb');
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new DecodeError('CORRUPT', `decoder produced ${info.channels} channels`);
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    channels,
  };
}

/** Decodes any supported photo to upright 8-bit sRGB (or grey) pixels; rejects only with DecodeError. */
export async function decodeImage(input: Input, options: DecodeOptions = {}): Promise<RawImage> {
  const path = typeof input === 'string' ? input : undefined;
  try {
    const source = await loadSource(input);
    // A simple lossy WebP in memory at its own size (the catalog's thumbnails): libwebp in wasm gives the same
    // pixels at a third of sharp's cost (webp.ts); sharp decodes whatever it does not take.
    if (source.bytes && source.format === 'webp' && isPlainDecode(options)) {
      const image = await decodeSimpleWebp(source.bytes, options.maxPixels ?? DEFAULT_MAX_PIXELS);
      if (image) return image;
    }
    return await toRawImage(await openPipeline(source, options), options);
  } catch (error) {
    throw toDecodeError(error, path);
  }
}

/** Options that ask for the picture as it is: RGB, whole, at its own size. */
function isPlainDecode(options: DecodeOptions): boolean {
  return options.size === undefined && options.region === undefined && (options.channels ?? 3) === 3;
}

/** Reads only the header (no pixel decoding) for size, format, orientation and alpha. */
export async function probeImage(input: Input): Promise<ImageInfo> {
  const path = typeof input === 'string' ? input : undefined;
  try {
    const source = await loadSource(input);
    switch (source.format) {
      case 'heic': {
        const header = parseHeifHeader(source.bytes!);
        const turned = header.rotation === 90 || header.rotation === 270;
        const [width, height] = turned ? [header.height, header.width] : [header.width, header.height];
        return { width, height, format: 'heic', hasAlpha: header.hasAlpha };
      }
      case 'bmp': {
        const header = readBmpHeader(source.bytes!);
        return { width: header.width, height: header.height, format: 'bmp', hasAlpha: header.hasAlpha };
      }
      case 'raw': {
        const preview = extractRawPreview(source.bytes!);
        if (!preview) throw new DecodeError('UNSUPPORTED', 'RAW file without a decodable embedded JPEG preview');
        const turned = preview.orientation >= 5;
        return {
          width: turned ? preview.height : preview.width,
          height: turned ? preview.width : preview.height,
          format: 'raw',
          orientation: preview.orientation,
          hasAlpha: false,
        };
      }
      case 'unknown':
      case 'svg':
        throw new DecodeError('UNSUPPORTED', 'not a supported image format');
      default: {
        const meta = await sharp(source.path ?? source.bytes, { limitInputPixels: false }).metadata();
        const info: ImageInfo = {
          width: meta.autoOrient?.width ?? meta.width,
          height: meta.autoOrient?.height ?? meta.height,
          format: meta.format === 'heif' ? (meta.compression === 'hevc' ? 'heic' : 'avif') : source.format,
          hasAlpha: meta.hasAlpha,
        };
        if (meta.orientation !== undefined) info.orientation = meta.orientation;
        if (meta.pages !== undefined && meta.pages > 1) info.pages = meta.pages;
        return info;
      }
    }
  } catch (error) {
    throw toDecodeError(error, path);
  }
}

function isRawImage(input: unknown): input is RawImage {
  return (
    typeof input === 'object' && input !== null && 'data' in input && 'channels' in input && !Buffer.isBuffer(input)
  );
}

function fromRaw(image: RawImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
}

/** Resizes already-decoded pixels (e.g. the thumbnail-sized decode to the model input size). */
export async function resizeImage(image: RawImage, size: number, fit: Fit = 'fill'): Promise<RawImage> {
  const channels = image.channels === 1 ? 1 : 3;
  return toRawImage(fromRaw(image), { size, fit, channels });
}

/** A WebP thumbnail whose longer side is at most `size`, from a file, bytes, or decoded pixels. */
export async function makeThumbnail(input: Input | RawImage, size = 256): Promise<Buffer> {
  const image = isRawImage(input) ? input : await decodeImage(input, { size, fit: 'inside', withoutEnlargement: true });
  try {
    return await fromRaw(image)
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75, effort: 2 })
      .toBuffer();
  } catch (error) {
    throw toDecodeError(error);
  }
}

export interface CatalogDecode {
  /** Model input pixels (default 224×224 'fill', sRGB). */
  model: RawImage;
  /** WebP thumbnail, longer side at most thumbnailSize. */
  thumbnail: Buffer;
  /** The share of the width and height inside uniform borders (model/image/content-box.ts); 1 = no border. */
  content: { width: number; height: number };
  /**
   * Model input of the picture inside those borders (model/variants.ts's trimmed variant), cut from the same
   * intermediate decode; null when the picture has no border, or borders that take less than MIN_TRIMMED_CUT.
   */
  trimmed: RawImage | null;
}

/**
 * The intermediate's long side as a multiple of the bigger output (the thumbnail). Shrinking from 1.5× still
 * averages every output pixel over more than one source pixel; from 2× (512 px for the 256 px thumbnail), libjpeg
 * decoded a 12 MP JPEG at 1/4 scale, since sharp takes the 1/8 scale only for a reduction of about 9× or more: at
 * 384 px it decodes at 1/8. Measured (scratch, sharp on one thread, a 4000 × 3000 q90 JPEG, median of 25, CPU time
 * of all threads): 29.5 ms to 512 px, 23.0 ms to 384 px (≤ 440 px: 23 ms, ≥ 480 px: 29.5 ms). Thumbnails made
 * before keep theirs (a file's thumbnail is made again only when it is decoded again), and the pixel verdicts kept
 * for them stay theirs.
 */
const INTERMEDIATE_SCALE = 1.5;

/**
 * One decode for everything the scanner needs. JPEG shrink-on-load only helps when the first
 * resize is small (a 12 MP JPEG decodes at 1/8 scale for targets up to ~440 px), so the file is
 * decoded once to an intermediate INTERMEDIATE_SCALE times the bigger output and all are cut from it.
 */
export async function decodeForCatalog(
  input: Input,
  options: { modelSize?: number; modelFit?: Fit; thumbnailSize?: number; maxPixels?: number } = {},
): Promise<CatalogDecode> {
  const modelSize = options.modelSize ?? 224;
  const thumbnailSize = options.thumbnailSize ?? 256;
  const intermediate = await timeStage('decode', () =>
    decodeImage(input, {
      size: Math.round(INTERMEDIATE_SCALE * Math.max(modelSize, thumbnailSize)),
      fit: 'inside',
      withoutEnlargement: true,
      maxPixels: options.maxPixels,
    }),
  );
  const box = timeStageSync('content box', () => contentBox(intermediate));
  const bordered =
    box.width <= (1 - MIN_TRIMMED_CUT) * intermediate.width ||
    box.height <= (1 - MIN_TRIMMED_CUT) * intermediate.height;
  const [model, thumbnail, trimmed] = await Promise.all([
    timeStage('model input', () => resizeImage(intermediate, modelSize, options.modelFit ?? 'fill')),
    timeStage('thumbnail', () => makeThumbnail(intermediate, thumbnailSize)),
    bordered
      ? timeStage('trimmed input', () =>
          resizeImage(cropPixels(intermediate, box), modelSize, options.modelFit ?? 'fill'),
        )
      : null,
  ]);
  return {
    model,
    thumbnail,
    content: contentFraction(intermediate, box),
    trimmed,
  };
}

export type EncodeFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'tiff' | 'gif';

export interface EncodeOptions {
  quality?: number;
  /** EXIF orientation tag to write (pixels are stored as given). */
  orientation?: Orientation;
  /** Store as CMYK (JPEG/TIFF), greyscale, or 16 bits per sample (PNG/TIFF). */
  colourspace?: 'srgb' | 'cmyk' | 'b-w' | 'rgb16' | 'grey16';
  /** Convert to and tag with this ICC profile (e.g. 'p3' to test colour management). */
  iccProfile?: 'srgb' | 'p3';
  /** Further frames of an animated GIF/WebP, each the same size as the first. */
  extraFrames?: RawImage[];
}

/** Writes pixels in a given format; for tests, benchmarks and fixtures (not used when scanning). */
export async function encodeImage(image: RawImage, format: EncodeFormat, options: EncodeOptions = {}): Promise<Buffer> {
  const frames = [image, ...(options.extraFrames ?? [])];
  const data = frames.length === 1 ? image.data : Buffer.concat(frames.map((f) => f.data));
  let pipeline = sharp(data, {
    raw: {
      width: image.width,
      height: image.height * frames.length,
      channels: image.channels,
      pageHeight: image.height,
    },
  });
  if (options.colourspace && options.colourspace !== 'srgb') pipeline = pipeline.toColourspace(options.colourspace);
  if (options.iccProfile) pipeline = pipeline.withIccProfile(options.iccProfile);
  if (options.orientation) pipeline = pipeline.withMetadata({ orientation: options.orientation });
  const quality = options.quality ?? 90;
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality }).toBuffer();
    case 'png':
      return pipeline.png().toBuffer();
    case 'webp':
      return pipeline.webp({ quality }).toBuffer();
    case 'avif':
      return pipeline.avif({ quality, effort: 0 }).toBuffer();
    case 'tiff':
      return pipeline.tiff({ compression: 'lzw' }).toBuffer();
    case 'gif':
      return pipeline.gif().toBuffer();
  }
}

/** Threads libvips may use inside one image; batch throughput comes from decoding several at once. */
export function setThreadsPerImage(threads: number): number {
  return sharp.concurrency(threads);
}

type Rgb = readonly [number, number, number];

/** One editing operation on decoded pixels (what the trainer's synthetic copies and fixtures are made of). */
export type EditStep =
  | { op: 'resize'; width: number; height?: number }
  | { op: 'crop'; left: number; top: number; width: number; height: number }
  | { op: 'extend'; top: number; bottom: number; left: number; right: number; colour: Rgb }
  /** Multiplies brightness / saturation; rotates hue by degrees. */
  | { op: 'modulate'; brightness?: number; saturation?: number; hue?: number }
  /** out = gain · in + offset, per channel. */
  | { op: 'linear'; gain: number; offset: number }
  | { op: 'gamma'; gamma: number }
  | { op: 'greyscale' }
  | { op: 'blur'; sigma: number }
  | { op: 'sharpen'; sigma: number }
  /** Any angle, on a canvas grown to fit, corners filled with `colour`. */
  | { op: 'rotate'; degrees: number; colour: Rgb }
  | { op: 'flop' }
  /** An SVG drawn over the picture at (0, 0) (text watermarks, stickers); same size as the picture or smaller. */
  | { op: 'overlay'; svg: string };

/** Applies `steps` in order to decoded pixels; the result has the input's channel count (greyscale kept as 3 channels). */
export async function editImage(image: RawImage, steps: readonly EditStep[]): Promise<RawImage> {
  let current = image;
  for (const step of steps) {
    let pipeline = fromRaw(current);
    switch (step.op) {
      case 'resize':
        pipeline = pipeline.resize(
          Math.max(1, Math.round(step.width)),
          step.height ? Math.round(step.height) : undefined,
          {
            fit: 'fill',
          },
        );
        break;
      case 'crop':
        pipeline = pipeline.extract({
          left: Math.round(step.left),
          top: Math.round(step.top),
          width: Math.max(1, Math.round(step.width)),
          height: Math.max(1, Math.round(step.height)),
        });
        break;
      case 'extend': {
        const [r, g, b] = step.colour;
        pipeline = pipeline.extend({
          top: Math.round(step.top),
          bottom: Math.round(step.bottom),
          left: Math.round(step.left),
          right: Math.round(step.right),
          background: { r, g, b },
        });
        break;
      }
      case 'modulate':
        pipeline = pipeline.modulate({
          ...(step.brightness !== undefined && { brightness: step.brightness }),
          ...(step.saturation !== undefined && { saturation: step.saturation }),
          ...(step.hue !== undefined && { hue: Math.round(step.hue) }),
        });
        break;
      case 'linear':
        pipeline = pipeline.linear(step.gain, step.offset);
        break;
      case 'gamma':
        pipeline = pipeline.gamma(step.gamma);
        break;
      case 'greyscale':
        pipeline = pipeline.greyscale().toColourspace('srgb');
        break;
      case 'blur':
        pipeline = pipeline.blur(Math.max(0.3, step.sigma));
        break;
      case 'sharpen':
        pipeline = pipeline.sharpen({ sigma: step.sigma });
        break;
      case 'rotate': {
        const [r, g, b] = step.colour;
        pipeline = pipeline.rotate(step.degrees, { background: { r, g, b } });
        break;
      }
      case 'flop':
        pipeline = pipeline.flop();
        break;
      case 'overlay':
        pipeline = pipeline.composite([{ input: Buffer.from(step.svg), top: 0, left: 0 }]);
        break;
    }
    const channels = current.channels === 1 ? 1 : 3;
    const { data, info } = await pipeline
      .removeAlpha()
      .toColourspace(channels === 1 ? 'b-w' : 'srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels === 1 && channels === 3) {
      // libvips keeps a greyscale result single-channel; the caller asked for RGB.
      const rgb = new Uint8Array(data.length * 3);
      for (let i = 0; i < data.length; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = data[i];
      current = { data: rgb, width: info.width, height: info.height, channels: 3 };
      continue;
    }
    current = {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: info.channels as RawImage['channels'],
    };
  }
  return current;
}
