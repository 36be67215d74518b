/**
 * Loads the catalog's codes into Hamming indexes (one per code kind), with the duplicate embeddings beside
 * them, and answers duplicate queries. Both are cached per library revision: any write that changes photos or
 * codes bumps the revision. Pixel-check verdicts are kept in the catalog itself (electron/search/pixels/kept-verdicts.ts).
 */
import type { Args, DuplicateGroup, DuplicateSearchStats, KeepRuleArg, Progress, Result } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import {
  type Catalog,
  type CodeKind,
  type PhotoAnalysis,
  STORED_UPRIGHT_VARIANTS,
  type VariantRow,
} from '../library/catalog/catalog.js';
import type { Library } from '../library/library.js';
import { fromSqliteInteger, hammingDistance, wordsPerCode } from '../../model/codes.js';
import { toDuplicateGroups } from './duplicates/duplicate-report.js';
import { EmbeddingTable, passesVerification } from '../../model/embedding.js';
import { findDuplicateGroups, type PhotoGroup } from './duplicates/groups.js';
import type { PixelRule } from './pixels/alignment.js';
import { HammingIndex } from './index/hamming-index.js';
import { KeptVerdicts } from './pixels/kept-verdicts.js';
import { PixelCheck, type PixelPair, pixelRuleKey } from './pixels/pixel-check.js';
import type { KeepCandidate } from './duplicates/keep.js';
import { readKeepFacts, settleGroupsKeepFacts } from './duplicates/keep-facts.js';
import { KeptMeasures } from './duplicates/kept-measures.js';
import { twoShots } from './duplicates/capture-time.js';
import { type CalibratedPresets, resolveThreshold, type ResolvedThreshold } from './duplicates/presets.js';
import { forEachSlotPairWithin } from './index/self-join.js';
import { turn } from './pixels/pairs.js';
import {
  composeOrientations,
  inverseOrientation,
  ORIENTATIONS,
  type Orientation,
} from '../../model/image/orientation.js';

const DEFAULT_BITS = 64;

interface LoadedCodes {
  revision: number;
  index: HammingIndex;
  embeddings: EmbeddingTable;
}

/** Variant codes as one index: row r is photo `photo[r]` turned as `orientation[r]`. */
interface VariantIndex {
  revision: number;
  geometric: boolean;
  index: HammingIndex;
  photo: Float64Array;
  orientation: Uint8Array;
  /** 1 where the row is a turned code of one of its photo's canonical orientations. */
  canonical: Uint8Array;
}

/**
 * The turn that brings photo `a` onto photo `b` when `a` turned as `ta` and `b` turned as `tb` are one picture
 * (two canonical codes near each other): `ta`, then `tb` undone. 1 when they are one picture upright.
 */
export function relativeTurn(ta: Orientation, tb: Orientation): Orientation {
  return composeOrientations(ta, inverseOrientation(tb));
}

/** The id an image outside the library has in `copiesOf`'s pairs (never a photo's: SQLite ids start at 1). */
export const OUTSIDE_ID = -1;

/** An image outside the library, analysed as the scanner would (electron/library/analyzer.ts), for `copiesOf`. */
export interface OutsideImage {
  analysis: PhotoAnalysis;
  /** Its file's content hash (electron/library/hash.ts): byte-identical library files are its copies. */
  contentHash: string | null;
}

/** What `copiesOf` compares of one picture: its duplicate code, embedding, variants and thumbnail. */
interface CopySubject {
  id: number;
  code: Uint32Array | undefined;
  embedding: Int8Array | null | undefined;
  contentHash: string | null;
  variants: { orientation: number; canonical: boolean; code: Uint32Array; embedding: Int8Array | null }[];
  /** An outside image's thumbnail (a library photo's is read from the catalog). */
  thumbnail?: Uint8Array | null;
}

/** An outside image as `copiesOf` compares it: the variants the library's settings match, none without a code. */
function outsideSubject(image: OutsideImage, bits: number, geometric: boolean): CopySubject {
  const dup = image.analysis.codes.dup;
  const usable = dup !== undefined && dup.bits === bits;
  return {
    id: OUTSIDE_ID,
    code: usable ? fromSqliteInteger(dup.code, bits) : undefined,
    embedding: dup?.embedding ?? null,
    contentHash: image.contentHash,
    variants: !usable
      ? []
      : (image.analysis.variants?.dup ?? [])
          .filter((v) => geometric || STORED_UPRIGHT_VARIANTS.includes(v.orientation))
          .map((v) => ({
            orientation: v.orientation,
            canonical: v.canonical ?? false,
            code: fromSqliteInteger(v.code, bits),
            embedding: v.embedding ?? null,
          })),
    thumbnail: image.analysis.thumbnail?.webp ?? null,
  };
}

/**
 * The turn from photo a to photo b when their turned codes `a` and `b` are near: they are compared when either is of a
 * canonical orientation. Null when they are not compared, or when the turns are the same (one picture upright: the
 * upright codes have that pair).
 */
function turnBetween(a: { orientation: number; canonical: boolean }, b: typeof a): Orientation | null {
  const [ta, tb] = [turn(a.orientation), turn(b.orientation)];
  if (ta === 1 || tb === 1 || !(a.canonical || b.canonical)) return null;
  const between = relativeTurn(ta, tb);
  return between === 1 ? null : between;
}

export class SearchService {
  private cache = new Map<CodeKind, LoadedCodes>();
  /** The duplicate codes' variants as one index (its rows: photo and orientation), for `copiesOf`. */
  private variants: VariantIndex | null = null;

  constructor(
    private readonly catalog: () => Catalog,
    private readonly revision: () => number,
    private readonly calibrated: () => CalibratedPresets | undefined = () => undefined,
  ) {}

  /** The search over `library`'s catalog, its caches kept while the library has not changed. */
  static of(library: Library, calibrated: () => CalibratedPresets | undefined = () => undefined): SearchService {
    return new SearchService(
      () => library.get(),
      () => library.changes,
      calibrated,
    );
  }

  /** The index of one code kind, rebuilt from SQLite only when the library changed. */
  index(kind: CodeKind): HammingIndex {
    return this.load(kind).index;
  }

  private load(kind: CodeKind): LoadedCodes {
    const revision = this.revision();
    const cached = this.cache.get(kind);
    if (cached && cached.revision === revision) return cached;
    const { ids, codes, embeddings, bits } = this.catalog().codes(kind);
    const k = bits ?? DEFAULT_BITS;
    const wpc = wordsPerCode(k);
    const packed = new Uint32Array(ids.length * wpc);
    codes.forEach((code, i) => packed.set(fromSqliteInteger(code, k), i * wpc));
    const loaded = {
      revision,
      index: HammingIndex.fromCodes(k, ids, packed),
      embeddings: EmbeddingTable.fromRows(ids, embeddings),
    };
    this.cache.set(kind, loaded);
    return loaded;
  }

  resolve(threshold: string | number | undefined): ResolvedThreshold {
    try {
      return resolveThreshold(threshold, this.index('dup').bits, this.calibrated());
    } catch (error) {
      throw new AppError('BAD_REQUEST', (error as Error).message);
    }
  }

  /**
   * Duplicate groups as ids: exact copies by content hash merged with near duplicates by the duplicate code.
   * A photo whose greyscale code (or, if it has uniform borders, the code of the picture inside them) is within
   * the radius of another photo's code is a near duplicate of it too, and with `geometric`, one whose rotated or
   * mirrored code is. Photos analysed before a kind of variant was stored lack it, so they pair only through the
   * codes they have until they are analysed again (the next scan does that for bordered photos). With a minimum
   * cosine, every near pair must also pass verification (for a variant pair: the variant's embedding against the
   * other photo's); a pair where either side has no embedding is judged by the radius alone. With a pixel rule,
   * every near pair that got that far must also pass the pixel check of its thumbnails (a variant pair: the
   * photo's thumbnail turned as the variant was), prepared for all candidate pairs before grouping.
   */
  async groups(
    threshold: ResolvedThreshold,
    options: { geometric: boolean; signal?: AbortSignal; onProgress?: (p: Progress) => void },
  ): Promise<PhotoGroup[]> {
    return (await this.search(threshold, options)).groups;
  }

  /** `groups`, with what each stage did and cost. */
  async search(
    threshold: ResolvedThreshold,
    options: { geometric: boolean; signal?: AbortSignal; onProgress?: (p: Progress) => void },
  ): Promise<{ groups: PhotoGroup[]; stats: DuplicateSearchStats }> {
    let clock = performance.now();
    const lap = () => {
      const now = performance.now();
      const seconds = (now - clock) / 1000;
      clock = now;
      return seconds;
    };
    // Pairs the user said are not duplicates, two shots (their capture times differ: capture-time.ts) and an
    // animation and a still are never grouped: an exact class they mark wholly apart is no class, and no other pair
    // of them is an edge.
    const apart = this.apartTest();
    const exactClasses = this.catalog()
      .exactDuplicateGroups()
      .map((group) => group.map((photo) => photo.id))
      .filter((ids) => !ids.every((a, i) => ids.slice(i + 1).every((b) => apart?.(a, b))));
    const { index, embeddings } = this.load('dup');
    const { radius, minCosine, pixels } = threshold;
    const stats: DuplicateSearchStats = {
      photos: index.size,
      candidatePairs: 0,
      afterCosine: 0,
      keptVerdicts: 0,
      pixelChecked: 0,
      pixelSearched: 0,
      inferredVerdicts: 0,
      turnedSkipped: 0,
      seconds: { candidates: 0, pixels: 0, grouping: 0 },
    };
    const cosinePasses = (a: number, b: number) =>
      !apart?.(a, b) && (minCosine === null || passesVerification(embeddings.get(a), embeddings.get(b), minCosine));
    // A variant pair adds a candidate only where the two photos' own codes did not already pair them.
    const inSelfJoin = (a: number, b: number) => {
      const [ca, cb] = [index.getCode(a), index.getCode(b)];
      return radius !== null && !!ca && !!cb && hammingDistance(ca, cb, ca.length) <= radius;
    };
    const variants =
      radius !== null ? this.variantPairs(index, embeddings, radius, minCosine, options.geometric, inSelfJoin) : null;
    let variantPairs = (variants?.passed ?? []).filter((p) => !apart?.(p.id, p.other));
    let verify: ((a: number, b: number) => boolean) | undefined = cosinePasses;
    let twoPictures: ((a: number, b: number) => boolean) | undefined;
    let selfJoinPairs: [number, number][] | undefined;
    let selfJoinDistances: number[] = [];
    if (radius !== null) {
      // The self-join runs once, here: its pairs that pass the cosine are checked (with a pixel rule), then grouped.
      const internals = index.internals();
      const pairs: [number, number][] = [];
      const distances: number[] = [];
      const { codes, wordsPerCode: wpc } = internals;
      let within = 0;
      forEachSlotPairWithin(
        internals,
        Math.min(radius, internals.bits),
        (sa, sb) => {
          within++;
          const [a, b] = [internals.slotIds[sa], internals.slotIds[sb]];
          if (!cosinePasses(a, b)) return;
          pairs.push([a, b]);
          distances.push(hammingDistance(codes, codes, wpc, sa * wpc, sb * wpc));
        },
        { signal: options.signal, onProgress: (done, total) => options.onProgress?.({ phase: 'group', done, total }) },
      );
      selfJoinPairs = pairs;
      selfJoinDistances = distances;
      stats.candidatePairs = within + variants!.moreCandidates;
      stats.afterCosine =
        pairs.length + distinctPairsOutside(variantPairs, (a, b) => inSelfJoin(a, b) && cosinePasses(a, b));
    }
    stats.seconds.candidates = lap();
    if (pixels && radius !== null && selfJoinPairs) {
      const check = this.pixelCheck(pixels);
      const candidates: PixelPair[] = [
        ...variantPairs,
        ...selfJoinPairs.map(([id, other], i) => ({ id, orientation: 1, other, rank: selfJoinDistances[i] })),
      ];
      await check.prepare(candidates, {
        signal: options.signal,
        onProgress: (done, total) => options.onProgress?.({ phase: 'verify', done, total }),
      });
      stats.keptVerdicts = check.counts.kept;
      stats.pixelChecked = check.counts.checked;
      stats.pixelSearched = check.counts.searched;
      stats.inferredVerdicts = check.counts.inferred;
      stats.turnedSkipped = check.counts.skipped;
      verify = (a, b) => cosinePasses(a, b) && check.matches(a, 1, b);
      twoPictures = (a, b) => check.differ(a, 1, b);
      variantPairs = variantPairs.filter((p) => check.matches(p.id, p.orientation, p.other));
    }
    stats.seconds.pixels = lap();
    const groups = findDuplicateGroups(index, {
      radius,
      exactClasses,
      apart: apart ?? undefined,
      selfJoinPairs,
      extraPairs: variantPairs.map((p) => [p.id, p.other, turn(p.orientation) === 1 ? 'upright' : 'turned'] as const),
      verify,
      twoPictures,
      signal: options.signal,
      onProgress: (done, total) => options.onProgress?.({ phase: 'group', done, total }),
    });
    stats.seconds.grouping = lap();
    return { groups, stats };
  }

  /**
   * `dupes.find`: the groups at `threshold` (a preset or a radius), each with its proposed keeper, and what each
   * stage did. `geometric` defaults to the library's setting.
   */
  async find(
    { threshold, keepRule, geometric }: Args<'dupes.find'>,
    options: { geometric: boolean; signal?: AbortSignal; onProgress?: (p: Progress) => void },
  ): Promise<Result<'dupes.find'>> {
    const resolved = this.resolve(threshold);
    const { groups, stats } = await this.search(resolved, { ...options, geometric: geometric ?? options.geometric });
    return { threshold: resolved, groups: await this.report(groups, keepRule), stats };
  }

  /**
   * Whether two photos are never duplicates: the user marked them so (by their files' contents:
   * electron/library/catalog/apart.ts), they are two shots (their capture times differ: capture-time.ts), or they
   * hold different numbers of frames (an animation is not a copy of a still of its first frame, which is all the
   * codes and the pixel check see of it). Null where no pair can be (no marks, at most one photo with a capture time,
   * no animation): grouping then has nothing to keep apart.
   */
  private apartTest(): ((a: number, b: number) => boolean) | null {
    const catalog = this.catalog();
    const times = catalog.captureTimes();
    const frames = catalog.frameCounts();
    const unlike = (a: number, b: number) =>
      twoShots(times.get(a), times.get(b)) || (frames.get(a) ?? 1) !== (frames.get(b) ?? 1);
    if (catalog.apart.count() === 0) return times.size > 1 || frames.size > 0 ? unlike : null;
    const marked = catalog.apart.test();
    const hashes = catalog.contentHashes();
    return (a, b) => {
      const [ha, hb] = [hashes.get(a), hashes.get(b)];
      return unlike(a, b) || (ha !== undefined && hb !== undefined && marked(ha, hb));
    };
  }

  /**
   * The pixel check for `rule`, with the verdicts the catalog kept from earlier searches; `outside` gives the
   * thumbnail of an image outside the library (OUTSIDE_ID), whose verdicts the store does not keep.
   */
  private pixelCheck(rule: PixelRule, outside?: Uint8Array | null): PixelCheck {
    const catalog = this.catalog();
    return new PixelCheck(
      rule,
      (id) => (id === OUTSIDE_ID ? (outside ?? undefined) : catalog.thumbnail(id)?.webp),
      new KeptVerdicts(catalog, pixelRuleKey(rule)),
    );
  }

  /**
   * Pairs (photo, other) where the greyscale or trimmed code of the photo (or, with `geometric`, a
   * rotated/mirrored one) lies within `radius` of the other's code and, with `minCosine`, the variant's embedding
   * passes verification against the other's; `orientation` is the variant's as stored (GREYSCALE_VARIANT,
   * TRIMMED_VARIANT or 2..8). With `geometric`, also pairs whose turned codes lie within `radius` of each other
   * where one of them is canonical (model/variants.ts: a photo and its turned copy share a canonical picture); their
   * `orientation` is the turn from one photo to the other (`relativeTurn`), and a pair whose turns are the same
   * (one picture upright) is left to the upright codes.
   */
  private variantPairs(
    index: HammingIndex,
    embeddings: EmbeddingTable,
    radius: number,
    minCosine: number | null,
    geometric: boolean,
    inSelfJoin: (a: number, b: number) => boolean,
  ): { passed: PixelPair[]; moreCandidates: number } {
    const passed: PixelPair[] = [];
    const outside = new Set<string>();
    const consider = (pair: PixelPair, a: Int8Array | null | undefined, b: Int8Array | null | undefined) => {
      if (!inSelfJoin(pair.id, pair.other)) outside.add(photoPairKey(pair));
      if (passesVerification(a ?? null, b ?? null, minCosine)) passed.push(pair);
    };
    const catalog = this.catalog();
    const canonical: VariantRow[] = [];
    // Without geometric matching only the upright variants count: SQLite leaves the turned ones out.
    for (const v of catalog.eachVariantCode('dup', geometric ? {} : { orientations: STORED_UPRIGHT_VARIANTS })) {
      for (const n of index.radiusSearch(fromSqliteInteger(v.code, index.bits), radius)) {
        if (n.id === v.id) continue;
        consider(
          { id: v.id, orientation: v.orientation, other: n.id, rank: n.distance },
          v.embedding,
          embeddings.get(n.id),
        );
      }
      if (v.canonical && turn(v.orientation) !== 1) canonical.push(v);
    }
    if (!geometric || canonical.length === 0) return { passed, moreCandidates: outside.size };
    // Turned codes against the canonical ones: each canonical pair once (from its first row), a row stored before
    // canonical orientations (six fixed turns a photo) against every canonical row.
    const bits = index.bits;
    const words = wordsPerCode(bits);
    const codes = new Uint32Array(canonical.length * words);
    canonical.forEach((v, row) => codes.set(fromSqliteInteger(v.code, bits), row * words));
    const canonicalIndex = HammingIndex.fromCodes(
      bits,
      Float64Array.from(canonical, (_, row) => row),
      codes,
    );
    const meet = (v: VariantRow, row: number | null) => {
      for (const n of canonicalIndex.radiusSearch(fromSqliteInteger(v.code, bits), radius)) {
        const w = canonical[n.id];
        const orientation = w.id === v.id || (row !== null && n.id <= row) ? null : turnBetween(v, w);
        if (orientation === null) continue;
        consider({ id: v.id, orientation, other: w.id, rank: n.distance }, v.embedding, w.embedding);
      }
    };
    canonical.forEach((v, row) => meet(v, row));
    // Read again rather than held since the first pass: an older library has six of them a photo.
    for (const v of catalog.eachVariantCode('dup', { orientations: ORIENTATIONS.slice(1) }))
      if (!v.canonical) meet(v, null);
    return { passed, moreCandidates: outside.size };
  }

  /**
   * The copies of one library photo (by id), or of an image outside the library analysed as the scanner would
   * (`OutsideImage`), as `dupes` would find them at `threshold` (default: the close preset): photos whose duplicate
   * code (or a variant of either code: greyscale, trimmed, turned or mirrored where the library matches those) lies
   * within the radius and passes the cosine and the pixel check, and byte-identical files. Nearest first. For "find
   * similar": a photo's copies come before the photos that only look like it. An outside image's pixel verdicts are
   * not kept (it has no place in the catalog).
   */
  async copiesOf(
    query: number | OutsideImage,
    options: { geometric: boolean; threshold?: string | number; signal?: AbortSignal },
  ): Promise<{ id: number; distance: number }[]> {
    const { radius, minCosine, pixels } = this.resolve(options.threshold ?? 'close');
    const catalog = this.catalog();
    const { index, embeddings } = this.load('dup');
    const variants = radius === null ? null : this.variantIndex(options.geometric);
    const subject =
      typeof query === 'number'
        ? this.librarySubject(query, variants)
        : outsideSubject(query, index.bits, options.geometric);
    const id = subject.id;
    const apart = this.apartTest();
    const found = new Map<number, number>();
    if (subject.contentHash)
      for (const twin of catalog.twinsOf(id, subject.contentHash)) if (!apart?.(id, twin)) found.set(twin, 0);
    if (!subject.code || radius === null || !variants)
      return [...found].map(([other, distance]) => ({ id: other, distance }));
    const pairs: PixelPair[] = [];
    const consider = (pair: PixelPair, embedding: Int8Array | null | undefined, otherEmbedding: typeof embedding) => {
      if (pair.id === pair.other || apart?.(pair.id, pair.other) || found.has(pair.id === id ? pair.other : pair.id))
        return;
      if (passesVerification(embedding ?? null, otherEmbedding ?? null, minCosine)) pairs.push(pair);
    };
    for (const n of index.radiusSearch(subject.code, radius))
      consider({ id, orientation: 1, other: n.id, rank: n.distance }, subject.embedding, embeddings.get(n.id));
    // The variants (greyscale, trimmed, turned and mirrored codes; an index of them all is kept while the library is
    // unchanged): the others' variants near this photo's code, and this photo's own variants near the others' codes.
    for (const row of variants.index.radiusSearch(subject.code, radius)) {
      const [photo, orientation] = [variants.photo[row.id], variants.orientation[row.id]];
      if (photo === id) continue;
      const embedding = catalog.variantEmbedding(photo, 'dup', orientation);
      consider({ id: photo, orientation, other: id, rank: row.distance }, embedding, subject.embedding);
    }
    for (const own of subject.variants) {
      const { orientation } = own;
      for (const n of index.radiusSearch(own.code, radius))
        consider({ id, orientation, other: n.id, rank: n.distance }, own.embedding, embeddings.get(n.id));
      // This photo's turned code against the others' turned codes, where either is canonical.
      for (const n of variants.index.radiusSearch(own.code, radius)) {
        const photo = variants.photo[n.id];
        const theirs = { orientation: variants.orientation[n.id], canonical: variants.canonical[n.id] === 1 };
        const turned = photo === id ? null : turnBetween(own, theirs);
        if (turned === null) continue;
        const embedding = catalog.variantEmbedding(photo, 'dup', theirs.orientation);
        consider({ id, orientation: turned, other: photo, rank: n.distance }, own.embedding, embedding);
      }
    }
    options.signal?.throwIfAborted();
    const check = pixels ? this.pixelCheck(pixels, subject.thumbnail) : null;
    await check?.prepare(pairs, { signal: options.signal });
    for (const p of pairs) {
      if (check && !check.matches(p.id, p.orientation, p.other)) continue;
      const other = p.id === id ? p.other : p.id;
      found.set(other, Math.min(found.get(other) ?? Infinity, p.rank ?? 0));
    }
    return [...found]
      .map(([other, distance]) => ({ id: other, distance }))
      .sort((a, b) => a.distance - b.distance || a.id - b.id);
  }

  /** What `copiesOf` compares of a library photo: its stored codes, variants and embeddings. */
  private librarySubject(id: number, variants: VariantIndex | null): CopySubject {
    const catalog = this.catalog();
    const { index, embeddings } = this.load('dup');
    const own: CopySubject['variants'] = [];
    for (let row = 0; variants && row < variants.photo.length; row++) {
      if (variants.photo[row] !== id) continue;
      const orientation = variants.orientation[row];
      own.push({
        orientation,
        canonical: variants.canonical[row] === 1,
        code: variants.index.getCode(row)!,
        embedding: catalog.variantEmbedding(id, 'dup', orientation),
      });
    }
    return {
      id,
      code: index.getCode(id),
      embedding: embeddings.get(id),
      contentHash: catalog.photoById(id)?.contentHash ?? null,
      variants: own,
    };
  }

  /** Every stored duplicate-code variant (only the upright ones without geometric matching) as one index. */
  private variantIndex(geometric: boolean): VariantIndex {
    const revision = this.revision();
    if (this.variants?.revision === revision && this.variants.geometric === geometric) return this.variants;
    const bits = this.load('dup').index.bits;
    const photos: number[] = [];
    const orientations: number[] = [];
    const canonical: number[] = [];
    const codes: number[] = [];
    for (const v of this.catalog().eachVariantCode('dup', geometric ? {} : { orientations: STORED_UPRIGHT_VARIANTS })) {
      photos.push(v.id);
      orientations.push(v.orientation);
      canonical.push(v.canonical ? 1 : 0);
      for (const word of fromSqliteInteger(v.code, bits)) codes.push(word);
    }
    this.variants = {
      revision,
      geometric,
      index: HammingIndex.fromCodes(
        bits,
        Float64Array.from(photos, (_, row) => row),
        Uint32Array.from(codes),
      ),
      photo: Float64Array.from(photos),
      orientation: Uint8Array.from(orientations),
      canonical: Uint8Array.from(canonical),
    };
    return this.variants;
  }

  candidates(ids: readonly number[]): Map<number, KeepCandidate> {
    const files = new Map<number, KeepCandidate>();
    for (const p of this.catalog().photosByIds(ids)) {
      if (p.status === 'gone') continue;
      files.set(p.id, {
        id: p.id,
        path: p.path,
        width: p.width ?? 0,
        height: p.height ?? 0,
        contentWidth: p.contentWidth,
        contentHeight: p.contentHeight,
        bytes: p.size,
        takenAt: p.takenAt,
        format: p.format,
        mtimeMs: p.mtimeMs,
        camera: p.camera,
      });
    }
    return files;
  }

  /**
   * The groups as the API shows them, each with its proposed keeper. The keep rule also reads what the file
   * says about its quality (model/image/picture-quality.ts): its JPEG quality (its headers), whether it is grey and
   * whether its uniform border is an even frame (its thumbnail), whether a larger copy is only enlarged and
   * which of copies of one size is sharper (its pixels); a file that cannot be read is judged without them.
   */
  async report(groups: PhotoGroup[], rule?: KeepRuleArg): Promise<DuplicateGroup[]> {
    const files = this.candidates(groups.flatMap((g) => g.ids));
    const catalog = this.catalog();
    // What an earlier search measured in these files is read back, not measured again (kept-measures.ts).
    const measures = new KeptMeasures(catalog, catalog.contentHashes());
    try {
      await readKeepFacts([...files.values()], (id) => catalog.thumbnail(id)?.webp, measures);
      await settleGroupsKeepFacts(
        groups.map((group) => group.ids.flatMap((id) => files.get(id) ?? [])),
        rule,
        measures,
      );
    } finally {
      measures.save(); // a search stopped part-way keeps what it measured
    }
    return toDuplicateGroups(groups, files, rule);
  }
}

/** The two photos of a pair, either way round. */
function photoPairKey(p: PixelPair): string {
  return p.id < p.other ? `${p.id}:${p.other}` : `${p.other}:${p.id}`;
}

/** How many distinct photo pairs among `variantPairs` are not `counted` already. */
function distinctPairsOutside(variantPairs: readonly PixelPair[], counted: (a: number, b: number) => boolean): number {
  const keys = new Set<string>();
  for (const p of variantPairs) if (!counted(p.id, p.other)) keys.add(photoPairKey(p));
  return keys.size;
}
