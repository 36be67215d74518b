/**
 * Test support shared by the library's tests and the scan benchmark: a small, real, deterministic encoder
 * (a 64-bit average hash of the model input) and a fixture-library generator. The product uses the
 * query network; this encoder lets scanner tests run without model artifacts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeImage, type EncodeFormat } from '../../model/image.js';
import { syntheticPhoto } from '../../model/image-synthetic.js';
import type { RawImage } from '../../model/types.js';
import type { CodeEncoder } from './analyzer.js';

export function averageHashEncoder(counter?: { encodes: number }): CodeEncoder {
  return {
    inputSize: 8,
    async encode(image: RawImage) {
      if (counter) counter.encodes++;
      const grey = new Float32Array(64);
      for (let i = 0; i < 64; i++) {
        let sum = 0;
        for (let c = 0; c < image.channels; c++) sum += image.data[i * image.channels + c];
        grey[i] = sum / image.channels;
      }
      const mean = grey.reduce((a, b) => a + b, 0) / 64;
      let code = 0n;
      for (let i = 0; i < 64; i++) if (grey[i] > mean) code |= 1n << BigInt(i);
      return {
        codes: { dup: { code: BigInt.asIntN(64, code), bits: 64, headVersion: 'ahash-test' } },
        descriptor: { backboneVersion: 'ahash-test', data: grey },
      };
    },
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
