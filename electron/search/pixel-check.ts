/**
 * The pixel check of candidate duplicate pairs, the last step of a duplicate search with a preset that asks for
 * it: each pair's stored thumbnails (WebP, long side 256) are decoded, aligned and compared
 * (electron/search/alignment.ts). It is what tells a lightly cropped or recoloured copy from a 70 % window of
 * the same photo or the other half of a stereo pair, which codes and embeddings, being pooled, cannot.
 *
 * Pairs are prepared in one pass before grouping, each distinct pair once: split over worker threads (one per
 * core; electron/search/pixel-worker.ts) when there are enough of them, else checked here in small chunks so
 * the event loop, progress and cancellation keep going. Grouping then asks for verdicts synchronously; a pair
 * that was not prepared (grouping may ask about pairs outside the radius) is not a duplicate. A photo without a
 * stored thumbnail (or one that no longer decodes) cannot be checked, and its pairs are judged by the code and
 * embedding alone, as before the check existed.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { decodeImage } from '../../model/image.js';
import { startModuleWorker } from '../../model/module-worker.js';
import { orientPixels, type Orientation } from '../../model/orientation.js';
import { type AlignablePicture, type PixelRule, pictureOf, picturesMatch } from './alignment.js';

/** Photo `id` turned as EXIF `orientation` asks (1: upright), to be compared with photo `other` upright. */
export interface PixelPair {
  id: number;
  orientation: number;
  other: number;
}

export interface PixelCheckOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** What one batch of checks needs: the rule, the thumbnails of the photos its pairs name, the pairs. */
export interface PixelJob {
  rule: PixelRule;
  thumbnails: [number, Uint8Array][];
  pairs: PixelPair[];
}

const DECODES_IN_FLIGHT = 4;
/** ~10 ms a pair: the event loop gets a turn every ~0.1 s. */
const PAIRS_PER_CHUNK = 8;
/** Fewer pairs than this per worker are checked here: starting a worker costs more than they do. */
const PAIRS_PER_WORKER = 64;

/** Orientations 2..8 turn the picture; anything else (1, the greyscale variant) compares it upright. */
function turn(orientation: number): Orientation {
  return orientation >= 2 && orientation <= 8 ? (orientation as Orientation) : 1;
}

/**
 * Checks a batch: decodes each thumbnail once (and turns it as the pairs need), then each pair, yielding to the
 * event loop between chunks. A pair naming a photo without a usable thumbnail passes (it cannot be checked).
 * The same code runs here and in the workers.
 */
export async function checkPixelPairs(
  job: PixelJob,
  options: { signal?: AbortSignal; onProgress?: (done: number) => void } = {},
): Promise<boolean[]> {
  const webp = new Map(job.thumbnails);
  const turns = new Map<number, Set<Orientation>>();
  const need = (id: number, o: Orientation) => turns.set(id, (turns.get(id) ?? new Set<Orientation>()).add(o));
  for (const p of job.pairs) {
    need(p.id, turn(p.orientation));
    need(p.other, 1);
  }
  const pictures = new Map<string, AlignablePicture | null>();
  const ids = [...turns.keys()];
  let next = 0;
  const decodeNext = async (): Promise<void> => {
    while (next < ids.length) {
      options.signal?.throwIfAborted();
      const id = ids[next++];
      const bytes = webp.get(id);
      const image = bytes ? await decodeImage(bytes, { channels: 3 }).catch(() => null) : null;
      for (const o of turns.get(id)!) {
        pictures.set(`${id}:${o}`, image && pictureOf(o === 1 ? image : orientPixels(image, o)));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DECODES_IN_FLIGHT, ids.length) }, decodeNext));

  const verdicts: boolean[] = [];
  for (let i = 0; i < job.pairs.length; i++) {
    if (i % PAIRS_PER_CHUNK === 0) {
      options.signal?.throwIfAborted();
      options.onProgress?.(i);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const p = job.pairs[i];
    const a = pictures.get(`${p.id}:${turn(p.orientation)}`);
    const b = pictures.get(`${p.other}:1`);
    verdicts.push(!a || !b || picturesMatch(a, b, job.rule));
  }
  options.onProgress?.(job.pairs.length);
  return verdicts;
}

/** Messages from a pixel worker. */
export type PixelWorkerMessage = { done: number } | { verdicts: boolean[] } | { error: string };

export class PixelCheck {
  /**
   * @param verdicts where verdicts are kept (by `id:orientation:other`), so a search that follows on the same
   *   library and rule reuses them
   * @param workers how many worker threads may share the checks (default: one per core; 0: none)
   */
  constructor(
    private readonly rule: PixelRule,
    private readonly thumbnail: (id: number) => Uint8Array | undefined,
    private readonly verdicts: Map<string, boolean> = new Map(),
    private readonly workers = os.availableParallelism(),
  ) {}

  /** Checks every distinct pair not checked before. */
  async prepare(pairs: readonly PixelPair[], options: PixelCheckOptions = {}): Promise<void> {
    // A pair often comes more than once (its own codes, and its greyscale variant's either way): check it once.
    const keys = new Set<string>();
    const todo = pairs.filter((p) => {
      const key = verdictKey(p);
      if (this.verdicts.has(key) || keys.has(key)) return false;
      keys.add(key);
      return true;
    });
    const parts = Math.max(1, Math.min(this.workers, Math.floor(todo.length / PAIRS_PER_WORKER)));
    const slices = Array.from({ length: parts }, (_, k) => todo.filter((_, i) => i % parts === k));
    const done = new Array<number>(parts).fill(0);
    const report = (k: number, count: number) => {
      done[k] = count;
      options.onProgress?.(
        done.reduce((sum, d) => sum + d, 0),
        todo.length,
      );
    };
    const results = await Promise.all(
      slices.map((slice, k) => {
        const job = this.job(slice);
        const onProgress = (count: number) => report(k, count);
        return parts > 1
          ? inWorker(job, { signal: options.signal, onProgress })
          : checkPixelPairs(job, { signal: options.signal, onProgress });
      }),
    );
    slices.forEach((slice, k) => slice.forEach((p, i) => this.verdicts.set(verdictKey(p), results[k][i])));
  }

  /** Whether photo `id` (turned by `orientation`) and photo `other` are one picture: the prepared verdict. */
  matches(id: number, orientation: number, other: number): boolean {
    return this.verdicts.get(verdictKey({ id, orientation, other })) ?? false;
  }

  private job(pairs: PixelPair[]): PixelJob {
    const ids = new Set(pairs.flatMap((p) => [p.id, p.other]));
    const thumbnails: [number, Uint8Array][] = [];
    for (const id of ids) {
      const webp = this.thumbnail(id);
      if (webp) thumbnails.push([id, webp]);
    }
    return { rule: this.rule, thumbnails, pairs };
  }
}

/** Runs a batch in a worker thread of its own; aborting terminates it. */
function inWorker(
  job: PixelJob,
  options: { signal?: AbortSignal; onProgress?: (done: number) => void },
): Promise<boolean[]> {
  options.signal?.throwIfAborted();
  const worker: Worker = startModuleWorker(import.meta.url, 'pixel-worker');
  return new Promise<boolean[]>((resolve, reject) => {
    const onAbort = () => {
      void worker.terminate();
      reject(options.signal!.reason);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
    };
    worker.on('message', (message: PixelWorkerMessage) => {
      if ('done' in message) options.onProgress?.(message.done);
      else if ('verdicts' in message) {
        finish();
        resolve(message.verdicts);
      } else {
        finish();
        reject(new Error(`Pixel check failed: ${message.error}`));
      }
    });
    worker.on('error', (error) => {
      finish();
      reject(error);
    });
    worker.postMessage(job);
  });
}

/** Upright pairs are unordered: (a, b) and (b, a) share a verdict. */
function verdictKey(p: PixelPair): string {
  const o = turn(p.orientation);
  return o === 1 ? `${Math.min(p.id, p.other)}:1:${Math.max(p.id, p.other)}` : `${p.id}:${o}:${p.other}`;
}
