/**
 * An in-memory Hamming index over one code set (duplicate codes or similarity codes): exact radius
 * search, k-nearest search and an all-pairs self-join, by multi-index hashing with a linear-scan
 * fallback chosen by a cost model. Photos are identified by numeric ids (catalog row ids).
 *
 * A query may bring several codes (e.g. the rotated and mirrored versions of an image); a result's
 * distance is then the minimum over them.
 *
 * Storage is lean on purpose (71 MB for 1M 64-bit codes in bench:search, 60 MB of it the three
 * direct-addressed 22-bit tables): codes sit in WebAssembly memory where the scan kernels read them in
 * place, ids in a Float64Array, and each table is CSR (offsets + slot numbers). Deletes are
 * tombstones; inserts go to small Map overlays; both are folded in by `rebuild`, which runs by itself
 * once they pass a quarter of the index (or 4096).
 */
import { assertSupportedBits, wordsPerCode as wordsPerCodeFor } from '../../../model/codes.js';
import {
  DEFAULT_COST_MODEL,
  linearScanCost,
  multiIndexRadiusCost,
  uniformKnnRadius,
  type CostModel,
} from './cost-model.js';
import { knnFromDistances, kthDistance, liveNeighbors } from './linear-scan.js';
import { chooseSubstringCount, splitIntoSubstrings, substringKey, SubstringTable, type Substring } from './mih.js';
import type { IndexInternals, Neighbor } from './hamming-index-internals.js';
import { MultiIndexSearcher, type SearchState } from './mih-search.js';
import { forEachSlotPairWithin, type PairScanOptions } from './self-join.js';
import { WasmHammingScanner } from './wasm-hamming.js';

export type { IndexInternals, Neighbor };

export type SearchStrategy = 'auto' | 'multi-index' | 'linear';

export interface SearchOptions {
  /** `auto` (default) picks by the cost model; the others force one method (tests, benchmarks). */
  strategy?: SearchStrategy;
}

export interface HammingIndexOptions {
  /** Number of substring tables; default m ≈ K / log2 N, chosen again at each rebuild. */
  substrings?: number;
  costModel?: CostModel;
}

/** Which method answered the last query (for benchmarks and tests). */
export type UsedStrategy = 'multi-index' | 'linear' | 'multi-index→linear';

const MIN_REBUILD_CHANGES = 4096;

export class HammingIndex {
  readonly bits: number;
  readonly wordsPerCode: number;
  costModel: CostModel;
  lastStrategy: UsedStrategy = 'linear';
  /** Probe keys looked up and bucket slots read by the last multi-index query (benchmarks fit the cost model on it). */
  get lastWork(): { probes: number; read: number } {
    return this.searcher.lastWork;
  }

  private readonly fixedSubstringCount: number | undefined;
  private readonly store: WasmHammingScanner;
  /** The store's codes view (replaced when WebAssembly memory grows). */
  private codes: Uint32Array;
  private slotIds = new Float64Array(0);
  private alive = new Uint8Array(0);
  private slotCount = 0;
  private liveCount = 0;
  private substrings: Substring[] = [];
  private tables: SubstringTable[] = [];
  /** Base slots sorted by id, for id lookups without a Map of every id. */
  private sortedIds = new Float64Array(0);
  private sortedSlots = new Uint32Array(0);
  private readonly insertedIdSlots = new Map<number, number>();
  private deadSinceRebuild = 0;
  private readonly searcher = new MultiIndexSearcher();

  constructor(bits: number, options: HammingIndexOptions = {}) {
    assertSupportedBits(bits);
    this.bits = bits;
    this.wordsPerCode = wordsPerCodeFor(bits);
    this.fixedSubstringCount = options.substrings;
    this.costModel = options.costModel ?? DEFAULT_COST_MODEL;
    this.store = new WasmHammingScanner(this.wordsPerCode);
    this.codes = this.store.codes;
    this.rebuild();
  }

  /** Builds an index in bulk from ids and their packed codes (`ids.length * wordsPerCode` words). */
  static fromCodes(bits: number, ids: ArrayLike<number>, codes: Uint32Array, options?: HammingIndexOptions) {
    const index = new HammingIndex(bits, options);
    const wpc = index.wordsPerCode;
    if (codes.length !== ids.length * wpc) throw new RangeError('codes.length must be ids.length * wordsPerCode');
    index.ensureCapacity(ids.length);
    index.store.codes.set(codes);
    for (let i = 0; i < ids.length; i++) {
      if (!Number.isSafeInteger(ids[i])) throw new RangeError(`Id ${ids[i]} is not a safe integer`);
      index.slotIds[i] = ids[i];
      index.alive[i] = 1;
    }
    index.slotCount = index.liveCount = ids.length;
    index.rebuild();
    for (let i = 1; i < index.sortedIds.length; i++) {
      if (index.sortedIds[i] === index.sortedIds[i - 1]) throw new RangeError(`Duplicate id ${index.sortedIds[i]}`);
    }
    return index;
  }

  get size(): number {
    return this.liveCount;
  }

  get substringCount(): number {
    return this.substrings.length;
  }

  /** Inserts and deletes not yet folded into the bulk tables (a rebuild resets it). */
  get pendingChanges(): number {
    return this.insertedIdSlots.size + this.deadSinceRebuild;
  }

  has(id: number): boolean {
    return this.slotOf(id) >= 0;
  }

  /** A copy of the stored code for `id`, or undefined. */
  getCode(id: number): Uint32Array | undefined {
    const slot = this.slotOf(id);
    if (slot < 0) return undefined;
    return this.codes.slice(slot * this.wordsPerCode, (slot + 1) * this.wordsPerCode);
  }

  /** Adds (or replaces) the code of `id`. */
  insert(id: number, code: Uint32Array): void {
    if (!Number.isSafeInteger(id)) throw new RangeError(`Id ${id} is not a safe integer`);
    if (code.length !== this.wordsPerCode) throw new RangeError(`Code must have ${this.wordsPerCode} words`);
    this.delete(id);
    const slot = this.slotCount++;
    this.ensureCapacity(this.slotCount);
    this.codes.set(code, slot * this.wordsPerCode);
    this.slotIds[slot] = id;
    this.alive[slot] = 1;
    this.liveCount++;
    this.insertedIdSlots.set(id, slot);
    for (const table of this.tables)
      table.addToOverlay(substringKey(this.codes, slot * this.wordsPerCode, table.substring), slot);
    if (this.insertedIdSlots.size > Math.max(MIN_REBUILD_CHANGES, this.liveCount / 4)) this.rebuild();
  }

  /** Removes `id`; returns whether it was present. */
  delete(id: number): boolean {
    const slot = this.slotOf(id);
    if (slot < 0) return false;
    this.alive[slot] = 0;
    this.liveCount--;
    this.insertedIdSlots.delete(id);
    this.deadSinceRebuild++;
    if (this.deadSinceRebuild > Math.max(MIN_REBUILD_CHANGES, this.liveCount / 4)) this.rebuild();
    return true;
  }

  /** All codes within `radius` of the query (min over its codes), sorted by distance then id. */
  radiusSearch(query: Uint32Array, radius: number, options: SearchOptions = {}): Neighbor[] {
    const queryCount = this.checkQuery(query);
    if (!Number.isInteger(radius) || radius < 0) throw new RangeError('Radius must be a non-negative integer');
    const r = Math.min(radius, this.bits);
    const strategy = options.strategy ?? 'auto';
    const linearCost = linearScanCost(this.costModel, this.slotCount);
    const useLinear =
      strategy === 'linear' ||
      (strategy === 'auto' &&
        multiIndexRadiusCost(this.costModel, this.substrings, r, queryCount, this.liveCount) > linearCost);
    if (useLinear) return this.linearRadiusSearch(query, r, 'linear');
    const budget = strategy === 'auto' ? linearCost : Infinity;
    return (
      this.withSearcher((searcher, state) => searcher.radiusSearch(state, query, queryCount, r, budget)) ??
      this.linearRadiusSearch(query, r, 'multi-index→linear')
    );
  }

  /** The k nearest codes (min over the query's codes), sorted by distance then id (ties broken by id). */
  knnSearch(query: Uint32Array, k: number, options: SearchOptions = {}): Neighbor[] {
    const queryCount = this.checkQuery(query);
    if (!Number.isInteger(k) || k < 0) throw new RangeError('k must be a non-negative integer');
    if (k === 0 || this.liveCount === 0) return [];
    const strategy = options.strategy ?? 'auto';
    if (strategy === 'linear') return this.linearKnnSearch(query, k, 'linear');
    let budget = Infinity;
    if (strategy === 'auto') {
      // The radius that would hold k codes spread uniformly decides; when the tables look dearer they
      // still get a quarter of the scan's cost, which finds a close cluster cheaply.
      const linear = linearScanCost(this.costModel, this.slotCount);
      const radius = uniformKnnRadius(this.bits, this.liveCount, k);
      const estimate = multiIndexRadiusCost(this.costModel, this.substrings, radius, queryCount, this.liveCount);
      budget = estimate <= linear ? linear : linear / 4;
    }
    return (
      this.withSearcher((searcher, state) => searcher.knnSearch(state, query, queryCount, k, budget)) ??
      this.linearKnnSearch(query, k, 'multi-index→linear')
    );
  }

  /**
   * Calls `visit` once for every unordered pair of live codes within `radius`, through the tables
   * (never all N² pairs unless probing would cost more). Do not change the index from `visit`.
   */
  forEachPairWithin(
    radius: number,
    visit: (idA: number, idB: number, distance: number) => void,
    options: PairScanOptions = {},
  ): void {
    if (!Number.isInteger(radius) || radius < 0) throw new RangeError('Radius must be a non-negative integer');
    const slotIds = this.slotIds;
    const visitIds = (a: number, b: number, d: number) => visit(slotIds[a], slotIds[b], d);
    forEachSlotPairWithin(this.internals(), Math.min(radius, this.bits), visitIds, options);
  }

  private withSearcher(run: (searcher: MultiIndexSearcher, state: SearchState) => Neighbor[] | null) {
    this.lastStrategy = 'multi-index';
    return run(this.searcher, { ...this.internals(), liveCount: this.liveCount, costModel: this.costModel });
  }

  /** @internal The live arrays, for the self-join and the multi-index searcher. */
  internals(): IndexInternals {
    const { bits, wordsPerCode, codes, alive, slotIds, slotCount, substrings, tables } = this;
    return {
      bits,
      wordsPerCode,
      codes,
      alive,
      slotIds,
      slotCount,
      substrings,
      tables,
      slotOf: (id) => this.slotOf(id),
    };
  }

  /** Bytes held by the index (typed arrays and WebAssembly memory; Map overlays estimated). */
  get byteLength(): number {
    let bytes = this.store.byteLength + this.slotIds.byteLength + this.alive.byteLength + this.searcher.byteLength;
    bytes += this.sortedIds.byteLength + this.sortedSlots.byteLength + this.insertedIdSlots.size * 40;
    for (const table of this.tables) bytes += table.byteLength;
    return bytes;
  }

  /** Folds inserts and deletes into freshly built tables (slots compacted, m chosen again). */
  rebuild(): void {
    const wpc = this.wordsPerCode;
    const codes = this.codes;
    let live = 0;
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (!this.alive[slot]) continue;
      if (live !== slot) {
        codes.copyWithin(live * wpc, slot * wpc, (slot + 1) * wpc);
        this.slotIds[live] = this.slotIds[slot];
        this.alive[live] = 1;
      }
      live++;
    }
    this.alive.fill(0, live, this.slotCount);
    this.slotCount = this.liveCount = live;
    this.insertedIdSlots.clear();
    this.deadSinceRebuild = 0;
    const m = this.fixedSubstringCount ?? chooseSubstringCount(this.bits, Math.max(live, MIN_REBUILD_CHANGES));
    this.substrings = splitIntoSubstrings(this.bits, m);
    const keys = new Uint32Array(live);
    const include = this.alive.subarray(0, live);
    this.tables = this.substrings.map((sub) => {
      for (let slot = 0; slot < live; slot++) keys[slot] = substringKey(codes, slot * wpc, sub);
      return SubstringTable.build(sub, keys, include);
    });
    this.indexIds();
  }

  private indexIds(): void {
    const n = this.slotCount;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let ascending = true;
    for (let i = 1; i < n && ascending; i++) ascending = this.slotIds[i - 1] < this.slotIds[i];
    if (!ascending) order.sort((a, b) => this.slotIds[a] - this.slotIds[b]);
    this.sortedSlots = order;
    this.sortedIds = new Float64Array(n);
    for (let i = 0; i < n; i++) this.sortedIds[i] = this.slotIds[order[i]];
  }

  private slotOf(id: number): number {
    const inserted = this.insertedIdSlots.get(id);
    if (inserted !== undefined) return inserted;
    const ids = this.sortedIds;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid] < id) lo = mid + 1;
      else if (ids[mid] > id) hi = mid - 1;
      else {
        const slot = this.sortedSlots[mid];
        return this.alive[slot] ? slot : -1;
      }
    }
    return -1;
  }

  private ensureCapacity(count: number): void {
    if (count <= this.slotIds.length) return;
    const capacity = Math.max(count, Math.ceil(this.slotIds.length * 1.5), 1024);
    this.codes = this.store.reserve(capacity);
    const slotIds = new Float64Array(capacity);
    slotIds.set(this.slotIds);
    this.slotIds = slotIds;
    const alive = new Uint8Array(capacity);
    alive.set(this.alive);
    this.alive = alive;
  }

  private checkQuery(query: Uint32Array): number {
    const count = query.length / this.wordsPerCode;
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`A query is one or more codes of ${this.wordsPerCode} words each`);
    }
    return count;
  }

  /** WebAssembly scan, then WebAssembly selection of the slots within r (JS only touches the hits). */
  private linearRadiusSearch(query: Uint32Array, r: number, used: UsedStrategy): Neighbor[] {
    this.lastStrategy = used;
    const distances = this.store.minDistances(query, this.slotCount);
    return liveNeighbors(this.store.indicesWithin(r), distances, this.alive, this.slotIds);
  }

  /** Scan, histogram the distances to find the k-th smallest, select up to it; all but the sort in WebAssembly. */
  private linearKnnSearch(query: Uint32Array, k: number, used: UsedStrategy): Neighbor[] {
    this.lastStrategy = used;
    const distances = this.store.minDistances(query, this.slotCount);
    const cutoff = kthDistance(this.store.histogramOfLast().subarray(0, this.bits + 1), k);
    const hits = liveNeighbors(this.store.indicesWithin(cutoff), distances, this.alive, this.slotIds);
    // The histogram counted deleted slots too; when they crowd out live ones, count only the live.
    if (hits.length < k && hits.length < this.liveCount) {
      return knnFromDistances(distances, this.alive, this.slotIds, k, this.bits);
    }
    return hits.slice(0, k);
  }
}
