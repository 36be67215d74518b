import { createXXHash128, type IHasher } from 'hash-wasm';
import { createReadStream } from 'node:fs';

/** One WebAssembly hasher for the process: a new instance per file would cost a wasm memory each. */
let hasher: Promise<IHasher> | null = null;
/** Calls take turns on the shared hasher. */
let previous: Promise<unknown> = Promise.resolve();

/**
 * Content hash for exact-duplicate detection without decoding: streaming XXH128 (fast, 128-bit so accidental
 * collisions are out of reach for any photo library). Also returns the number of bytes hashed so the caller can
 * notice a file that changed while it was read.
 */
export function hashFile(file: string, signal?: AbortSignal): Promise<{ hash: string; bytes: number }> {
  const turn = previous.then(async () => {
    const h = await (hasher ??= createXXHash128());
    h.init();
    let bytes = 0;
    const stream = createReadStream(file, { highWaterMark: 1 << 20, signal });
    for await (const chunk of stream) {
      h.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return { hash: h.digest('hex'), bytes };
  });
  previous = turn.catch(() => {});
  return turn;
}
