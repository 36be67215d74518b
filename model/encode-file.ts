/**
 * `lookalike encode FILE --json` → `{code, bits, model, provider}`: decode one photo the way the scanner
 * does and run the query network on it. The CLI/API handler only has to call `encodeFile`.
 */
import type { ProviderName } from '../electron/api/contract.js';
import { codeToHex, Encoder, type EncoderOptions } from './encoder.js';
import { decodeForCatalog } from './image.js';

export interface EncodeFileResult {
  path: string;
  /** The code as hex, bits/4 digits; bit k of the code is bit k of this number. */
  code: string;
  bits: number;
  /** Model version (backbone + head) that made the code. */
  model: string;
  provider: ProviderName;
  descriptorDim: number;
}

/**
 * Encodes one file. Pass an open `encoder` to reuse it across calls (opening one costs ~0.1–0.5 s);
 * otherwise one is opened with `options` and closed again.
 */
export async function encodeFile(
  path: string,
  options: { encoder?: Encoder } & EncoderOptions = {},
): Promise<EncodeFileResult> {
  const encoder = options.encoder ?? (await Encoder.open(options));
  try {
    if (encoder.bits === null) throw new Error('the model has no hashing head, so it cannot make codes');
    // Exactly the scanner's preparation (electron/library/analyzer.ts), so both paths give the same code.
    const { model } = await decodeForCatalog(path, { modelSize: encoder.decodeOptions.size });
    const [encoded] = await encoder.encode([model]);
    return {
      path,
      code: codeToHex(encoded.code!, encoder.bits),
      bits: encoder.bits,
      model: encoder.version,
      provider: encoder.provider,
      descriptorDim: encoder.descriptorDim,
    };
  } finally {
    if (!options.encoder) await encoder.close();
  }
}
