/**
 * A retrained similarity head in use (electron/library/head-store.ts keeps them): its ONNX graph run on stored or
 * fresh descriptors, and a photo encoder whose similarity codes it makes, the duplicate codes (and everything
 * else) staying the encoder's own. Scans, "find similar" for an outside image and re-hashing all go through it.
 */
import { packActivations } from '../../model/codes.js';
import { openSession, type TensorSession } from '../../model/encoder.js';
import type { PhotoEncoder } from './analyzer.js';

export interface SimilarityHead {
  /** The version its codes carry (backbone + head). */
  readonly version: string;
  readonly bits: number;
  /** Packed codes (bit k in word k >> 5, as the encoder packs them) and head outputs of descriptors. */
  hash(descriptors: readonly Float32Array[]): Promise<{ code: Uint32Array; logits: Float32Array }[]>;
  release(): Promise<void>;
}

/** Opens a head's ONNX graph (CPU: a head is a few million multiply-adds per photo). */
export async function openSimilarityHead(onnx: Uint8Array, version: string, bits: number): Promise<SimilarityHead> {
  const session: TensorSession = await openSession(onnx, { providers: ['cpu'], threads: 1 });
  const [input, output] = [session.inputNames[0]!, session.outputNames[0]!];
  return {
    version,
    bits,
    async hash(descriptors) {
      if (!descriptors.length) return [];
      const dim = descriptors[0]!.length;
      const data = new Float32Array(descriptors.length * dim);
      descriptors.forEach((d, i) => data.set(d, i * dim));
      const logits = (await session.run({ [input]: { data, dims: [descriptors.length, dim] } }))[output]!.data;
      return descriptors.map((_, i) => {
        const row = Float32Array.from(logits.subarray(i * bits, (i + 1) * bits));
        return { code: packActivations(row), logits: row };
      });
    },
    release: () => session.release(),
  };
}

/** `base` with its similarity codes made by `head` (closing it releases the head too). */
export function withSimilarityHead(base: PhotoEncoder, head: SimilarityHead): PhotoEncoder {
  return {
    capacity: base.capacity,
    variants: base.variants,
    backboneVersion: base.backboneVersion,
    codes: { dup: base.codes.dup, sim: { bits: head.bits, version: head.version } },
    async encode(file, signal) {
      const result = await base.encode(file, signal);
      if (!result.ok) return result;
      const [made] = await head.hash([result.photo.descriptor]);
      const sim = { code: made!.code, logits: made!.logits, model: head.version };
      return { ok: true, photo: { ...result.photo, codes: { ...result.photo.codes, sim } } };
    },
    async hash(kind, descriptors) {
      return kind === 'sim' ? (await head.hash(descriptors)).map((h) => h.code) : base.hash(kind, descriptors);
    },
    async close() {
      await Promise.all([base.close(), head.release()]);
    },
  };
}
