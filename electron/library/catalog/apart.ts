/**
 * Pictures the user said are not duplicates of each other ("Not duplicates" on a group): the duplicate search never
 * groups such a pair again (electron/search/service.ts). Kept by the content hashes of the files (a <= b), so a
 * mark follows a file that moves, and holds for a byte-identical copy of either file; (h, h) marks files that
 * are byte-identical themselves (the user keeps them on purpose).
 */
import type { Statements } from './statements.js';

export class ApartPairs {
  constructor(private readonly db: Statements) {}

  /** Marks every two of the files (by content hash) apart; returns how many pairs were not marked yet. */
  mark(hashes: readonly string[]): number {
    const insert = this.db.stmt('INSERT OR IGNORE INTO apart_pairs (a, b, marked_at) VALUES (?, ?, ?)');
    const now = new Date().toISOString();
    let added = 0;
    forEachPair(hashes, (a, b) => (added += insert.run(a, b, now).changes));
    return added;
  }

  /** Takes back the marks between every two of the files; returns how many there were. */
  unmark(hashes: readonly string[]): number {
    const drop = this.db.stmt('DELETE FROM apart_pairs WHERE a = ? AND b = ?');
    let removed = 0;
    forEachPair(hashes, (a, b) => (removed += drop.run(a, b).changes));
    return removed;
  }

  /** Forgets every mark; returns how many there were. */
  clear(): number {
    return this.db.stmt('DELETE FROM apart_pairs').run().changes;
  }

  count(): number {
    return (this.db.stmt('SELECT COUNT(*) AS n FROM apart_pairs').get() as { n: number }).n;
  }

  /** Every mark, as a test of two files' content hashes (either order). */
  test(): (a: string, b: string) => boolean {
    const pairs = new Set<string>();
    for (const { a, b } of this.db.stmt('SELECT a, b FROM apart_pairs').iterate() as Iterable<{ a: string; b: string }>)
      pairs.add(`${a}:${b}`);
    return (a, b) => pairs.size > 0 && pairs.has(a <= b ? `${a}:${b}` : `${b}:${a}`);
  }
}

/** Every pair of distinct hashes, and (h, h) for a hash given more than once (byte-identical files). */
function forEachPair(hashes: readonly string[], visit: (a: string, b: string) => void): void {
  const counts = new Map<string, number>();
  for (const h of hashes) counts.set(h, (counts.get(h) ?? 0) + 1);
  const sorted = [...counts.keys()].sort();
  for (let i = 0; i < sorted.length; i++) {
    if (counts.get(sorted[i])! > 1) visit(sorted[i], sorted[i]);
    for (let j = i + 1; j < sorted.length; j++) visit(sorted[i], sorted[j]);
  }
}
