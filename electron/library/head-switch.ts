/**
 * Keeping a retrained similarity head and switching the library to it (or back): every similarity code is re-made
 * from its stored descriptor (no file is decoded) and all of them are written, with the record of the head in use,
 * in one transaction, so a search sees either the old head's codes or the new one's, never a mix. A switch that
 * fails, is cancelled or is killed before that transaction leaves the previous head in use; duplicate codes are
 * never touched.
 */
import type { Args, HeadSwitch, Progress, Result } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { StoredCode } from './catalog/catalog.js';
import type { HeadRecord } from './head-store.js';
import type { Library } from './library.js';
import { staleSimilarityCodes } from './rehash.js';
import { type RetrainedHead, retrainSimilarity } from './retrain.js';

type Hooks = { signal?: AbortSignal; onProgress?: (progress: Progress) => void };

/**
 * `train.run`: retrains the similarity head on the albums (electron/library/retrain.ts), keeps the new head, and
 * with `use` switches the library to it if it ranks the albums' held-out photos better than the head in use.
 */
export async function trainOnAlbums(
  library: Library,
  args: Args<'train.run'>,
  hooks: Hooks = {},
): Promise<Result<'train.run'>> {
  const head = await library.withEncoder((encoder) =>
    retrainSimilarity(library.get(), encoder, { albums: args.albums, epochs: args.epochs, method: args.method }, hooks),
  );
  const record = keepRetrainedHead(library, head);
  // Switched to only where it ranks the held-out photos better than the head in use.
  const better = head.after.map > head.before.map;
  const inUse = args.use && better ? (await useSimilarityHead(library, record.version, hooks)).version : head.inUse;
  return {
    before: head.before,
    after: head.after,
    photos: head.photos,
    albums: head.albums.length,
    perAlbum: head.albums,
    seconds: head.seconds,
    model: record.version,
    inUse,
  };
}

/** `model.list`: the shipped similarity head and those kept, the one in use marked. */
export async function listHeads(library: Library): Promise<Result<'model.list'>> {
  const shipped = await library.withEncoder(async (encoder) => encoder.codes.sim.version, null);
  const inUse = library.similarityHead();
  return {
    heads: [
      {
        version: shipped,
        shipped: true,
        inUse: inUse === null,
        createdAt: null,
        photos: null,
        albums: null,
        before: null,
        after: null,
      },
      ...library.heads.list().map((r) => ({
        version: r.version,
        shipped: false,
        inUse: r.version === inUse,
        createdAt: r.createdAt,
        photos: r.photos,
        albums: r.albums.length,
        before: r.before.map,
        after: r.after.map,
      })),
    ],
  };
}

/** Keeps a retrained head in the library's store, not in use yet; returns its record. */
export function keepRetrainedHead(library: Library, head: RetrainedHead): HeadRecord {
  const { onnx, metadata, backboneVersion, inUse: _inUse, ...measured } = head;
  return library.heads.save(
    {
      version: `${backboneVersion}+${metadata.version}`,
      bits: metadata.bits,
      inputDim: metadata.inputDim,
      backboneVersion,
      createdAt: new Date().toISOString(),
      ...measured,
    },
    onnx,
  );
}

/**
 * Makes `version` (a head kept in the library's store; null: the shipped head) the similarity head in use:
 * the codes of every ready photo re-made with it, then written with the switch in one transaction. Refused, with
 * a sentence, where a photo has no stored descriptor of the model's backbone (it would keep the old head's code).
 */
export async function useSimilarityHead(
  library: Library,
  version: string | null,
  hooks: Hooks = {},
): Promise<HeadSwitch> {
  if (version !== null && !library.heads.record(version))
    throw new AppError('BAD_REQUEST', `There is no similarity head ${version}; \`lookalike model list\` shows them.`, {
      version,
    });
  return library.withEncoder(async (encoder) => {
    const catalog = library.get();
    const backbone = encoder.backboneVersion;
    if (!backbone) throw new AppError('MODEL_ERROR', 'The model stores no descriptors to re-make codes from.');
    const missing = catalog.countWithoutDescriptor(backbone);
    if (missing)
      throw new AppError(
        'BAD_REQUEST',
        `${missing} photo${missing === 1 ? ' has' : 's have'} no stored descriptor from this model, so ${missing === 1 ? 'its' : 'their'} similarity code${missing === 1 ? '' : 's'} cannot be re-made; scan the library again first.`,
      );
    const codes: { id: number; code: StoredCode }[] = [];
    for await (const batch of staleSimilarityCodes(catalog, encoder, { signal: hooks.signal })) {
      codes.push(...batch.codes);
      hooks.onProgress?.({ phase: 'rehash', done: codes.length, total: batch.total });
    }
    hooks.signal?.throwIfAborted();
    catalog.transaction(() => {
      catalog.replaceCodes('sim', codes);
      library.recordSimilarityHead(version);
    });
    library.touch();
    return { version: encoder.codes.sim.version, rehashed: codes.length };
  }, version);
}
