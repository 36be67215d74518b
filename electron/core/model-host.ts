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
import type { Orientation } from '../../model/image/orientation.js';
import type { ProviderName } from '../../model/types.js';
import { EncodePipeline } from '../../model/pipeline/pipeline.js';
import { type ImageVariant, UPRIGHT_VARIANTS } from '../../model/variants.js';

/**
 * The rotated and mirrored versions encoded for geometric matching (EXIF orientation numbers). A pair of photos
 * is matched when either one's variant is near the other's code, so a transform's inverse need not be stored:
 * 90° clockwise (6) also finds 90° anticlockwise copies (8), from the other side. Six of the seven suffice.
 */
export const VARIANT_ORIENTATIONS: readonly Orientation[] = [2, 3, 4, 5, 6, 7];

/**
 * The variants encoded beside each photo: always the greyscale one (colour invariance: a greyscale copy of a
 * colour photo is matched through it whatever the geometric setting) and, for a photo with uniform borders, the
 * picture inside them (a framed or letterboxed copy is matched through it); plus the orientations when geometric
 * matching is on.
 */
export function encodedVariants(options: { geometric: boolean }): readonly ImageVariant[] {
  return options.geometric ? [...UPRIGHT_VARIANTS, ...VARIANT_ORIENTATIONS] : UPRIGHT_VARIANTS;
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
    const encoder = await this.encoder();
    const { dup, sim } = encoder.roles;
    if (!dup || !sim)
      throw new AppError('MODEL_ERROR', 'The model needs a duplicate and a similarity hashing head to make codes.');
    const pipeline = new EncodePipeline(encoder, { variants: encodedVariants(options) });
    return {
      capacity: pipeline.capacity,
      variants: pipeline.variants,
      codes: { dup: { bits: dup.bits, version: dup.version }, sim: { bits: sim.bits, version: sim.version } },
      backboneVersion: encoder.backboneVersion,
      encode: (file, signal) => pipeline.encode(file, signal),
      hash: async (kind, descriptors) => (await encoder.hash(kind, descriptors)).map((h) => h.code),
      close: () => pipeline.close(),
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
