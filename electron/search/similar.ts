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
import { hashFile } from '../library/hash.js';
import type { OutsideImage, SearchService } from './service.js';

export async function findSimilar(
  library: Library,
  search: SearchService,
  { path: file, limit = 20 }: Args<'similar.find'>,
  signal?: AbortSignal,
): Promise<Result<'similar.find'>> {
  const absolute = path.resolve(file);
  const catalog = library.get();
  const known = catalog.photoByPath(absolute);
  const self = known?.status === 'ready' ? known.id : undefined;
  const stored = self === undefined ? undefined : search.index('sim').getCode(self);
  const asked = { id: self ?? null, path: absolute };
  if (self !== undefined && stored)
    return { query: asked, results: await ranked(library, search, self, stored, limit, self, signal) };
  // An image outside the library (or not analysed yet) is encoded exactly as the scanner would.
  const outside = await analyseOutside(library, absolute, absolute, signal);
  return { query: asked, results: await ranked(library, search, outside, outside.sim, limit, self, signal) };
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
    const outside = await analyseOutside(library, file, name, signal);
    return {
      query: { id: null, path: name },
      results: await ranked(library, search, outside, outside.sim, limit, undefined, signal),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The query's copies first (the similarity code ranks a turned or greyscale copy behind photos that merely look
 * alike), found as `dupes` finds them at the library's preset, marked as copies; then the nearest by the similarity
 * code. The query is a library photo (its id) or an image outside the library; `self`, the library photo the query
 * is, is left out.
 */
async function ranked(
  library: Library,
  search: SearchService,
  subject: number | OutsideImage,
  query: Uint32Array,
  limit: number,
  self: number | undefined,
  signal?: AbortSignal,
): Promise<Result<'similar.find'>['results']> {
  const index = search.index('sim');
  const copies = (
    await search.copiesOf(subject, {
      geometric: library.settings().geometric,
      threshold: library.settings().preset,
      signal,
    })
  ).filter((c) => c.id !== self);
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
  return [...first, ...rest].slice(0, limit);
}

/** An image outside the library analysed as the scanner would (both codes, variants, thumbnail); errors name it `name`. */
async function analyseOutside(
  library: Library,
  file: string,
  name: string,
  signal?: AbortSignal,
): Promise<OutsideImage & { sim: Uint32Array }> {
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
  const contentHash = await hashFile(file, signal).then(
    (h) => h.hash,
    () => null,
  );
  return { analysis, contentHash, sim: fromSqliteInteger(sim.code, sim.bits) };
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
