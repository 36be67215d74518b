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
import { fromSqliteInteger } from '../../model/codes.js';
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
  if (!query) {
    // An image outside the library (or not analysed yet) is encoded exactly as the scanner would.
    let analysis;
    try {
      analysis = await library.withEncoder((encoder) =>
        createAnalyzer(encoder).analyze(absolute, signal ?? new AbortController().signal),
      );
    } catch (error) {
      throw imageInputError(error, absolute);
    }
    const sim = analysis.codes.sim;
    if (!sim) throw new AppError('MODEL_ERROR', 'The model produced no similarity code.');
    query = fromSqliteInteger(sim.code, sim.bits);
  }
  const results = nearest(search, query, limit, known?.id);
  return { query: { id: known?.status === 'ready' ? known.id : null, path: absolute }, results };
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
    const query = fromSqliteInteger(sim.code, sim.bits);
    return { query: { id: null, path: name }, results: nearest(search, query, limit) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
    .map((n) => ({ id: n.id, path: files.get(n.id)!.path, distance: n.distance }));
}
