/**
 * The pixel check of candidate duplicate pairs, the last step of a duplicate search with a preset that asks for
 * it: each pair's stored thumbnails (WebP, long side 256) are decoded, aligned and compared
 * (electron/search/pixels/alignment.ts). It is what tells a lightly cropped or recoloured copy from a 70 % window of
 * the same photo or the other half of a stereo pair, which codes and embeddings, being pooled, cannot.
 *
 * Pairs are prepared in one pass before grouping, each distinct pair once, streamed in chunks in order of their
 * first photo: to a pool of worker threads (one per core; electron/search/pixels/pixel-worker.ts) when there are
 * enough of them, else here, yielding often so the event loop, progress and cancellation keep going. Each
 * checker keeps a bounded number of prepared pictures, so memory does not grow with the library or the number of
 * pairs, and each chunk's verdicts are kept as soon as it is done. Grouping then asks for verdicts synchronously; a pair
 * that was not prepared (grouping may ask about pairs outside the radius) is not a duplicate. A photo without a
 * stored thumbnail (or one that no longer decodes) cannot be checked, and its pairs are judged by the code and
 * embedding alone, as before the check existed.
 *
 * A verdict depends only on the two thumbnails, the rule and the check's code, so it can outlive the search: a
 * `PixelVerdictStore` (the library's: electron/search/pixels/kept-verdicts.ts) gives the verdicts of pairs judged before,
 * and keeps the new ones. Only pairs actually looked at are kept, never one passed for want of a thumbnail.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { decodeImage } from '../../../model/image/decode.js';
import { startModuleWorker } from '../../../model/module-worker.js';
import { orientPixels, type Orientation } from '../../../model/image/orientation.js';
import {
  componentBatches,
  Families,
  orderedPair,
  orderedPairKey,
  type PixelPair,
  turn,
  turnedWhereNearest,
  verdictKey,
} from './pairs.js';
import {
  type AlignablePicture,
  alignPictures,
  contentArea,
  meetsRule,
  type PixelRule,
  pictureOf,
  wholeCopies,
} from './alignment.js';

/**
 * Bump when a pair's verdict could change for the same thumbnails and rule: the alignment (alignment.ts, correlation.ts, warp.ts), the
 * decoding here, or how thumbnails are made (model/image/decode.ts, makeThumbnail). Kept verdicts of another version are
 * not used.
 */
export const PIXEL_CHECK_VERSION = 10;

/** What a kept verdict was judged with: the check's version and the rule's numbers. */
export function pixelRuleKey(rule: PixelRule): string {
  return `v${PIXEL_CHECK_VERSION}:${rule.minCoverage}:${rule.minCorrelation}:${rule.sureCorrelation}:${rule.maxLocalShift}`;
}

/**
 * The outcome of one pair: one picture, and interchangeable copies of it (`copy`: each the whole of the other,
 * correlating at the sure level: electron/search/pixels/alignment.ts's `wholeCopies`), one picture (`same`), two
 * pictures, or not checkable (a thumbnail is missing or undecodable).
 */
export type PixelVerdict = 'copy' | 'same' | 'different' | 'unchecked';

/**
 * A verdict as kept: one picture or not (`same`), and how it was reached: `compared` is the pair's own comparison
 * (`copy`, `same` or `different`), null a verdict inferred from the pair's families or kept by a version that did
 * not say. Only a compared verdict stands for comparing the pair again.
 */
export interface KeptVerdict {
  same: boolean;
  compared: Exclude<PixelVerdict, 'unchecked'> | null;
}

/** Verdicts that outlive one search. */
export interface PixelVerdictStore {
  /** The verdict kept for a pair, if any. */
  get(pair: PixelPair): KeptVerdict | undefined;
  /** Keeps verdicts just made, by comparing both thumbnails or from the pair's families. */
  add(verdicts: readonly (readonly [PixelPair, KeptVerdict])[]): void;
}

export interface PixelCheckOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Pairs sent to a worker at a time: their verdicts are kept (in the store too) as soon as the chunk is done. */
const PAIRS_PER_CHUNK = 64;
/**
 * A round of fewer pairs is cut into smaller chunks, at least this many per worker, down to MIN_PAIRS_PER_CHUNK:
 * the workers wait for each other at the end of a round, and with a few large chunks one of them idles.
 */
const CHUNKS_PER_WORKER = 4;
const MIN_PAIRS_PER_CHUNK = 8;
/** In process, the event loop gets a turn every this many pairs (~2–10 ms a pair). */
const PAIRS_PER_TURN = 8;
/** Fewer pairs than this per worker are checked here: starting a worker costs more than they do. */
const PAIRS_PER_WORKER = 64;
/**
 * Prepared pictures a checker keeps (least recently used go first): ~90 KB each as measured (grey planes at
 * four sizes, the 256 px grey thumbnail, and the detail planes once a near miss asked for them), so ~90 MB per
 * checker whatever the library's size. Pairs are checked in order of their first photo, so most pictures are
 * found here again. On the stress library (1,528 files, 2 checkers) 2,000 pictures peaked at 700 MB RSS and
 * 1,000 at 540 MB for 0.6 s more of pixel check (500: 514 MB, +4.4 s).
 */
const PICTURES_KEPT = 1000;

/** One chunk of work: the pairs, and the thumbnails of the photos they name (WebP bytes). */
export interface PixelChunk {
  pairs: PixelPair[];
  thumbnails: [number, Uint8Array][];
}

/**
 * Checks pairs with a bounded memory of prepared pictures: each thumbnail is decoded (and turned) once while it
 * stays among the PICTURES_KEPT most recently used. The same code runs here and in the worker threads.
 */
export class PixelChecker {
  /** Prepared pictures by photo and turn; a promise while its thumbnail is being decoded. */
  private readonly pictures = new Map<string, AlignablePicture | null | Promise<AlignablePicture | null>>();

  constructor(
    private readonly rule: PixelRule,
    private readonly capacity = PICTURES_KEPT,
  ) {}

  /**
   * The verdict of each pair of the chunk, in order, and how many of them needed the full search over scales and
   * offsets (`alignPictures`'s `onSearch`); `turnEvery` yields to the event loop every so many pairs.
   */
  async check(chunk: PixelChunk, options: { signal?: AbortSignal; turnEvery?: number } = {}): Promise<CheckedChunk> {
    const webp = new Map(chunk.thumbnails);
    // Every picture of the chunk is asked for at once: sharp decodes them off this thread while pairs are aligned.
    for (const p of chunk.pairs) {
      void this.picture(p.id, turn(p.orientation), webp);
      void this.picture(p.other, 1, webp);
    }
    const verdicts: PixelVerdict[] = [];
    let searched = 0;
    for (let i = 0; i < chunk.pairs.length; i++) {
      if (options.turnEvery && i % options.turnEvery === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        options.signal?.throwIfAborted();
      }
      const p = chunk.pairs[i];
      let a = await this.picture(p.id, turn(p.orientation), webp);
      let b = await this.picture(p.other, 1, webp);
      if (!a || !b) {
        verdicts.push('unchecked');
        continue;
      }
      // Upright, the picture that holds more is A: the search lays B in A (alignment.ts), as a crop, a bordered copy
      // or a window lies in its photo, and the verdict no longer depends on which photo's code found the other.
      if (turn(p.orientation) === 1 && contentArea(b) > contentArea(a)) [a, b] = [b, a];
      const found = alignPictures(a, b, { goal: this.rule, onSearch: () => searched++ });
      if (!found || !meetsRule(found, this.rule)) verdicts.push('different');
      else verdicts.push(wholeCopies(found, this.rule) ? 'copy' : 'same');
    }
    return { verdicts, searched };
  }

  private picture(
    id: number,
    o: Orientation,
    webp: Map<number, Uint8Array>,
  ): AlignablePicture | null | Promise<AlignablePicture | null> {
    const key = `${id}:${o}`;
    const known = this.pictures.get(key);
    if (known !== undefined) {
      this.pictures.delete(key); // most recently used last
      this.pictures.set(key, known);
      return known;
    }
    const bytes = webp.get(id);
    const picture = (async () => {
      const image = bytes ? await decodeImage(bytes, { channels: 3 }).catch(() => null) : null;
      const prepared = image && pictureOf(o === 1 ? image : orientPixels(image, o));
      if (this.pictures.get(key) instanceof Promise) this.pictures.set(key, prepared);
      return prepared;
    })().catch(() => null); // a thumbnail that cannot be prepared leaves its pairs unchecked
    this.pictures.set(key, picture);
    if (this.pictures.size > this.capacity) this.pictures.delete(this.pictures.keys().next().value!);
    return picture;
  }
}

/** Messages to a pixel worker: the rule first, then chunks; and what it answers for each chunk. */
export type PixelWorkerRequest = { rule: PixelRule } | { chunk: PixelChunk };
/** A chunk's verdicts, in order, and how many of its pairs needed the full search. */
export interface CheckedChunk {
  verdicts: PixelVerdict[];
  searched: number;
}
export type PixelWorkerMessage = CheckedChunk | { error: string };

export class PixelCheck {
  /** This check's verdicts, by `verdictKey` (an unchecked pair passes). */
  private readonly verdicts = new Map<number | string, boolean>();
  /** Pairs of the last `prepare`: compared now, taken from the store, and judged by their families' verdict. */
  readonly counts = { checked: 0, searched: 0, kept: 0, inferred: 0, skipped: 0 };

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
   * Judges every distinct pair this check has no verdict for, in rounds of increasing rank, one batch of connected
   * components (`componentBatches`: photos linked by pairs, about as many as a checker keeps pictures of) after
   * another; what is inferred never crosses a component, so this is what rounds over the whole library would
   * judge, with each picture prepared about once a batch instead of once a round. Interchangeable copies
   * are judged once: photos found to be `copy` of each other form one family; a later pair whose two families (and
   * turn) were already judged takes that verdict without comparing pixels (`counts.inferred`), and only the first
   * pair of each family pair in a round is compared. A library where each photo has several copies, or bursts of
   * near-identical shots, so compares families rather than every file against every file.
   *
   * A pair to compare whose comparison the store kept takes it (`counts.kept`); the others are compared a chunk at
   * a time, in order of their first photo (so the pictures a checker keeps serve many pairs). Each chunk's
   * verdicts are kept, in the store too, as soon as it is done: a search cancelled, stopped or killed part-way
   * loses at most the chunks in flight, and one started again goes on from there. Since the rounds are replayed
   * from the kept comparisons, a search resumed after an interruption infers what an uninterrupted one infers and
   * finds the same groups. Progress is told as pairs are compared (a search with every comparison kept tells none).
   *
   * Turned pairs (a photo turned or mirrored against another upright) are compared only where the turn brings the
   * two photos nearest (`turnedWhereNearest`), and after every upright pair: a turned pair of two photos judged one
   * picture upright is skipped (`counts.skipped`; grouping has their edge), and gets no verdict.
   */
  async prepare(pairs: readonly PixelPair[], options: PixelCheckOptions = {}): Promise<void> {
    // A pair often comes more than once (its own codes, and its greyscale variant's either way): judge it once.
    const distinct: PixelPair[] = [];
    const seen = new Set<number | string>();
    this.counts.checked = this.counts.searched = this.counts.kept = this.counts.inferred = this.counts.skipped = 0;
    for (const p of pairs) {
      const key = verdictKey(p);
      if (this.verdicts.has(key) || seen.has(key)) continue;
      seen.add(key);
      distinct.push(p);
    }
    seen.clear();
    // (Arrays of a large library's pairs are never spread into a call's arguments: the stack cannot hold them.)
    let todo = turnedWhereNearest(distinct, pairs);
    this.counts.skipped = distinct.length - todo.length;
    distinct.length = 0; // held while the rounds run otherwise
    if (!todo.length) return;
    // Upright pairs first, turned ones after them (a turned pair of two photos already one picture is skipped).
    const turned = (p: PixelPair) => (turn(p.orientation) === 1 ? 0 : 1);
    const round = (p: PixelPair) => turned(p) * 1e6 + (p.rank ?? 0);
    todo.sort((p, q) => round(p) - round(q) || p.id - q.id || p.orientation - q.orientation || p.other - q.other);
    const families = new Families();
    const total = todo.length;
    let done = 0;
    const pool = new CheckerPool(this.rule, this.workers, total, options.signal);
    // Components of the pairs' graph a batch at a time, each batch all its rounds: a checker then prepares a picture
    // about once a batch, where rounds over the whole library prepared it again in every round it had pairs in.
    const batches = componentBatches(todo, PICTURES_KEPT);
    todo = [];
    try {
      for (todo of batches) {
        /** Verdicts between families (by their roots when made), from compared pairs. */
        const judged: [PixelPair, boolean][] = [];
        for (let start = 0; start < todo.length;) {
          let end = start;
          while (end < todo.length && round(todo[end]) === round(todo[start])) end++;
          const pairs = todo.slice(start, end);
          start = end;
          // What is known between families now; a round's pairs of one family pair wait for its first one.
          const between = new Map<string, boolean>();
          // Two families judged both ways (a borderline pair of pictures) are kept apart: what the next rounds infer
          // depends neither on the order chunks finished in nor on which copy was compared.
          for (const [p, same] of judged) {
            const key = families.key(p);
            between.set(key, same && between.get(key) !== false);
          }
          const send: PixelPair[] = [];
          const waiting = new Map<string, PixelPair[]>();
          // Each sent pair's key as the round began (families grow while the round runs).
          const sentKey = new Map<PixelPair, string>();
          const inferred: [PixelPair, boolean][] = [];
          for (const p of pairs) {
            // A turned pair adds nothing where the two photos are already one picture upright: grouping has the edge.
            if (turned(p) && this.verdicts.get(verdictKey({ id: p.id, orientation: 1, other: p.other }))) {
              this.counts.skipped++;
              done++;
              continue;
            }
            const key = families.key(p);
            const known = families.same(p) ? true : between.get(key);
            if (known !== undefined) inferred.push([p, known]);
            else if (waiting.has(key)) waiting.get(key)!.push(p);
            else {
              waiting.set(key, []);
              sentKey.set(p, key);
              send.push(p);
            }
          }
          this.takeInferred(inferred);
          done += inferred.length;
          /** Takes compared verdicts (now or kept): their followers', and the families they join. */
          const settle = (chunk: readonly PixelPair[], verdicts: readonly PixelVerdict[]) => {
            const followers: [PixelPair, boolean][] = [];
            verdicts.forEach((verdict, i) => {
              const p = chunk[i];
              if (verdict === 'unchecked') return;
              const same = verdict !== 'different';
              judged.push([p, same]);
              for (const q of waiting.get(sentKey.get(p)!) ?? []) followers.push([q, same]);
            });
            this.takeInferred(followers);
            // Families grow only from compared copies, after the round's keys were taken.
            verdicts.forEach(
              (verdict, i) => verdict === 'copy' && turn(chunk[i].orientation) === 1 && families.join(chunk[i]),
            );
            done += chunk.length + followers.length;
          };
          const kept: PixelPair[] = [];
          const keptVerdicts: PixelVerdict[] = [];
          const compare: PixelPair[] = [];
          for (const p of send) {
            const verdict = this.store?.get(p)?.compared;
            if (verdict) {
              kept.push(p);
              keptVerdicts.push(verdict);
              this.verdicts.set(verdictKey(p), verdict !== 'different');
            } else compare.push(p);
          }
          this.counts.kept += kept.length;
          settle(kept, keptVerdicts);
          const chunks: PixelPair[][] = [];
          const size = pool.chunkSize(compare.length);
          for (let i = 0; i < compare.length; i += size) chunks.push(compare.slice(i, i + size));
          await pool.run(
            chunks,
            (chunk) => this.chunk(chunk),
            (chunk, { verdicts, searched }) => {
              this.counts.searched += searched;
              this.record(chunk, verdicts);
              settle(chunk, verdicts);
              options.onProgress?.(done, total);
            },
          );
          // Pairs waiting on an unchecked pair are compared themselves in a later round.
          for (const [, list] of waiting) {
            const open = list.filter((q) => !this.verdicts.has(verdictKey(q)));
            if (open.length)
              todo = [
                ...todo.slice(0, start),
                ...open.map((q) => ({ ...q, rank: (q.rank ?? 0) + 0.5 })),
                ...todo.slice(start),
              ];
          }
        }
      }
    } finally {
      await pool.close();
    }
  }

  /** Takes verdicts inferred from families, and keeps those the store does not hold already. */
  private takeInferred(inferred: readonly [PixelPair, boolean][]): void {
    if (!inferred.length) return;
    const changed: [PixelPair, KeptVerdict][] = [];
    for (const [p, same] of inferred) {
      this.verdicts.set(verdictKey(p), same);
      if (this.store && this.store.get(p)?.same !== same) changed.push([p, { same, compared: null }]);
    }
    this.counts.inferred += inferred.length;
    if (changed.length) this.store?.add(changed);
  }

  /** Takes a chunk's verdicts, and gives the store those of pairs really compared. */
  private record(chunk: readonly PixelPair[], verdicts: readonly PixelVerdict[]): void {
    const judged: [PixelPair, KeptVerdict][] = [];
    verdicts.forEach((verdict, i) => {
      this.verdicts.set(verdictKey(chunk[i]), verdict !== 'different');
      if (verdict !== 'unchecked') judged.push([chunk[i], { same: verdict !== 'different', compared: verdict }]);
    });
    this.counts.checked += chunk.length;
    if (judged.length) this.store?.add(judged);
  }

  /** Whether photo `id` (turned by `orientation`) and photo `other` are one picture: the prepared verdict. */
  matches(id: number, orientation: number, other: number): boolean {
    return this.verdicts.get(verdictKey({ id, orientation, other })) ?? false;
  }

  /**
   * Whether the two were judged two pictures (compared, or inferred from their families), not only left without a
   * verdict (a pair that was not prepared).
   */
  differ(id: number, orientation: number, other: number): boolean {
    return this.verdicts.get(verdictKey({ id, orientation, other })) === false;
  }

  private chunk(pairs: PixelPair[]): PixelChunk {
    const thumbnails: [number, Uint8Array][] = [];
    for (const id of new Set(pairs.flatMap((p) => [p.id, p.other]))) {
      const webp = this.thumbnail(id);
      if (webp) thumbnails.push([id, webp]);
    }
    return { pairs, thumbnails };
  }
}

/**
 * Checks chunks here or on worker threads (started on first use, one per core, kept across runs and closed by
 * `close`); each worker takes its next chunk as it finishes one, and `finished` is called per chunk in the order
 * they finish. Aborting, or a worker's failure, fails the run.
 */
class CheckerPool {
  private readonly workers: Worker[] = [];
  private here: PixelChecker | null = null;
  private readonly threads: number;

  constructor(
    private readonly rule: PixelRule,
    workers: number,
    pairs: number,
    private readonly signal?: AbortSignal,
  ) {
    const threads = Math.max(0, Math.min(workers, Math.floor(pairs / PAIRS_PER_WORKER)));
    this.threads = threads < 2 ? 0 : threads;
  }

  /** How many of a round's `pairs` go to a worker at a time. */
  chunkSize(pairs: number): number {
    if (this.threads === 0) return PAIRS_PER_CHUNK;
    const even = Math.ceil(pairs / (CHUNKS_PER_WORKER * this.threads));
    return Math.max(MIN_PAIRS_PER_CHUNK, Math.min(PAIRS_PER_CHUNK, even));
  }

  async run(
    chunks: readonly PixelPair[][],
    load: (pairs: PixelPair[]) => PixelChunk,
    finished: (pairs: PixelPair[], checked: CheckedChunk) => void,
  ): Promise<void> {
    const signal = this.signal;
    signal?.throwIfAborted();
    if (!chunks.length) return;
    if (this.threads === 0) {
      this.here ??= new PixelChecker(this.rule);
      for (const chunk of chunks) {
        signal?.throwIfAborted();
        finished(chunk, await this.here.check(load(chunk), { signal, turnEvery: PAIRS_PER_TURN }));
      }
      return;
    }
    while (this.workers.length < Math.min(this.threads, chunks.length)) {
      const worker = startModuleWorker(import.meta.url, 'pixel-worker');
      worker.postMessage({ rule: this.rule } satisfies PixelWorkerRequest);
      this.workers.push(worker);
    }
    // Each worker takes the chunks of its own stretch of the round (chunks go in order of their first photo, so a
    // worker meets the same pictures again and prepares each fewer times), then helps the one with most left from
    // its far end.
    const busy = Math.min(this.workers.length, chunks.length);
    const stretches = Array.from({ length: busy }, (_, k) => ({
      next: Math.floor((k * chunks.length) / busy),
      end: Math.floor(((k + 1) * chunks.length) / busy),
    }));
    const untaken = () => stretches.reduce((sum, q) => sum + q.end - q.next, 0);
    const take = (k: number): PixelPair[] | undefined => {
      const own = stretches[k];
      if (own.next < own.end) return chunks[own.next++];
      const most = stretches.reduce((p, q) => (q.end - q.next > p.end - p.next ? q : p));
      return most.next < most.end ? chunks[--most.end] : undefined;
    };
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      let failed = false;
      const fail = (error: unknown) => {
        failed = true;
        reject(error);
      };
      const onAbort = () => fail(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      /**
       * Keeps a chunk waiting with each worker while it checks another (its thumbnails read and copied meanwhile),
       * while more chunks are left than workers: at the end of a round, one waiting would keep another worker idle.
       */
      const feed = (worker: Worker, k: number, queue: PixelPair[][], onMessage: (m: PixelWorkerMessage) => void) => {
        while (!failed && (queue.length === 0 || (queue.length < 2 && untaken() > busy))) {
          const pairs = take(k);
          if (!pairs) break;
          queue.push(pairs);
          worker.postMessage({ chunk: load(pairs) } satisfies PixelWorkerRequest);
        }
        if (failed || queue.length) return;
        worker.off('message', onMessage);
        worker.off('error', fail);
        if (--running === 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }
      };
      this.workers.slice(0, busy).forEach((worker, k) => {
        const queue: PixelPair[][] = [];
        const onMessage = (message: PixelWorkerMessage) => {
          if (failed) return;
          const pairs = queue.shift()!;
          if ('error' in message) return fail(new Error(`Pixel check failed: ${message.error}`));
          try {
            finished(pairs, message);
          } catch (error) {
            return fail(error);
          }
          feed(worker, k, queue, onMessage);
        };
        worker.on('message', onMessage);
        worker.on('error', fail);
        running++;
        feed(worker, k, queue, onMessage);
      });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}

export { orderedPair, orderedPairKey, type PixelPair };
