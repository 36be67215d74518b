/**
 * The multi-index query engine behind `HammingIndex`: pigeonhole radius search and kNN by growing
 * radius, verifying each candidate once per query (a generation stamp per slot), with a cost budget
 * after which the caller scans instead. Probe keys come from a reusable buffer and candidates go to
 * typed arrays, so the hot loops allocate nothing and stay monomorphic.
 */
import { hammingDistance, popcount32 } from '../../../model/codes.js';
import type { CostModel } from './cost-model.js';
import type { IndexInternals, Neighbor } from './hamming-index-internals.js';
import { byDistanceThenId, kthDistance } from './linear-scan.js';
import { binomial, ProbeKeyBuffer, probeRadii, probesWithin, substringKey } from './mih.js';

/** Probe keys looked up between two checks of the cost budget. */
const PROBE_CHUNK = 512;

export interface SearchState extends IndexInternals {
  liveCount: number;
  costModel: CostModel;
}

export class MultiIndexSearcher {
  /** Probe keys looked up and bucket slots read by the last query. */
  lastWork = { probes: 0, read: 0 };
  private state!: SearchState;
  private stamps = new Uint32Array(0);
  private generation = 0;
  private readonly probeKeys = new ProbeKeyBuffer();
  private candidateSlots = new Uint32Array(1024);
  private candidateDistances = new Uint8Array(1024);
  private candidateCount = 0;

  get byteLength(): number {
    return (
      this.stamps.byteLength +
      this.candidateSlots.byteLength +
      this.candidateDistances.byteLength +
      this.probeKeys.keys.byteLength
    );
  }

  private begin(state: SearchState): void {
    this.state = state;
    if (this.stamps.length < state.slotCount) {
      this.stamps = new Uint32Array(Math.max(state.slotCount, Math.ceil(this.stamps.length * 1.5)));
      this.generation = 0;
    }
  }

  private nextGeneration(): number {
    if (this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }

  /** Min distance from the query's codes to the code in `slot`. */
  private distanceTo(slot: number, query: Uint32Array, queryCount: number): number {
    const wpc = this.state.wordsPerCode;
    const codes = this.state.codes;
    const o = slot * wpc;
    let best = 255;
    if (wpc === 2) {
      const c0 = codes[o];
      const c1 = codes[o + 1];
      for (let q = 0; q < 2 * queryCount; q += 2) {
        const d = popcount32(c0 ^ query[q]) + popcount32(c1 ^ query[q + 1]);
        if (d < best) best = d;
      }
      return best;
    }
    for (let q = 0; q < queryCount; q++) {
      const d = hammingDistance(query, codes, wpc, q * wpc, o);
      if (d < best) best = d;
    }
    return best;
  }

  /** Verifies one slot once per generation; a live one within `limit` becomes a candidate. */
  private consider(slot: number, query: Uint32Array, queryCount: number, limit: number, gen: number): void {
    if (this.stamps[slot] === gen) return;
    this.stamps[slot] = gen;
    if (!this.state.alive[slot]) return;
    const d = this.distanceTo(slot, query, queryCount);
    if (d > limit) return;
    if (this.candidateCount === this.candidateSlots.length) {
      const slots = new Uint32Array(this.candidateCount * 2);
      slots.set(this.candidateSlots);
      this.candidateSlots = slots;
      const distances = new Uint8Array(this.candidateCount * 2);
      distances.set(this.candidateDistances);
      this.candidateDistances = distances;
    }
    this.candidateSlots[this.candidateCount] = slot;
    this.candidateDistances[this.candidateCount++] = d;
  }

  /** Considers the slots in the buckets of probe keys [from, to) of table j; returns how many slots it read. */
  private considerBuckets(
    j: number,
    from: number,
    to: number,
    query: Uint32Array,
    queryCount: number,
    limit: number,
    gen: number,
  ): number {
    const table = this.state.tables[j];
    const { offsets, slots, overlay } = table;
    const keys = this.probeKeys.keys;
    let read = 0;
    for (let p = from; p < to; p++) {
      const b = table.bucket(keys[p]);
      if (b >= 0) {
        const end = offsets[b + 1];
        read += end - offsets[b];
        for (let i = offsets[b]; i < end; i++) this.consider(slots[i], query, queryCount, limit, gen);
      }
      if (overlay.size > 0) {
        const extra = overlay.get(keys[p]);
        if (extra) for (const slot of extra) this.consider(slot, query, queryCount, limit, gen);
      }
    }
    return read;
  }

  /**
   * Probes table j at exactly distance `d` around each query code's substring. Returns false as soon
   * as the work so far (`work`, updated) passes `budgetNs`.
   */
  private probeAtDistance(
    j: number,
    d: number,
    query: Uint32Array,
    queryCount: number,
    limit: number,
    gen: number,
    work: { probes: number; read: number },
    budgetNs: number,
  ): boolean {
    const sub = this.state.substrings[j];
    const { probeNs, verifyNs } = this.state.costModel;
    for (let q = 0; q < queryCount; q++) {
      const count = this.probeKeys.fill(substringKey(query, q * this.state.wordsPerCode, sub), sub.length, d);
      for (let from = 0; from < count; from += PROBE_CHUNK) {
        const to = Math.min(count, from + PROBE_CHUNK);
        work.read += this.considerBuckets(j, from, to, query, queryCount, limit, gen);
        work.probes += to - from;
        if (work.probes * probeNs + work.read * verifyNs > budgetNs) return false;
      }
    }
    return true;
  }

  private considerAll(query: Uint32Array, queryCount: number, limit: number, gen: number): void {
    for (let slot = 0; slot < this.state.slotCount; slot++) this.consider(slot, query, queryCount, limit, gen);
  }

  /** Candidates (slot, distance) with distance <= `cutoff` as sorted neighbours. */
  private candidatesWithin(cutoff: number): Neighbor[] {
    const hits: Neighbor[] = [];
    for (let i = 0; i < this.candidateCount; i++) {
      const d = this.candidateDistances[i];
      if (d <= cutoff) hits.push({ id: this.state.slotIds[this.candidateSlots[i]], distance: d });
    }
    return hits.sort(byDistanceThenId);
  }

  /** Pigeonhole radius search; null when the work passes `budgetNs` (the caller then scans). */
  radiusSearch(
    state: SearchState,
    query: Uint32Array,
    queryCount: number,
    r: number,
    budgetNs: number,
  ): Neighbor[] | null {
    this.begin(state);
    const gen = this.nextGeneration();
    this.candidateCount = 0;
    const radii = probeRadii(r, this.state.tables.length);
    const work = (this.lastWork = { probes: 0, read: 0 });
    for (let j = 0; j < this.state.tables.length; j++) {
      // More probe keys than codes: verifying every code is cheaper and just as exact.
      if (probesWithin(this.state.substrings[j].length, radii[j]) * queryCount > this.state.slotCount) {
        this.considerAll(query, queryCount, r, gen);
        break;
      }
      for (let d = 0; d <= radii[j]; d++) {
        if (!this.probeAtDistance(j, d, query, queryCount, r, gen, work, budgetNs)) return null;
      }
    }
    return this.candidatesWithin(r);
  }

  /**
   * kNN by growing the radius: once substring j has been probed at distance s (and every earlier
   * (s, j') too), every code within m*s + j has been seen, so the search stops when k seen codes lie
   * within that radius.
   */
  knnSearch(
    state: SearchState,
    query: Uint32Array,
    queryCount: number,
    k: number,
    budgetNs: number,
  ): Neighbor[] | null {
    this.begin(state);
    const m = state.tables.length;
    const gen = this.nextGeneration();
    this.candidateCount = 0;
    const histogram = new Uint32Array(this.state.bits + 1);
    let counted = 0;
    const work = (this.lastWork = { probes: 0, read: 0 });
    const maxLength = Math.max(...this.state.substrings.map((sub) => sub.length));
    outer: for (let s = 0; s <= maxLength; s++) {
      for (let j = 0; j < m; j++) {
        if (binomial(this.state.substrings[j].length, s) * queryCount > this.state.slotCount) {
          this.considerAll(query, queryCount, this.state.bits, gen); // cheaper than the probes, as exact
          break outer;
        }
        if (!this.probeAtDistance(j, s, query, queryCount, this.state.bits, gen, work, budgetNs)) return null;
        for (; counted < this.candidateCount; counted++) histogram[this.candidateDistances[counted]]++;
        const guaranteed = Math.min(m * s + j, this.state.bits);
        let within = 0;
        for (let d = 0; d <= guaranteed; d++) within += histogram[d];
        if (within >= k || this.candidateCount === this.state.liveCount) break outer;
      }
    }
    for (; counted < this.candidateCount; counted++) histogram[this.candidateDistances[counted]]++;
    return this.candidatesWithin(kthDistance(histogram, k)).slice(0, k);
  }
}
