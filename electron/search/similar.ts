/**
 * Photos that look like an image, by the similarity code: a library photo is looked up by its stored code, any
 * other image is encoded exactly as the scanner would; the nearest codes first, the photo itself left out.
 */
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
  const neighbours = index.knnSearch(query, limit + (known ? 1 : 0)).filter((n) => n.id !== known?.id);
  const files = search.candidates(neighbours.map((n) => n.id));
  const results = neighbours
    .filter((n) => files.has(n.id))
    .slice(0, limit)
    .map((n) => ({ id: n.id, path: files.get(n.id)!.path, distance: n.distance }));
  return { query: { id: known?.status === 'ready' ? known.id : null, path: absolute }, results };
}
