/**
 * Test support shared by the library's tests and the scan benchmark: a small, real, deterministic encoder
 * (the 8×8 grey model input as the descriptor, 64-bit fixture heads on it, run through the real encode
 * pipeline) and a fixture-library generator. The product uses the query network; this encoder lets
 * scanner tests run without model artifacts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeImage, type EncodeFormat } from '../../model/image/decode.js';
import { syntheticPhoto } from './synthetic-photo.js';
import type { RawImage } from '../../model/types.js';
import { EncodePipeline, type PipelineEncoder } from '../../model/pipeline/pipeline.js';
import type { VariantRequest } from '../../model/variants.js';
import type { PhotoEncoder } from '../../electron/library/analyzer.js';
import type { CodeKind } from '../../electron/library/catalog/catalog.js';

/** A fixture hashing head: a 64-bit code of the 64-value grey descriptor. */
export interface FixtureHead {
  version: string;
  hash(grey: Float32Array): Uint32Array;
  /** The real-valued output whose signs are the code, like a trained head's logits (none: the head gives none). */
  logits?(grey: Float32Array): Float32Array;
}

/**
 * Average hash: bit i = pixel i is brighter than the mean (structure, the duplicate code by default). Its
 * logits are the pixels minus the mean, so their cosine is the correlation of the two 8×8 greys: photos may
 * share a code yet differ in how far each pixel sits from the mean.
 */
export const averageHashHead: FixtureHead = {
  version: 'ahash-test',
  hash(grey) {
    const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
    const code = new Uint32Array(2);
    for (let i = 0; i < 64; i++) if (grey[i] > mean) code[i >> 5] |= 1 << (i & 31);
    return code;
  },
  logits(grey) {
    const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
    return grey.map((v) => v - mean);
  },
};

/**
 * Brightness thermometer: the lowest round(mean / 255 × 64) bits set. Photos of the same overall brightness
 * share it whatever their structure, so it disagrees with the average hash on purpose.
 */
export const brightnessHead: FixtureHead = {
  version: 'brightness-test',
  hash(grey) {
    const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
    const ones = Math.max(0, Math.min(64, Math.round((mean / 255) * 64)));
    const code = new Uint32Array(2);
    for (let i = 0; i < ones; i++) code[i >> 5] |= 1 << (i & 31);
    return code;
  },
};

export const FIXTURE_BACKBONE = 'grey8x8-test';

export interface FixtureEncoderOptions {
  /** Heads per code kind (default: the average hash for both, like one head serving both searches). */
  heads?: Partial<Record<CodeKind, FixtureHead>>;
  /** Variants to encode too: rotated/mirrored (geometric matching), greyscale (colour invariance), trimmed (borders). */
  variants?: readonly VariantRequest[];
  /**
   * The descriptor the heads see (default `fixtureDescriptor`, grey: blind to colour, like no trained head);
   * `redChannelDescriptor` makes them colour-sensitive, so a greyscale copy of a colour photo gets another code.
   */
  descriptor?: (image: RawImage) => Float32Array;
}

/** The fixture's descriptor: the 8×8 model input in grey (64 values, 0–255). */
export function fixtureDescriptor(image: RawImage): Float32Array {
  const grey = new Float32Array(64);
  for (let i = 0; i < 64; i++) {
    let sum = 0;
    for (let c = 0; c < image.channels; c++) sum += image.data[i * image.channels + c];
    grey[i] = sum / image.channels;
  }
  return grey;
}

/** A colour-sensitive fixture descriptor: the 8×8 model input's red channel (64 values, 0–255). */
export function redChannelDescriptor(image: RawImage): Float32Array {
  const red = new Float32Array(64);
  for (let i = 0; i < 64; i++) red[i] = image.data[i * image.channels];
  return red;
}

/** `counter.encodes` counts model inputs encoded (photos and their variants): decoded images, in effect. */
export function averageHashEncoder(counter?: { encodes: number }, options: FixtureEncoderOptions = {}): PhotoEncoder {
  const heads: Record<CodeKind, FixtureHead> = {
    dup: options.heads?.dup ?? averageHashHead,
    sim: options.heads?.sim ?? averageHashHead,
  };
  const model: PipelineEncoder = {
    decodeOptions: { size: 8, fit: 'fill', channels: 3 },
    roles: { dup: { version: heads.dup.version }, sim: { version: heads.sim.version } },
    encode(images: RawImage[], encodeOptions = {}) {
      return Promise.resolve(
        images.map((image, index) => {
          if (counter) counter.encodes++;
          const descriptor = (options.descriptor ?? fixtureDescriptor)(image);
          const roles = encodeOptions.roles?.(index) ?? (['dup', 'sim'] as const);
          const code = (kind: CodeKind) =>
            roles.includes(kind)
              ? {
                  code: heads[kind].hash(descriptor),
                  logits: heads[kind].logits?.(descriptor) ?? new Float32Array(0),
                }
              : null;
          return { descriptor, codes: { dup: code('dup'), sim: code('sim') } };
        }),
      );
    },
  };
  const pipeline = new EncodePipeline(model, { variants: options.variants });
  return {
    capacity: pipeline.capacity,
    variants: pipeline.variants,
    codes: {
      dup: { bits: 64, version: heads.dup.version },
      sim: { bits: 64, version: heads.sim.version },
    },
    backboneVersion: FIXTURE_BACKBONE,
    encode: (file, signal) => pipeline.encode(file, signal),
    hash: (kind, descriptors) => Promise.resolve(descriptors.map((d) => heads[kind].hash(d))),
    close: () => pipeline.close(),
  };
}

const FORMATS: EncodeFormat[] = ['jpeg', 'png', 'webp', 'tiff', 'gif', 'avif'];
const EXTENSIONS: Record<EncodeFormat, string> = {
  jpeg: '.jpg',
  png: '.png',
  webp: '.webp',
  tiff: '.tif',
  gif: '.gif',
  avif: '.avif',
};

/** Write `count` distinct synthetic photos in mixed formats into `dir` (nested in sub-folders of 100). */
export async function writeFixtureLibrary(
  dir: string,
  count: number,
  options: { size?: number; formats?: EncodeFormat[]; seed?: number } = {},
): Promise<string[]> {
  const formats = options.formats ?? FORMATS;
  const size = options.size ?? 64;
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const format = formats[i % formats.length];
    const sub = path.join(dir, `set-${Math.floor(i / 100)}`);
    await mkdir(sub, { recursive: true });
    const image = syntheticPhoto({ width: size + (i % 7) * 4, height: size, seed: (options.seed ?? 1) * 100_003 + i });
    const file = path.join(sub, `photo-${String(i).padStart(5, '0')}${EXTENSIONS[format]}`);
    await writeFile(file, await encodeImage(image, format, { quality: 80 }));
    paths.push(file);
  }
  return paths;
}
