/**
 * All pairs within radius r (the duplicate finder's self-join) through the multi-index tables.
 *
 * Every code probes the tables like a query, but each pair must come out exactly once without a
 * "seen" set, so a pair is reported only from its canonical place: the first table j in which its
 * substrings are within the probe radius, and there from the side with the smaller substring key
 * (the smaller slot when the keys are equal). That also halves the probes: keys below the code's
 * own key are skipped.
 */
import { hammingDistance, popcount32 } from '../../../model/codes.js';
import type { IndexInternals } from './hamming-index-internals.js';
import { ProbeKeyBuffer, probeRadii, probesWithin, substringKey } from './mih.js';

export interface PairScanOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Calls `visit(slotA, slotB, distance)` once per unordered pair of live slots within r (slotA < slotB not implied). */
export function forEachSlotPairWithin(
  index: IndexInternals,
  r: number,
  visit: (slotA: number, slotB: number, distance: number) => void,
  options: PairScanOptions,
): void {
  const { wordsPerCode: wpc, codes, alive, slotCount, substrings, tables } = index;
  const m = tables.length;
  const radii = probeRadii(r, m);
  const probesPerCode = substrings.reduce((sum, sub, j) => sum + probesWithin(sub.length, radii[j]), 0);
  const probeKeys = new ProbeKeyBuffer();
  // More probe keys per code than codes (tiny sets, huge radii): comparing every pair is cheaper.
  // Decided once for the whole scan: the canonical-side rule below needs every code to probe.
  const compareAll = probesPerCode > slotCount;

  /** Whether an earlier table already reports the pair (its substrings there are within that table's radius). */
  const earlierTableFinds = (j: number, selfOffset: number, otherOffset: number) => {
    for (let t = 0; t < j; t++) {
      const own = substringKey(codes, selfOffset, substrings[t]);
      if (radii[t] >= 0 && popcount32(own ^ substringKey(codes, otherOffset, substrings[t])) <= radii[t]) return true;
    }
    return false;
  };

  /** Reports (self, slot) if within r and this is the pair's canonical place (table j, probe distance d). */
  const considerPair = (self: number, slot: number, j: number, d: number) => {
    if ((d === 0 && slot <= self) || !alive[slot]) return;
    const selfOffset = self * wpc;
    const otherOffset = slot * wpc;
    const distance = hammingDistance(codes, codes, wpc, selfOffset, otherOffset);
    if (distance <= r && !earlierTableFinds(j, selfOffset, otherOffset)) visit(self, slot, distance);
  };

  let done = 0;
  const total = slotCount * m;
  options.signal?.throwIfAborted();
  options.onProgress?.(0, total);
  const tick = () => {
    if ((++done & 0x3fff) === 0) {
      options.signal?.throwIfAborted();
      options.onProgress?.(done, total);
    }
  };

  if (compareAll) {
    for (let self = 0; self < slotCount; self++) {
      for (let i = 0; i < m; i++) tick();
      if (!alive[self]) continue;
      for (let slot = self + 1; slot < slotCount; slot++) {
        if (!alive[slot]) continue;
        const d = hammingDistance(codes, codes, wpc, self * wpc, slot * wpc);
        if (d <= r) visit(self, slot, d);
      }
    }
  }

  // Table by table, codes in the table's key order: consecutive codes probe neighbouring keys, so
  // the lookups sweep the table instead of jumping around it (far fewer cache misses at 1M codes).
  for (let j = 0; j < m && !compareAll; j++) {
    const table = tables[j];
    const { offsets, slots, overlay } = table;
    const sub = substrings[j];
    const probeFrom = (self: number) => {
      tick();
      if (!alive[self]) return;
      const ownKey = substringKey(codes, self * wpc, sub);
      for (let d = 0; d <= radii[j]; d++) {
        const count = probeKeys.fill(ownKey, sub.length, d);
        const keys = probeKeys.keys;
        for (let p = 0; p < count; p++) {
          const key = keys[p];
          if (key < ownKey) continue; // that pair is reported from the other side
          const b = table.bucket(key);
          if (b >= 0) for (let i = offsets[b]; i < offsets[b + 1]; i++) considerPair(self, slots[i], j, d);
          const extra = overlay.size > 0 ? overlay.get(key) : undefined;
          if (extra) for (const slot of extra) considerPair(self, slot, j, d);
        }
      }
    };
    for (let i = 0; i < slots.length; i++) probeFrom(slots[i]);
    for (const extra of overlay.values()) for (const slot of extra) probeFrom(slot);
  }
  options.onProgress?.(total, total);
}
