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
 *
 * A verdict depends only on the two thumbnails, the rule and the check's code, so it can outlive the search: a
 * `PixelVerdictStore` (the library's: electron/search/kept-verdicts.ts) gives the verdicts of pairs judged before,
 * and keeps the new ones. Only pairs actually looked at are kept, never one passed for want of a thumbnail.
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

/**
 * Bump when a pair's verdict could change for the same thumbnails and rule: the alignment (alignment.ts), the
 * decoding here, or how thumbnails are made (model/image.ts, makeThumbnail). Kept verdicts of another version are
 * not used.
 */
export const PIXEL_CHECK_VERSION = 2;

/** What a kept verdict was judged with: the check's version and the rule's numbers. */
export function pixelRuleKey(rule: PixelRule): string {
  return `v${PIXEL_CHECK_VERSION}:${rule.minCoverage}:${rule.minCorrelation}:${rule.sureCorrelation}:${rule.maxLocalShift}`;
}

/** The outcome of one pair: one picture, two pictures, or not checkable (a thumbnail is missing or undecodable). */
export type PixelVerdict = 'same' | 'different' | 'unchecked';

/** Verdicts that outlive one search. */
export interface PixelVerdictStore {
  /** The verdict kept for a pair, if any (true: one picture). */
  get(pair: PixelPair): boolean | undefined;
  /** Keeps verdicts just made by comparing both thumbnails. */
  add(verdicts: readonly (readonly [PixelPair, boolean])[]): void;
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

/** Orientations 2..8 turn the picture; anything else (1, the greyscale and trimmed variants) compares it upright. */
function turn(orientation: number): Orientation {
  return orientation >= 2 && orientation <= 8 ? (orientation as Orientation) : 1;
}

/** Progress of one batch: how many of its pairs are done, and their verdicts so far (one array, growing). */
type BatchProgress = (done: number, verdicts: readonly PixelVerdict[]) => void;

/**
 * Checks a batch: decodes each thumbnail once (and turns it as the pairs need), then each pair, yielding to the
 * event loop between chunks. A pair naming a photo without a usable thumbnail is 'unchecked'.
 * The same code runs here and in the workers.
 */
export async function checkPixelPairs(
  job: PixelJob,
  options: { signal?: AbortSignal; onProgress?: BatchProgress } = {},
): Promise<PixelVerdict[]> {
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

  const verdicts: PixelVerdict[] = [];
  for (let i = 0; i < job.pairs.length; i++) {
    if (i % PAIRS_PER_CHUNK === 0) {
      options.signal?.throwIfAborted();
      options.onProgress?.(i, verdicts);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const p = job.pairs[i];
    const a = pictures.get(`${p.id}:${turn(p.orientation)}`);
    const b = pictures.get(`${p.other}:1`);
    verdicts.push(!a || !b ? 'unchecked' : picturesMatch(a, b, job.rule) ? 'same' : 'different');
  }
  options.onProgress?.(job.pairs.length, verdicts);
  return verdicts;
}

/** Messages from a pixel worker: progress with the verdicts made since the last message, the end, or an error. */
export type PixelWorkerMessage =
  { done: number; more: PixelVerdict[] } | { verdicts: PixelVerdict[] } | { error: string };

export class PixelCheck {
  /** This check's verdicts, by `verdictKey` (an unchecked pair passes). */
  private readonly verdicts = new Map<string, boolean>();
  /** Pairs of the last `prepare`: compared now, and taken from the store. */
  readonly counts = { checked: 0, kept: 0 };

  /**
   * @param store verdicts kept from earlier searches, and where new ones are kept (none: every pair is checked)
   * @param workers how many worker threads may share the checks (default: one per core; 0: none)
   */
  constructor(
    private readonly rule: PixelRule,
    private readonly thumbnail: (id: number) => Uint8Array | undefined,
    private readonly store?: PixelVerdictStore,
    private readonly workers = os.availableParallelism(),
  ) {}

  /**
   * Checks every distinct pair that neither this check nor the store has a verdict for. The verdicts made are
   * kept in the store even when the check is cancelled or fails part-way, so a search started again goes on
   * from there.
   */
  async prepare(pairs: readonly PixelPair[], options: PixelCheckOptions = {}): Promise<void> {
    // A pair often comes more than once (its own codes, and its greyscale variant's either way): check it once.
    const todo: PixelPair[] = [];
    const seen = new Set<string>();
    this.counts.checked = this.counts.kept = 0;
    for (const p of pairs) {
      const key = verdictKey(p);
      if (this.verdicts.has(key) || seen.has(key)) continue;
      seen.add(key);
      const kept = this.store?.get(p);
      if (kept !== undefined) {
        this.verdicts.set(key, kept);
        this.counts.kept++;
      } else todo.push(p);
    }
    this.counts.checked = todo.length;
    if (!todo.length) return;
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
    // Each slice's verdicts so far, in its order: what a cancelled check still keeps.
    const made: (readonly PixelVerdict[])[] = slices.map(() => []);
    try {
      await Promise.all(
        slices.map(async (slice, k) => {
          const job = this.job(slice);
          const onProgress: BatchProgress = (count, verdicts) => {
            made[k] = verdicts;
            report(k, count);
          };
          made[k] = await (parts > 1
            ? inWorker(job, { signal: options.signal, onProgress })
            : checkPixelPairs(job, { signal: options.signal, onProgress }));
        }),
      );
    } finally {
      this.record(slices, made);
    }
  }

  /** Takes the verdicts made for (a prefix of) each slice, and gives the store those of pairs really compared. */
  private record(slices: readonly PixelPair[][], made: readonly (readonly PixelVerdict[])[]): void {
    const judged: [PixelPair, boolean][] = [];
    slices.forEach((slice, k) =>
      made[k].forEach((verdict, i) => {
        this.verdicts.set(verdictKey(slice[i]), verdict !== 'different');
        if (verdict !== 'unchecked') judged.push([slice[i], verdict === 'same']);
      }),
    );
    if (judged.length) this.store?.add(judged);
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
  options: { signal?: AbortSignal; onProgress?: BatchProgress },
): Promise<PixelVerdict[]> {
  options.signal?.throwIfAborted();
  const made: PixelVerdict[] = [];
  const worker: Worker = startModuleWorker(import.meta.url, 'pixel-worker');
  return new Promise<PixelVerdict[]>((resolve, reject) => {
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
      if ('done' in message) {
        made.push(...message.more);
        options.onProgress?.(message.done, made);
      } else if ('verdicts' in message) {
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

/**
 * A pair as (first, turn, second), its photos named by `name` (their ids, or the contents of their files): upright
 * pairs are unordered, (a, b) and (b, a) share a verdict; a turned photo comes first.
 */
export function orderedPair<T extends string | number>(
  p: PixelPair,
  name: (id: number) => T,
): { a: T; orientation: Orientation; b: T } {
  const orientation = turn(p.orientation);
  const [a, b] = [name(p.id), name(p.other)];
  return orientation === 1 && b < a ? { a: b, orientation, b: a } : { a, orientation, b };
}

/** One string for an ordered pair, as a map key. */
export function orderedPairKey(pair: { a: string | number; orientation: number; b: string | number }): string {
  return `${pair.a}:${pair.orientation}:${pair.b}`;
}

function verdictKey(p: PixelPair): string {
  return orderedPairKey(orderedPair(p, (id) => id));
}
