/** What the catalog stores and returns: photos, their codes and variants, and one photo's analysis. */
import { type ImageVariant, UPRIGHT_VARIANTS } from '../../../model/variants.js';

export type PhotoStatus = 'pending' | 'ready' | 'failed' | 'gone';
export type CodeKind = 'dup' | 'sim';

export interface PhotoRecord {
  id: number;
  rootId: number | null;
  path: string;
  size: number;
  mtimeMs: number;
  contentHash: string | null;
  width: number | null;
  height: number | null;
  /** Size without uniform borders (frames, letterbox bars); null where analysed before it was measured. */
  contentWidth: number | null;
  contentHeight: number | null;
  format: string | null;
  takenAt: string | null;
  camera: string | null;
  orientation: number | null;
  status: PhotoStatus;
  error: string | null;
  encodeCount: number;
}

export interface StoredCode {
  /** The packed code as a signed 64-bit integer (little-endian bit order). */
  code: bigint;
  bits: number;
  headVersion: string;
  /** The head's output the code came from, as stored for verification (model/embedding.ts); duplicate codes only. */
  embedding?: Int8Array | null;
}

/** The `orientation` that stores the greyscale version of the upright picture (2..8 are EXIF orientations). */
export const GREYSCALE_VARIANT = 9;
/** The `orientation` that stores the upright picture inside its uniform borders (photos with borders only). */
export const TRIMMED_VARIANT = 10;
/** How code_variants stores the upright variants (model/variants.ts), read whatever the geometric setting. */
export const STORED_UPRIGHT_VARIANTS: readonly number[] = UPRIGHT_VARIANTS.map(storedVariant);

/** How code_variants stores a pipeline variant: its EXIF orientation, GREYSCALE_VARIANT or TRIMMED_VARIANT. */
export function storedVariant(variant: ImageVariant): number {
  if (variant === 'greyscale') return GREYSCALE_VARIANT;
  return variant === 'trimmed' ? TRIMMED_VARIANT : variant;
}

/**
 * A code of the photo rotated or mirrored (EXIF orientation 2..8), in greyscale (GREYSCALE_VARIANT) or without
 * its borders (TRIMMED_VARIANT), with its embedding like `StoredCode`'s.
 */
export interface VariantCode {
  orientation: number;
  /** A turned code of one of the photo's canonical orientations (model/variants.ts); matched against other such codes too. */
  canonical?: boolean;
  code: bigint;
  embedding?: Int8Array | null;
}

/** Everything the analysis of one photo produces; stored in one transaction with the photo's metadata. */
export interface PhotoAnalysis {
  width: number;
  height: number;
  /** Size inside uniform borders (model/image/content-box.ts); absent = not measured (stored as NULL). */
  contentWidth?: number | null;
  contentHeight?: number | null;
  format: string;
  takenAt: string | null;
  camera: string | null;
  orientation: number | null;
  /** Frames or pages the file holds (an animation, a multi-page TIFF; 1: a still); absent = not known (NULL). */
  frames?: number | null;
  codes: Partial<Record<CodeKind, StoredCode>>;
  /**
   * Codes of the photo in greyscale (GREYSCALE_VARIANT), without its borders if it has some (TRIMMED_VARIANT)
   * and, when geometric matching is on, turned to its canonical orientations other than upright (EXIF orientations
   * 2..8, `canonical`).
   */
  variants?: Partial<Record<CodeKind, VariantCode[]>>;
  descriptor: { backboneVersion: string; data: Int8Array; scale: number } | null;
  thumbnail: { webp: Uint8Array; width: number; height: number } | null;
}
