/**
 * The query network as the app sees it: opened on first use (so start-up stays fast), shared by the
 * scanner, `model.encode` and `similar`, and reported by `app.info`.
 */
import type { ModelStatus } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { CodeEncoder } from '../library/analyzer.js';
import { toSqliteInteger } from '../search/codes.js';
import { readManifest } from '../../model/backbone/manifest.js';
import { describeModel, Encoder } from '../../model/encoder.js';
import type { CalibratedRadii } from '../search/presets.js';
import { orientPixels, type Orientation } from '../../model/orientation.js';

/**
 * The rotated and mirrored versions encoded for geometric matching (EXIF orientation numbers). A pair of photos
 * is matched when either one's variant is near the other's code, so a transform's inverse need not be stored:
 * 90° clockwise (6) also finds 90° anticlockwise copies (8), from the other side. Six of the seven suffice.
 */
export const VARIANT_ORIENTATIONS: readonly Orientation[] = [2, 3, 4, 5, 6, 7];

export class ModelHost {
  private opening: Promise<Encoder> | null = null;
  private opened: Encoder | null = null;

  constructor(private readonly artifactsDir?: string) {}

  /** The encoder, opened once; a failed open is reported as MODEL_ERROR and retried on the next call. */
  encoder(): Promise<Encoder> {
    this.opening ??= Encoder.open({ artifactsDir: this.artifactsDir }).then(
      (encoder) => (this.opened = encoder),
      (error: unknown) => {
        this.opening = null;
        throw new AppError('MODEL_ERROR', `The query network could not be loaded: ${(error as Error).message}`);
      },
    );
    return this.opening;
  }

  /** The scanner's view: decoded model input in, codes and descriptor out. */
  async codeEncoder(options: { geometric: boolean }): Promise<CodeEncoder> {
    const { geometric } = options;
    const encoder = await this.encoder();
    const bits = encoder.bits;
    if (bits === null) throw new AppError('MODEL_ERROR', 'The model has no hashing head, so it cannot make codes.');
    return {
      inputSize: encoder.decodeOptions.size,
      async encode(image) {
        // With geometric matching, the seven rotated/mirrored versions run in the same backbone batch.
        const orientations = geometric ? VARIANT_ORIENTATIONS : [];
        const [result, ...turned] = await encoder.encode([image, ...orientations.map((o) => orientPixels(image, o))]);
        const code = { code: toSqliteInteger(result.code!, bits), bits, headVersion: encoder.version };
        const variants = turned.map((r, i) => ({ orientation: orientations[i], code: toSqliteInteger(r.code!, bits) }));
        // One head for now: it serves both duplicate and similarity search until the two heads land.
        return {
          codes: { dup: code, sim: code },
          variants: geometric ? { dup: variants } : undefined,
          descriptor: { backboneVersion: encoder.manifest.backbone.version, data: result.descriptor },
        };
      },
    };
  }

  /** The duplicate-threshold radii measured for the default head, if it was calibrated. */
  presetRadii(): CalibratedRadii | undefined {
    try {
      const manifest = readManifest(this.artifactsDir);
      const head = manifest?.defaultHead ? manifest.heads[manifest.defaultHead] : undefined;
      if (!head?.presets) return undefined;
      const { calibratedOn: _, ...radii } = head.presets;
      return { bits: head.bits, radii };
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
