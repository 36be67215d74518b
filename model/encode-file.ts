/**
 * `lookalike encode FILE --json` → `{path, codes: {dup, sim}, provider, descriptorDim}`: decode one photo the
 * way the scanner does and run the query network on it (one backbone run, both heads). The CLI/API handler
 * only has to call `encodeFile`.
 */
import type { EncodedCode, ProviderName } from './types.js';
import { codeToHex, Encoder, type EncoderOptions, type HeadRole } from './encoder.js';
import { decodeForCatalog } from './image/decode.js';

export interface EncodeFileResult {
  path: string;
  /** Per role: the code as hex (bits/4 digits; bit k of the code is bit k of this number), its length and the model version (backbone + head) that made it. */
  codes: Record<HeadRole, EncodedCode>;
  provider: ProviderName;
  descriptorDim: number;
}

/**
 * Encodes one file. Pass an open `encoder` to reuse it across calls (opening one costs ~0.1–0.5 s);
 * otherwise one is opened with `options` and closed again.
 */
export async function encodeFile(
  path: string,
  options: {
    encoder?: Encoder;
    /**
     * A similarity head to make the similarity code with instead of the encoder's (a library's retrained one,
     * electron/library/similarity-head.ts), from the same descriptor.
     */
    similarity?: {
      version: string;
      bits: number;
      hash(descriptors: readonly Float32Array[]): Promise<{ code: Uint32Array }[]>;
    };
  } & EncoderOptions = {},
): Promise<EncodeFileResult> {
  const encoder = options.encoder ?? (await Encoder.open(options));
  try {
    const { dup, sim } = encoder.roles;
    if (!dup || !sim) {
      const missing = [!dup && "duplicate ('dup')", !sim && "similarity ('sim')"].filter(Boolean).join(' and ');
      throw new Error(`the model has no ${missing} hashing head, so it cannot make codes`);
    }
    // Exactly the scanner's preparation (electron/library/analyzer.ts), so both paths give the same codes.
    const { model } = await decodeForCatalog(path, { modelSize: encoder.decodeOptions.size });
    const [encoded] = await encoder.encode([model]);
    const code = (role: HeadRole, head: typeof dup): EncodedCode => ({
      code: codeToHex(encoded.codes[role]!.code, head.bits),
      bits: head.bits,
      model: head.version,
    });
    const similarity = options.similarity;
    const simCode: EncodedCode = similarity
      ? {
          code: codeToHex((await similarity.hash([encoded.descriptor]))[0]!.code, similarity.bits),
          bits: similarity.bits,
          model: similarity.version,
        }
      : code('sim', sim);
    return {
      path,
      codes: { dup: code('dup', dup), sim: simCode },
      provider: encoder.provider,
      descriptorDim: encoder.descriptorDim,
    };
  } finally {
    if (!options.encoder) await encoder.close();
  }
}
