/**
 * The query network as the app sees it: opened on first use (so start-up stays fast), shared by the
 * scanner, `model.encode` and `similar`, and reported by `app.info`.
 */
import type { ModelStatus } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { PhotoEncoder } from '../library/analyzer.js';
import { dupHeadPresets, readManifest } from '../../model/backbone/manifest.js';
import { describeModel, Encoder } from '../../model/encoder.js';
import type { CalibratedPresets } from '../search/duplicates/presets.js';
import type { ProviderName } from '../../model/types.js';
import { EncodePipeline } from '../../model/pipeline/pipeline.js';
import { ThreadedEncoder } from '../../model/pipeline/threaded-encoder.js';
import { UPRIGHT_VARIANTS, type VariantRequest } from '../../model/variants.js';

/**
 * The variants encoded beside each photo: always the greyscale one (colour invariance: a greyscale copy of a
 * colour photo is matched through it whatever the geometric setting) and, for a photo with uniform borders, the
 * picture inside them (a framed or letterboxed copy is matched through it); plus, when geometric matching is on, the
 * picture turned to its canonical orientations (model/variants.ts: one code pairs a photo with all its turned and
 * mirrored copies, often none is needed: the photo is canonical upright).
 */
export function encodedVariants(options: { geometric: boolean }): readonly VariantRequest[] {
  return options.geometric ? [...UPRIGHT_VARIANTS, 'canonical'] : UPRIGHT_VARIANTS;
}

export class ModelHost {
  private opening: Promise<Encoder> | null = null;
  private opened: Encoder | null = null;

  /**
   * @param providers the execution providers to try, best first (default: every one this machine may have)
   */
  constructor(
    private readonly artifactsDir?: string,
    private readonly providers?: ProviderName[],
  ) {}

  /** The encoder, opened once; a failed open is reported as MODEL_ERROR and retried on the next call. */
  encoder(): Promise<Encoder> {
    this.opening ??= Encoder.open({ artifactsDir: this.artifactsDir, threads: 1, providers: this.providers }).then(
      (encoder) => (this.opened = encoder),
      (error: unknown) => {
        this.opening = null;
        throw new AppError('MODEL_ERROR', `The query network could not be loaded: ${(error as Error).message}`);
      },
    );
    return this.opening;
  }

  /**
   * The scanner's view: an encode pipeline over the shared encoder (decoding overlapped with batched
   * inference), with the greyscale and trimmed variants and, when geometric matching is on, the rotated/mirrored
   * ones. Close it after use.
   */
  async photoEncoder(options: { geometric: boolean }): Promise<PhotoEncoder> {
    // The network runs on its own thread (threaded-encoder.ts), which also re-hashes stored descriptors:
    // onnxruntime-node runs a session on the calling thread, so here it would hold up the decodes that finish
    // meanwhile (bench:scan, mixed library: 15.8 s in this thread, ~13 s on its own). The thread is closed, never
    // terminated, when the scan ends or is cancelled: a thread terminated mid-run aborts the process.
    let threaded: ThreadedEncoder;
    try {
      threaded = await ThreadedEncoder.open({ artifactsDir: this.artifactsDir, threads: 1, providers: this.providers });
    } catch (error) {
      throw new AppError('MODEL_ERROR', `The query network could not be loaded: ${(error as Error).message}`);
    }
    const { dup, sim } = threaded.roles;
    if (!dup || !sim) {
      await threaded.close();
      throw new AppError('MODEL_ERROR', 'The model needs a duplicate and a similarity hashing head to make codes.');
    }
    const pipeline = new EncodePipeline(threaded, { variants: encodedVariants(options) });
    return {
      capacity: pipeline.capacity,
      variants: pipeline.variants,
      codes: { dup: { bits: dup.bits, version: dup.version }, sim: { bits: sim.bits, version: sim.version } },
      backboneVersion: threaded.backboneVersion,
      encode: (file, signal) => pipeline.encode(file, signal),
      hash: async (kind, descriptors) => (await threaded.hash(kind, descriptors)).map((h) => h.code),
      close: async () => {
        await pipeline.close();
        await threaded.close();
      },
    };
  }

  /** The duplicate-threshold presets' match rules measured for the duplicate head, if it was calibrated. */
  presetRules(): CalibratedPresets | undefined {
    try {
      const manifest = readManifest(this.artifactsDir);
      return manifest ? dupHeadPresets(manifest) : undefined;
    } catch {
      return undefined; // an unreadable manifest is reported by status(); thresholds fall back
    }
  }

  status(): ModelStatus {
    return this.opened ? this.opened.status() : describeModel(this.artifactsDir);
  }

  async close(): Promise<void> {
    const encoder = this.opened;
    this.opened = null;
    this.opening = null;
    await encoder?.close();
  }
}
