/**
 * Candidate pairs of the pixel check (pixel-check.ts) as it keys them: a pair's canonical form (upright pairs are
 * unordered, a turned photo comes first), and families of interchangeable copies whose verdicts are inferred.
 */
import type { Orientation } from '../../../model/image/orientation.js';

/** Photo `id` turned as EXIF `orientation` asks (1: upright), to be compared with photo `other` upright. */
export interface PixelPair {
  id: number;
  orientation: number;
  other: number;
  /** Pairs of smaller rank are checked first (the search gives their code distance: copies come early). */
  rank?: number;
}

/** Orientations 2..8 turn the picture; anything else (1, the greyscale and trimmed variants) compares it upright. */
export function turn(orientation: number): Orientation {
  return orientation >= 2 && orientation <= 8 ? (orientation as Orientation) : 1;
}

/** Families of interchangeable copies (union-find over photo ids, each rooted at its smallest id). */
export class Families {
  private readonly parent = new Map<number, number>();

  root(id: number): number {
    let r = id;
    while (this.parent.has(r)) r = this.parent.get(r)!;
    for (let v = id; v !== r;) {
      const up = this.parent.get(v)!;
      this.parent.set(v, r);
      v = up;
    }
    return r;
  }

  join(p: PixelPair): void {
    const [a, b] = [this.root(p.id), this.root(p.other)];
    if (a !== b) this.parent.set(Math.max(a, b), Math.min(a, b));
  }

  /** An upright pair within one family. */
  same(p: PixelPair): boolean {
    return turn(p.orientation) === 1 && this.root(p.id) === this.root(p.other);
  }

  /** The pair as a pair of families, turned as the pair is. */
  key(p: PixelPair): string {
    return orderedPairKey(orderedPair(p, (id) => this.root(id)));
  }
}

/**
 * A pair as (first, turn, second), its photos named by `name` (their ids, or the contents of their files): upright
 * pairs are unordered, (a, b) and (b, a) share a verdict; a turned photo comes first.
 */
export function orderedPair<T extends string | number>(
  p: PixelPair,
  name: (id: number) => T,
): { a: T; orientation: Orientation; b: T } {
  const orientation = turn(p.orientation);
  const [a, b] = [name(p.id), name(p.other)];
  return orientation === 1 && b < a ? { a: b, orientation, b: a } : { a, orientation, b };
}

/** One string for an ordered pair, as a map key. */
export function orderedPairKey(pair: { a: string | number; orientation: number; b: string | number }): string {
  return `${pair.a}:${pair.orientation}:${pair.b}`;
}

/** Photo ids below this make a verdict key one number (below 2^53); larger ids fall back to a string key. */
const NUMERIC_IDS = 2 ** 24;

/**
 * One key per pair, either way round for an upright pair: a number where the ids allow (a large library's check
 * holds millions, and a string key costs several times the memory), else a string.
 */
export function verdictKey(p: PixelPair): number | string {
  const { a, orientation, b } = orderedPair(p, (id) => id);
  return a < NUMERIC_IDS && b < NUMERIC_IDS && a >= 0 && b >= 0
    ? (a * 16 + orientation) * NUMERIC_IDS + b
    : orderedPairKey({ a, orientation, b });
}

/**
 * How many bits farther than the two photos' nearest candidate (in any orientation) a turned pair may lie and
 * still be compared. Measured on the stress library (seed 1; scratch/orientcut.mjs over every candidate and the
 * verdicts of a full check): every pair of photos judged one picture was judged so at an orientation at most 2
 * bits from their nearest (upright or greyscale for 4,251 of them, turned at 0/1/2 bits for 241/6/5), while
 * 4,100 of 9,700 turned candidates lay farther.
 */
export const TURN_SLACK = 2;

/**
 * The pairs to compare: every upright one (greyscale and trimmed variants included), and a turned one only where
 * its turn brings the two photos within TURN_SLACK bits of their nearest candidate among `all` (default: `pairs`). Pooled codes are nearly
 * alike under turns of a look-alike (a street scene mirrored is a street scene), so every orientation of two
 * look-alikes comes near; the orientation a turned copy was made in brings it nearest.
 */
export function turnedWhereNearest(pairs: readonly PixelPair[], all: readonly PixelPair[] = pairs): PixelPair[] {
  const photos = (p: PixelPair) => verdictKey({ id: p.id, orientation: 1, other: p.other });
  // Only the photo pairs with a turned candidate are looked up: a large library's pairs are millions.
  const nearest = new Map<number | string, number>();
  for (const p of pairs) if (turn(p.orientation) !== 1) nearest.set(photos(p), Infinity);
  for (const p of all) {
    const key = photos(p);
    const known = nearest.get(key);
    if (known !== undefined && (p.rank ?? 0) < known) nearest.set(key, p.rank ?? 0);
  }
  return pairs.filter((p) => turn(p.orientation) === 1 || (p.rank ?? 0) <= nearest.get(photos(p))! + TURN_SLACK);
}

/**
 * The pairs in batches of whole connected components (photos linked by pairs): what is inferred from one pair's
 * verdict never reaches another component, so each batch can be judged on its own. Components go in order of their
 * smallest photo id, joined into a batch while it holds at most `photos` photos (a larger component is a batch of
 * its own); each batch keeps the pairs' order.
 */
export function componentBatches(pairs: readonly PixelPair[], photos: number): PixelPair[][] {
  const components = new Families(); // a component's root is its smallest id
  const ids = new Set<number>();
  for (const p of pairs) {
    ids.add(p.id);
    ids.add(p.other);
    components.join(p);
  }
  const size = new Map<number, number>();
  for (const id of ids) size.set(components.root(id), (size.get(components.root(id)) ?? 0) + 1);
  const batchOf = new Map<number, number>();
  let batches = 0;
  let filled = Infinity;
  for (const [r, n] of [...size].sort((p, q) => p[0] - q[0])) {
    if (filled + n > photos) {
      batches++;
      filled = 0;
    }
    filled += n;
    batchOf.set(r, batches - 1);
  }
  const out: PixelPair[][] = Array.from({ length: batches }, () => []);
  for (const p of pairs) out[batchOf.get(components.root(p.id))!].push(p);
  return out;
}
