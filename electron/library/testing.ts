/**
 * Test support shared by the library's tests and the scan benchmark: a small, real, deterministic encoder
 * (a 64-bit average hash of the model input, run through the real encode pipeline) and a fixture-library generator. The product uses the
 * query network; this encoder lets scanner tests run without model artifacts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeImage, type EncodeFormat } from '../../model/image.js';
import { syntheticPhoto } from '../../model/image-synthetic.js';
import type { RawImage } from '../../model/types.js';
import { EncodePipeline, type PipelineEncoder } from '../../model/pipeline.js';
import type { PhotoEncoder } from './analyzer.js';

export function averageHashEncoder(counter?: { encodes: number }): PhotoEncoder {
  const model: PipelineEncoder = {
    decodeOptions: { size: 8, fit: 'fill', channels: 3 },
    version: 'ahash-test',
    async encode(images: RawImage[]) {
      return images.map((image) => {
        if (counter) counter.encodes++;
        const grey = new Float32Array(64);
        for (let i = 0; i < 64; i++) {
          let sum = 0;
          for (let c = 0; c < image.channels; c++) sum += image.data[i * image.channels + c];
          grey[i] = sum / image.channels;
        }
        const mean = grey.reduce((a, b) => a + b, 0) / 64;
        const code = new Uint32Array(2);
        for (let i = 0; i < 64; i++) if (grey[i] > mean) code[i >> 5] |= 1 << (i & 31);
        return { descriptor: grey, logits: null, code };
      });
    },
  };
  const pipeline = new EncodePipeline(model);
  return {
    capacity: pipeline.capacity,
    bits: 64,
    version: 'ahash-test',
    backboneVersion: 'ahash-test',
    encode: (file, signal) => pipeline.encode(file, signal),
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
