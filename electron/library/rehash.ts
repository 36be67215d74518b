/**
 * Bringing similarity codes up to date without decoding: when the similarity head changes (a retrained
 * head), each photo's 'sim' code is re-made from its stored descriptor, provided the same backbone made it.
 * Duplicate codes are never re-hashed: their rotated/mirrored variants need the pixels, so a new duplicate
 * head means decoding again (the scanner does that for every photo whose 'dup' code is stale).
 */
import type { Progress } from '../api/contract.js';
import { toSqliteInteger } from '../../model/codes.js';
import { dequantizeDescriptor, type PhotoEncoder } from './analyzer.js';
import type { Catalog, StoredCode } from './catalog/catalog.js';

export interface RehashOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Descriptors per head run and per write transaction (default 256). */
  batchSize?: number;
}

/**
 * The similarity codes `encoder` makes for every ready photo whose code is missing or another head's and whose
 * stored descriptor comes from its backbone, a batch at a time (in id order), with the count of all of them.
 */
export async function* staleSimilarityCodes(
  catalog: Catalog,
  encoder: Pick<PhotoEncoder, 'codes' | 'backboneVersion' | 'hash'>,
  options: RehashOptions = {},
): AsyncGenerator<{ codes: { id: number; code: StoredCode }[]; total: number }> {
  const kind = 'sim';
  const backbone = encoder.backboneVersion;
  if (!backbone) return;
  const { bits, version } = encoder.codes[kind];
  const total = catalog.countRehashable(kind, version, backbone);
  const batchSize = options.batchSize ?? 256;
  let done = 0;
  let afterId = 0;
  while (done < total) {
    options.signal?.throwIfAborted();
    const rows = catalog.rehashableDescriptors(kind, version, backbone, afterId, batchSize);
    if (rows.length === 0) break;
    const codes = await encoder.hash(
      kind,
      rows.map((r) => dequantizeDescriptor(r.data, r.scale)),
    );
    yield {
      codes: rows.map((r, i) => ({
        id: r.id,
        code: { code: toSqliteInteger(codes[i], bits), bits, headVersion: version },
      })),
      total,
    };
    afterId = rows[rows.length - 1].id;
    done += rows.length;
  }
}

/**
 * Re-hashes every ready photo whose similarity code is missing or another head's and whose stored descriptor
 * comes from `encoder`'s backbone, writing each batch as it is made. Touches only 'sim' rows; returns how many
 * codes it re-made.
 */
export async function rehashStaleCodes(
  catalog: Catalog,
  encoder: Pick<PhotoEncoder, 'codes' | 'backboneVersion' | 'hash'>,
  options: RehashOptions = {},
): Promise<number> {
  let done = 0;
  for await (const { codes, total } of staleSimilarityCodes(catalog, encoder, options)) {
    catalog.transaction(() => catalog.replaceCodes('sim', codes));
    done += codes.length;
    options.onProgress?.({ phase: 'rehash', done, total });
  }
  return done;
}
