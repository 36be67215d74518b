/**
 * Photos that look like an image, by the similarity code: a library photo is looked up by its stored code, any
 * other image is encoded exactly as the scanner would; the nearest codes first, the photo itself left out.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Args, Result } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { createAnalyzer, imageInputError } from '../library/analyzer.js';
import type { Library } from '../library/library.js';
import { fromSqliteInteger, hammingDistance } from '../../model/codes.js';
import type { SearchService } from './service.js';

export async function findSimilar(
  library: Library,
  search: SearchService,
  { path: file, limit = 20 }: Args<'similar.find'>,
  signal?: AbortSignal,
): Promise<Result<'similar.find'>> {
  const absolute = path.resolve(file);
  const catalog = library.get();
  const index = search.index('sim');
  const known = catalog.photoByPath(absolute);
  let query = known && known.status === 'ready' ? index.getCode(known.id) : undefined;
  // An image outside the library (or not analysed yet) is encoded exactly as the scanner would.
  query ??= await similarityCode(library, absolute, absolute, signal);
  const self = known?.status === 'ready' ? known.id : undefined;
  // A library photo's copies come first (the similarity code ranks a turned or greyscale copy behind photos that
  // merely look alike), then the nearest by the similarity code.
  const copies =
    self === undefined
      ? []
      : await search.copiesOf(self, {
          geometric: library.settings().geometric,
          threshold: library.settings().preset,
          signal,
        });
  const copyIds = new Set(copies.map((c) => c.id));
  const files = search.candidates(copies.map((c) => c.id));
  const first = copies
    .filter((c) => files.has(c.id))
    .slice(0, limit)
    .map((c) => {
      const code = index.getCode(c.id);
      return {
        id: c.id,
        path: files.get(c.id)!.path,
        distance: code ? hammingDistance(code, query, code.length) : index.bits,
        copy: true,
      };
    });
  const rest = nearest(search, query, limit + first.length, self).filter((r) => !copyIds.has(r.id));
  return {
    query: { id: self ?? null, path: absolute },
    results: [...first, ...rest].slice(0, limit),
  };
}

/**
 * `similar.findImage`: photos like an image given by its bytes (a file dropped on the page). It is encoded as the
 * scanner would, from a temporary file removed afterwards.
 */
export async function findSimilarImage(
  library: Library,
  search: SearchService,
  { name, data, limit = 20 }: Args<'similar.findImage'>,
  signal?: AbortSignal,
): Promise<Result<'similar.findImage'>> {
  const bytes = Buffer.from(data, 'base64');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lookalike-query-'));
  const file = path.join(
    dir,
    `query${
      path
        .extname(name)
        .toLowerCase()
        .replace(/[^.a-z0-9]/g, '') || '.jpg'
    }`,
  );
  try {
    await writeFile(file, bytes);
    const query = await similarityCode(library, file, name, signal);
    return { query: { id: null, path: name }, results: nearest(search, query, limit) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The similarity code of the image in `file`, encoded as the scanner would; errors name it `name`. */
async function similarityCode(library: Library, file: string, name: string, signal?: AbortSignal) {
  let analysis;
  try {
    analysis = await library.withEncoder((encoder) =>
      createAnalyzer(encoder).analyze(file, signal ?? new AbortController().signal),
    );
  } catch (error) {
    throw imageInputError(error, name);
  }
  const sim = analysis.codes.sim;
  if (!sim) throw new AppError('MODEL_ERROR', 'The model produced no similarity code.');
  return fromSqliteInteger(sim.code, sim.bits);
}

/** The `limit` nearest photos to a similarity code (the photo `self` left out), with their paths. */
function nearest(search: SearchService, query: Uint32Array, limit: number, self?: number) {
  const neighbours = search
    .index('sim')
    .knnSearch(query, limit + (self !== undefined ? 1 : 0))
    .filter((n) => n.id !== self);
  const files = search.candidates(neighbours.map((n) => n.id));
  return neighbours
    .filter((n) => files.has(n.id))
    .slice(0, limit)
    .map((n) => ({ id: n.id, path: files.get(n.id)!.path, distance: n.distance, copy: false }));
}
