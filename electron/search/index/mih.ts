/**
 * Multi-index hashing building blocks (Norouzi, Punjani & Fleet, "Fast Search in Hamming Space with
 * Multi-Index Hashing", CVPR 2012): the code is cut into m disjoint substrings and each substring
 * gets its own table from substring value to the codes that carry it.
 *
 * Pigeonhole: if ||h - g|| <= r then, with r = m*s + a (0 <= a < m), some substring j < a+1 is within s
 * or some later substring is within s-1. So a radius-r search probes substrings 0..a at radius s and
 * the rest at radius s-1, then verifies the candidates with the full code.
 *
 * Each table is built in bulk as CSR (bucket offsets + slot numbers), which costs 4 bytes per code plus
 * the offsets, instead of one JS array per key; codes inserted later go to a small Map overlay until
 * the owner rebuilds.
 */

export interface Substring {
  /** First bit of the substring in the code. */
  start: number;
  /** Number of bits (1..32). */
  length: number;
}

/** Largest substring a table indexes: keys are unsigned 32-bit numbers. */
export const MAX_SUBSTRING_BITS = 32;
/** Direct-addressed tables (an offsets array indexed by key) are used up to this many bits. */
const MAX_DIRECT_BITS = 24;

/** m ≈ K / log2 N, as the paper recommends, with substrings no longer than 32 bits. */
export function chooseSubstringCount(bits: number, codeCount: number): number {
  const log2n = Math.log2(Math.max(codeCount, 2));
  const m = Math.round(bits / log2n);
  return Math.min(bits, Math.max(m, Math.ceil(bits / MAX_SUBSTRING_BITS), 1));
}

/** Splits `bits` into m contiguous substrings whose lengths differ by at most one (longer ones first). */
export function splitIntoSubstrings(bits: number, m: number): Substring[] {
  const base = Math.floor(bits / m);
  const extra = bits % m;
  const out: Substring[] = [];
  let start = 0;
  for (let j = 0; j < m; j++) {
    const length = base + (j < extra ? 1 : 0);
    if (length > MAX_SUBSTRING_BITS) throw new RangeError(`Substring of ${length} bits is too long`);
    out.push({ start, length });
    start += length;
  }
  return out;
}

/** The value of substring `sub` of the code at word offset `offset` in `codes`. */
export function substringKey(codes: Uint32Array, offset: number, sub: Substring): number {
  const word = sub.start >>> 5;
  const shift = sub.start & 31;
  let x = codes[offset + word] >>> shift;
  if (shift + sub.length > 32) x |= codes[offset + word + 1] << (32 - shift);
  return sub.length === 32 ? x >>> 0 : (x & ((2 ** sub.length - 1) | 0)) >>> 0;
}

/** Probe radius per substring for a radius-r search (pigeonhole variant when m does not divide r); -1 = skip. */
export function probeRadii(radius: number, m: number): number[] {
  const s = Math.floor(radius / m);
  const a = radius - m * s;
  return Array.from({ length: m }, (_, j) => (j <= a ? s : s - 1));
}

/** C(n, k) as a double (exact for the sizes used here). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return Math.round(c);
}

/**
 * Enumerates probe keys into a reusable buffer (no callback per key: the search loops that consume
 * them stay monomorphic and V8 keeps them tight).
 */
export class ProbeKeyBuffer {
  keys = new Uint32Array(1024);

  /** Fills `keys` with every `length`-bit key at exactly Hamming distance `distance` from `key`; returns the count. */
  fill(key: number, length: number, distance: number): number {
    const count = binomial(length, distance);
    if (count > this.keys.length) this.keys = new Uint32Array(Math.max(count, this.keys.length * 2));
    const keys = this.keys;
    if (distance === 0) keys[0] = key;
    else if (distance === 1) for (let b = 0; b < length; b++) keys[b] = (key ^ (1 << b)) >>> 0;
    else if (distance === 2) {
      let o = 0;
      for (let b = 1; b < length; b++) {
        const kb = key ^ (1 << b);
        for (let c = 0; c < b; c++) keys[o++] = (kb ^ (1 << c)) >>> 0;
      }
    } else if (count > 0) this.fillCombinations(key, length, distance);
    return count;
  }

  /** All combinations of `distance` bit positions, in lexicographic order. */
  private fillCombinations(key: number, length: number, distance: number): void {
    const positions = new Int32Array(distance);
    for (let i = 0; i < distance; i++) positions[i] = i;
    for (let o = 0; ; o++) {
      let probe = key;
      for (let i = 0; i < distance; i++) probe ^= 1 << positions[i];
      this.keys[o] = probe >>> 0;
      let i = distance - 1;
      while (i >= 0 && positions[i] === length - distance + i) i--;
      if (i < 0) return;
      positions[i]++;
      for (let j = i + 1; j < distance; j++) positions[j] = positions[j - 1] + 1;
    }
  }
}

/** Number of keys within `radius` of a `length`-bit key: sum of C(length, d) for d <= radius. */
export function probesWithin(length: number, radius: number): number {
  let total = 0;
  let c = 1;
  for (let d = 0; d <= Math.min(radius, length); d++) {
    total += c;
    c = (c * (length - d)) / (d + 1);
  }
  return total;
}

/**
 * One substring's table. `bucketStart(key)`/`bucketEnd` give a range of `slots` for the bulk part;
 * `overlay` holds slots added since. Slots are never removed here: the owner skips dead slots.
 */
export class SubstringTable {
  readonly substring: Substring;
  /** Sorted distinct keys; null when the table is direct-addressed (offsets indexed by the key itself). */
  private readonly keys: Uint32Array | null;
  readonly offsets: Uint32Array;
  readonly slots: Uint32Array;
  readonly overlay = new Map<number, number[]>();
  overlayCount = 0;

  private constructor(substring: Substring, keys: Uint32Array | null, offsets: Uint32Array, slots: Uint32Array) {
    this.substring = substring;
    this.keys = keys;
    this.offsets = offsets;
    this.slots = slots;
  }

  /**
   * Builds the table for slots 0..slotKeys.length-1 whose `include` flag is set, by counting sort
   * (direct-addressed) or a two-pass radix sort over the keys (sparse).
   */
  static build(substring: Substring, slotKeys: Uint32Array, include: Uint8Array): SubstringTable {
    const n = slotKeys.length;
    let live = 0;
    for (let i = 0; i < n; i++) live += include[i];
    const direct = substring.length <= MAX_DIRECT_BITS && 2 ** substring.length <= Math.max(4 * live, 1 << 16);
    if (direct) {
      const offsets = new Uint32Array(2 ** substring.length + 1);
      for (let i = 0; i < n; i++) if (include[i]) offsets[slotKeys[i] + 1]++;
      for (let k = 1; k < offsets.length; k++) offsets[k] += offsets[k - 1];
      const cursor = offsets.slice(0, offsets.length - 1);
      const slots = new Uint32Array(live);
      for (let i = 0; i < n; i++) if (include[i]) slots[cursor[slotKeys[i]]++] = i;
      return new SubstringTable(substring, null, offsets, slots);
    }
    const order = radixSortSlotsByKey(slotKeys, include, live);
    let distinct = 0;
    for (let i = 0; i < live; i++) if (i === 0 || slotKeys[order[i]] !== slotKeys[order[i - 1]]) distinct++;
    const keys = new Uint32Array(distinct);
    const offsets = new Uint32Array(distinct + 1);
    let k = -1;
    for (let i = 0; i < live; i++) {
      const key = slotKeys[order[i]];
      if (k < 0 || keys[k] !== key) keys[++k] = key;
      offsets[k + 1] = i + 1;
    }
    return new SubstringTable(substring, keys, offsets, order);
  }

  /** Index into `offsets` of the bucket for `key`, or -1 when the bulk part has no such key. */
  bucket(key: number): number {
    const keys = this.keys;
    if (keys === null) return key;
    let lo = 0;
    let hi = keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = keys[mid];
      if (v < key) lo = mid + 1;
      else if (v > key) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  addToOverlay(key: number, slot: number): void {
    const list = this.overlay.get(key);
    if (list) list.push(slot);
    else this.overlay.set(key, [slot]);
    this.overlayCount++;
  }

  get byteLength(): number {
    return (this.keys?.byteLength ?? 0) + this.offsets.byteLength + this.slots.byteLength + this.overlayCount * 16;
  }
}

/** Slots with `include` set, ordered by key (stable), via LSD radix sort on two 16-bit digits. */
function radixSortSlotsByKey(slotKeys: Uint32Array, include: Uint8Array, live: number): Uint32Array {
  let src = new Uint32Array(live);
  for (let i = 0, o = 0; i < slotKeys.length; i++) if (include[i]) src[o++] = i;
  let dst = new Uint32Array(live);
  const counts = new Uint32Array(65537);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < live; i++) counts[((slotKeys[src[i]] >>> shift) & 0xffff) + 1]++;
    for (let d = 1; d < counts.length; d++) counts[d] += counts[d - 1];
    for (let i = 0; i < live; i++) dst[counts[(slotKeys[src[i]] >>> shift) & 0xffff]++] = src[i];
    [src, dst] = [dst, src];
  }
  return src;
}
