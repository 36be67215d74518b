import { createXXHash128 } from 'hash-wasm';
import { createReadStream } from 'node:fs';

/**
 * Content hash for exact-duplicate detection without decoding: streaming XXH128 (fast, 128-bit so accidental
 * collisions are out of reach for any photo library). Also returns the number of bytes hashed so the caller can
 * notice a file that changed while it was read.
 */
export async function hashFile(file: string, signal?: AbortSignal): Promise<{ hash: string; bytes: number }> {
  const hasher = await createXXHash128();
  hasher.init();
  let bytes = 0;
  const stream = createReadStream(file, { highWaterMark: 1 << 20, signal });
  for await (const chunk of stream) {
    hasher.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { hash: hasher.digest('hex'), bytes };
}
