/**
 * Backbone descriptors cached in the OS temp folder as float32 rows (`lookalike-<key>.f32`), for sets that take tens
 * of seconds to describe on a small CPU. The key names the items, their count and the backbone version.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The cached rows [count, dim] under `key`, or `describe()`'s, written to the cache. */
export async function cachedDescriptors(
  key: string,
  count: number,
  dim: number,
  describe: () => Promise<Float32Array>,
): Promise<Float32Array> {
  const cache = path.join(os.tmpdir(), `lookalike-${key}.f32`);
  if (existsSync(cache)) {
    const b = readFileSync(cache);
    const features = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    if (features.length !== count * dim) throw new Error(`${cache}: unexpected size; delete it to rebuild`);
    return features;
  }
  const features = await describe();
  writeFileSync(cache, new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
  return features;
}
