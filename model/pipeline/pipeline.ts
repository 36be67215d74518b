/**
 * The encode pipeline: photos in, per photo the probe info, WebP thumbnail, backbone descriptor and
 * code out, with decoding and inference overlapped and memory bounded.
 *
 *   encode(photo) ──▶ decode slot (≤ decodeConcurrency): probe, then model input + thumbnail
 *                                  │  libvips formats: sharp on the libuv pool
 *                                  │  HEIC / BMP / RAW: DecodeWorkerPool (their decoders block a thread)
 *                                  ▼
 *                  waiting queue (≤ maxWaiting decoded images) ──▶ one Encoder.encode run of ≤ maxBatch
 *
 * Backpressure: a finished decode keeps its decode slot until the queue has room, so no new decode
 * starts while `maxWaiting` images wait; decoded images in memory are at most
 * decodeConcurrency + maxWaiting (+ the batch being encoded, which was taken from the queue).
 *
 * Batching: a run starts when `maxBatch` images wait, when no decode is in progress (nothing more is
 * coming soon), or when the oldest waiting image has waited `maxDelayMs`. onnxruntime-node runs a
 * session synchronously on the JS thread, so only one run is ever in progress and decodes already on
 * the libuv pool keep going meanwhile; keep runs short (small batches) if this thread serves a UI.
 *
 * Errors are per photo: a bad file resolves as `{ok: false, error}` and the others carry on.
 * Cancellation: an aborted call rejects at once with the signal's reason; a decode already running
 * finishes in the background (libvips cannot be interrupted) but its result is dropped.
 */
import { availableParallelism } from 'node:os';
import type { Encoder, HeadRole } from '../encoder.js';
import { decodeForCatalog, probeImage, type CatalogDecode, type ImageFormat, type ImageInfo } from '../image/decode.js';
import { DecodeWorkerPool, type PhotoDecodeSettings, type PhotoSource } from './decode-pool.js';
import { variantInputs, type ImageVariant, type VariantInput, type VariantRequest } from '../variants.js';
import type { RawImage } from '../types.js';
import { addStage, timeStage, timeStageSync } from '../stage-clock.js';

export type { PhotoSource } from './decode-pool.js';

export interface EncodePipelineOptions {
  /** Photos decoding at once (default cores + 1, at most UV_THREADPOOL_SIZE − 1: 3 on 2 cores). */
  decodeConcurrency?: number;
  /** Most images per encoder run (default 8). */
  maxBatch?: number;
  /** Most decoded images waiting for the encoder (default 2 × maxBatch, at least maxBatch). */
  maxWaiting?: number;
  /** Longest an image waits for its batch to fill while decodes are still running (default 20 ms). */
  maxDelayMs?: number;
  /** Longer side of the WebP thumbnail (default 256). */
  thumbnailSize?: number;
  /** Decompression-bomb guard passed to the decoder (default image.ts's DEFAULT_MAX_PIXELS). */
  maxPixels?: number;
  /** Formats decoded in worker threads (default HEIC, BMP, RAW); 'all' puts every decode there. */
  workerFormats?: readonly ImageFormat[] | 'all';
  /** Decode worker threads (default 1; with 'all', default decodeConcurrency). */
  workers?: number;
  /**
   * Also encode these versions of each model input, in the same run, for duplicate matching: rotated/mirrored
   * (geometric matching: 'canonical', the picture's canonical orientations, or given orientations), greyscale
   * (colour invariance) and trimmed (borders; only pictures that have them).
   */
  variants?: readonly VariantRequest[];
}

/** One role's code of a photo. */
export interface PhotoCode {
  /** Packed code (bit k in word k >> 5) and the head outputs it came from. */
  code: Uint32Array;
  logits: Float32Array;
  /** Backbone + head version that made the code. */
  model: string;
}

/** Everything the catalog stores about one photo, from one decode. */
export interface EncodedPhoto {
  info: ImageInfo;
  /** WebP, longer side at most thumbnailSize. */
  thumbnail: Buffer;
  /** The share of the width and height inside uniform borders (frames, letterbox bars); 1 = no border. */
  content: { width: number; height: number };
  /** Unit-norm backbone descriptor (the trainer re-encodes from it). */
  descriptor: Float32Array;
  /** The duplicate and similarity codes, from the same backbone run; null where the encoder has no such head. */
  codes: Record<HeadRole, PhotoCode | null>;
  /**
   * Duplicate ('dup') codes of the requested variants (rotated/mirrored, greyscale, trimmed), in the order of
   * `variants`, with the head outputs they came from (the catalog stores them as the variant's embedding, for
   * verification). A variant the picture does not have (trimmed, without borders) is left out; 'canonical' gives
   * one entry per canonical orientation other than upright (`canonical` true), often none or one.
   */
  variantCodes: { variant: ImageVariant; canonical: boolean; code: Uint32Array | null; logits: Float32Array | null }[];
}

/** What the pipeline needs from the encoder (an `Encoder`; a stub measures decoding alone). */
export type PipelineEncoder = Pick<Encoder, 'decodeOptions' | 'encode'> & {
  /** The model version of each role's codes (null: the encoder makes no code of that role). */
  readonly roles: Readonly<Record<HeadRole, { readonly version: string } | null>>;
};

export type EncodeResult = { ok: true; photo: EncodedPhoto } | { ok: false; error: Error };

export interface PipelineStats {
  /** Decodes started so far (and how many of them in worker threads); photos decoding now, and the most at once so far. */
  decodesStarted: number;
  decodedInWorkers: number;
  decoding: number;
  peakDecoding: number;
  /** Decoded model inputs waiting for the encoder now, and the most at once so far. */
  waiting: number;
  peakWaiting: number;
  /** Encoder runs (each one backbone run, plus one run per head) and the photos they encoded. */
  encoderRuns: number;
  imagesEncoded: number;
  largestBatch: number;
  failed: number;
}

interface Job {
  info: ImageInfo;
  model: RawImage;
  thumbnail: Buffer;
  content: { width: number; height: number };
  trimmed: RawImage | null;
  queuedAt: number;
  settle: (result: EncodeResult) => void;
  /** True once the call has settled some other way (aborted, closed): its work can stop. */
  abandoned: () => boolean;
}

const DEFAULT_WORKER_FORMATS: readonly ImageFormat[] = ['heic', 'bmp', 'raw'];
const ALL_ROLES: readonly HeadRole[] = ['dup', 'sim'];
/** Geometric matching compares rotated/mirrored copies by the duplicate code only. */
const VARIANT_ROLES: readonly HeadRole[] = ['dup'];

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('the encode was cancelled', 'AbortError');
}

/**
 * One 'abort' listener per signal, however many calls share it: a scan passes the same signal to every
 * photo in flight, and Node warns past 10 listeners on one EventTarget.
 */
const abortSubscribers = new WeakMap<AbortSignal, Set<() => void>>();

function subscribeToAbort(signal: AbortSignal, callback: () => void): () => void {
  let subscribers = abortSubscribers.get(signal);
  if (!subscribers) {
    const set = new Set<() => void>();
    subscribers = set;
    abortSubscribers.set(signal, set);
    signal.addEventListener('abort', () => [...set].forEach((notify) => notify()), { once: true });
  }
  subscribers.add(callback);
  return () => subscribers.delete(callback);
}

/**
 * Cores + 1 decodes (one covers file reads and the encoder's turns on the JS thread; measured on 2
 * cores: 3 and 4 cost the same CPU per photo, 2 leaves cores idle), capped at libuv's pool size − 1
 * so a probe or file read always finds a thread. Raise UV_THREADPOOL_SIZE at startup on bigger machines.
 */
function defaultDecodeConcurrency(): number {
  const poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(availableParallelism() + 1, poolSize - 1));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export class EncodePipeline {
  readonly decodeConcurrency: number;
  readonly maxBatch: number;
  readonly variants: readonly VariantRequest[];
  readonly maxWaiting: number;
  private readonly maxDelayMs: number;
  private readonly settings: PhotoDecodeSettings;
  private readonly workerFormats: ReadonlySet<ImageFormat> | 'all';
  private readonly workers: DecodeWorkerPool;

  private decoding = 0;
  private readonly decodeWaiters: (() => void)[] = [];
  private readonly queue: Job[] = [];
  private readonly spaceWaiters: (() => void)[] = [];
  private running = false;
  private delayTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Rejecters of every call not yet settled, so close() can end them all. */
  private readonly unsettled = new Set<(error: Error) => void>();
  private readonly counters: Omit<PipelineStats, 'decoding' | 'waiting'> = {
    decodesStarted: 0,
    decodedInWorkers: 0,
    peakDecoding: 0,
    peakWaiting: 0,
    encoderRuns: 0,
    imagesEncoded: 0,
    largestBatch: 0,
    failed: 0,
  };

  constructor(
    private readonly encoder: PipelineEncoder,
    options: EncodePipelineOptions = {},
  ) {
    this.decodeConcurrency = options.decodeConcurrency ?? defaultDecodeConcurrency();
    this.maxBatch = options.maxBatch ?? 8;
    this.variants = options.variants ?? [];
    this.maxWaiting = Math.max(this.maxBatch, options.maxWaiting ?? 2 * this.maxBatch);
    this.maxDelayMs = options.maxDelayMs ?? 20;
    if (!(this.decodeConcurrency >= 1 && this.maxBatch >= 1)) throw new RangeError('concurrency and batch must be ≥ 1');
    const { size, fit } = encoder.decodeOptions;
    this.settings = {
      modelSize: size,
      modelFit: fit,
      thumbnailSize: options.thumbnailSize ?? 256,
      maxPixels: options.maxPixels,
    };
    const formats = options.workerFormats ?? DEFAULT_WORKER_FORMATS;
    const all = formats === 'all';
    this.workerFormats = formats === 'all' ? 'all' : new Set(formats);
    this.workers = new DecodeWorkerPool(options.workers ?? (all ? this.decodeConcurrency : 1));
  }

  /** Photos the pipeline can usefully hold at once: callers should keep about this many calls open. */
  get capacity(): number {
    return this.decodeConcurrency + this.maxWaiting;
  }

  stats(): PipelineStats {
    return { ...this.counters, decoding: this.decoding, waiting: this.queue.length };
  }

  /**
   * Encodes one photo. Resolves with an error result for a photo that cannot be decoded or encoded;
   * rejects only when `signal` aborts (with its reason) or the pipeline is closed.
   */
  encode(source: PhotoSource, signal?: AbortSignal): Promise<EncodeResult> {
    if (this.closed) return Promise.reject(new Error('the encode pipeline is closed'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<EncodeResult>((resolve, reject) => {
      let done = false;
      const onAbort = () => finish(() => reject(abortReason(signal!)));
      const onClose = (error: Error) => finish(() => reject(error));
      const finish = (action: () => void) => {
        if (done) return;
        done = true;
        unsubscribe();
        this.unsettled.delete(onClose);
        action();
        // An abandoned job (aborted, closed) may still sit in the queue: drop it so it frees its place.
        this.dropAbandonedJobs();
      };
      const unsubscribe = signal ? subscribeToAbort(signal, onAbort) : () => true;
      this.unsettled.add(onClose);
      const abandoned = () => done;
      const settle = (result: EncodeResult) =>
        finish(() => {
          if (!result.ok) this.counters.failed++;
          resolve(result);
        });
      this.decodeAndQueue(source, settle, abandoned).catch((error: unknown) =>
        settle({ ok: false, error: asError(error) }),
      );
    });
  }

  /**
   * Encodes many photos, keeping `capacity` of them in flight, and yields each result as it is ready
   * (completion order, with the source and its index). Stops early, without error, when `signal` aborts.
   */
  async *encodeAll(
    sources: Iterable<PhotoSource> | AsyncIterable<PhotoSource>,
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<{ source: PhotoSource; index: number; result: EncodeResult }> {
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    type Settled = { source: PhotoSource; index: number; result: EncodeResult | null; key: number };
    const inFlight = new Map<number, Promise<Settled>>();
    let index = 0;
    try {
      for await (const source of sources) {
        if (signal.aborted) return;
        const key = index++;
        const pending = this.encode(source, signal).then(
          (result) => ({ source, index: key, result, key }),
          () => ({ source, index: key, result: null, key }),
        );
        inFlight.set(key, pending);
        if (inFlight.size >= this.capacity) {
          const next = await Promise.race(inFlight.values());
          inFlight.delete(next.key);
          if (!next.result) return;
          yield { source: next.source, index: next.index, result: next.result };
        }
      }
      while (inFlight.size > 0) {
        const next = await Promise.race(inFlight.values());
        inFlight.delete(next.key);
        if (!next.result) return;
        yield { source: next.source, index: next.index, result: next.result };
      }
    } finally {
      controller.abort(); // the consumer stopped early: cancel what is still in flight
    }
  }

  /** Rejects what is still waiting and stops the decode workers; the encoder stays open (the caller owns it). */
  async close(): Promise<void> {
    this.closed = true;
    this.clearDelayTimer();
    const closed = new Error('the encode pipeline was closed');
    this.queue.splice(0);
    for (const reject of [...this.unsettled]) reject(closed);
    this.wakeAll(this.spaceWaiters);
    this.wakeAll(this.decodeWaiters);
    await this.workers.close();
  }

  private async decodeAndQueue(
    source: PhotoSource,
    settle: (result: EncodeResult) => void,
    abandoned: () => boolean,
  ): Promise<void> {
    await this.acquireDecodeSlot(abandoned);
    if (abandoned() || this.closed) return this.releaseDecodeSlot();
    this.counters.decodesStarted++;
    let info: ImageInfo;
    let decoded: CatalogDecode;
    try {
      // Inside the slot: probing HEIC/BMP/RAW reads the whole file, so it counts against the memory bound.
      info = await timeStage('probe', () => probeImage(source));
      decoded = await this.decode(source, info.format);
    } catch (error) {
      this.releaseDecodeSlot();
      throw error;
    }
    // Hold the decode slot until the queue has room: this is the backpressure on decoding.
    while (this.queue.length >= this.maxWaiting && !abandoned() && !this.closed)
      await new Promise<void>((wake) => this.spaceWaiters.push(wake));
    this.releaseDecodeSlot();
    if (abandoned() || this.closed) return;
    this.queue.push({ info, ...decoded, queuedAt: performance.now(), settle, abandoned });
    this.counters.peakWaiting = Math.max(this.counters.peakWaiting, this.queue.length);
    this.schedule();
  }

  private decode(source: PhotoSource, format: ImageFormat): Promise<CatalogDecode> {
    if (this.workerFormats === 'all' || this.workerFormats.has(format)) {
      this.counters.decodedInWorkers++;
      return this.workers.decode(source, this.settings);
    }
    return decodeForCatalog(source, this.settings);
  }

  private async acquireDecodeSlot(abandoned: () => boolean): Promise<void> {
    while (this.decoding >= this.decodeConcurrency && !abandoned() && !this.closed)
      await new Promise<void>((wake) => this.decodeWaiters.push(wake));
    this.decoding++;
    this.counters.peakDecoding = Math.max(this.counters.peakDecoding, this.decoding);
  }

  private releaseDecodeSlot(): void {
    this.decoding--;
    this.decodeWaiters.shift()?.();
    // With no decode left running, nothing else is about to join the batch.
    if (this.decoding === 0) this.schedule();
  }

  private dropAbandonedJobs(): void {
    const before = this.queue.length;
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].abandoned()) this.queue.splice(i, 1);
    if (this.queue.length < before) this.wakeAll(this.spaceWaiters);
    // Waiters for a decode slot re-check their own abort state when woken.
    this.wakeAll(this.decodeWaiters);
  }

  private wakeAll(waiters: (() => void)[]): void {
    for (const wake of waiters.splice(0)) wake();
  }

  /** Starts an encoder run now if a batch is due, else arms the delay timer for the oldest waiting image. */
  private schedule(): void {
    if (this.running || this.queue.length === 0 || this.closed) return;
    const waited = performance.now() - this.queue[0].queuedAt;
    if (this.queue.length >= this.maxBatch || this.decoding === 0 || waited >= this.maxDelayMs) {
      this.clearDelayTimer();
      void this.runBatch();
    } else if (!this.delayTimer) {
      this.delayTimer = setTimeout(
        () => {
          this.delayTimer = null;
          this.schedule();
        },
        Math.max(1, this.maxDelayMs - waited),
      );
    }
  }

  private clearDelayTimer(): void {
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimer = null;
  }

  private async runBatch(): Promise<void> {
    this.running = true;
    const batch = this.queue.splice(0, this.maxBatch);
    this.wakeAll(this.spaceWaiters);
    try {
      const live = batch.filter((job) => !job.abandoned());
      if (live.length > 0) await this.encodeBatch(live);
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  private async encodeBatch(batch: Job[]): Promise<void> {
    this.counters.encoderRuns++;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    // Each photo, then the variants it has: `starts[i]` is photo i's row in the run.
    const perJob = timeStageSync('variant inputs', () => batch.map((job) => this.variantsOf(job)));
    for (const variants of perJob)
      for (const { variant } of variants) addStage(`images: ${typeof variant === 'number' ? 'turned' : variant}`, 0);
    addStage('images: photo', 0, batch.length);
    const starts: number[] = [];
    const images: RawImage[] = [];
    for (const [i, job] of batch.entries()) {
      starts.push(images.length);
      images.push(job.model, ...perJob[i].map((v) => v.pixels));
    }
    const photoRows = new Set(starts);
    let encoded;
    try {
      // The photo itself gets every code; its variants only the duplicate code.
      encoded = await this.encoder.encode(images, {
        roles: (index) => (photoRows.has(index) ? ALL_ROLES : VARIANT_ROLES),
      });
    } catch (error) {
      // One image the encoder rejects must not fail the others: retry them one by one.
      if (batch.length > 1) {
        for (const job of batch) await this.encodeBatch([job]);
      } else {
        batch[0].settle({ ok: false, error: asError(error) });
      }
      return;
    }
    this.counters.imagesEncoded += batch.length;
    batch.forEach((job, i) => {
      const { descriptor, codes } = encoded[starts[i]];
      const photoCode = (role: HeadRole): PhotoCode | null => {
        const hashed = codes[role];
        const model = this.encoder.roles[role]?.version;
        return hashed && model ? { ...hashed, model } : null;
      };
      const variantCodes = perJob[i].map(({ variant, canonical }, v) => {
        const dup = encoded[starts[i] + 1 + v].codes.dup;
        return { variant, canonical, code: dup?.code ?? null, logits: dup?.logits ?? null };
      });
      const photo: EncodedPhoto = {
        info: job.info,
        thumbnail: job.thumbnail,
        content: job.content,
        descriptor,
        codes: { dup: photoCode('dup'), sim: photoCode('sim') },
        variantCodes,
      };
      job.settle({ ok: true, photo });
    });
  }

  /** The variants the photo has, in the order of `variants`, with their model inputs. */
  private variantsOf(job: Job): VariantInput[] {
    return this.variants.flatMap((request) => variantInputs(job, request));
  }
}
