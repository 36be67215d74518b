/**
 * The pixel check's kept verdicts (electron/search/pixels/kept-verdicts.ts reads and adds them), by the two files'
 * content hashes and the rule.
 */
import type { Statements } from './statements.js';

/**
 * One kept verdict of the pixel check: files by content hash, `a` turned by `orientation` (1: upright, a < b);
 * `same`: one picture; `compared`: the pair's own comparison, null for a verdict inferred from its families.
 */
export interface PixelVerdictRow {
  a: string;
  orientation: number;
  b: string;
  same: boolean;
  compared: 'copy' | 'same' | 'different' | null;
}

export class PixelVerdicts {
  constructor(private readonly db: Statements) {}

  /** The pixel check's kept verdicts of one rule (see schema migration 7). */
  list(rule: string): PixelVerdictRow[] {
    return [...this.each(rule)];
  }

  /** `list`, one row at a time: a large library's verdicts are never all in memory as rows at once. */
  *each(rule: string): IterableIterator<PixelVerdictRow> {
    const rows = this.db
      .stmt('SELECT a, orientation, b, same, compared FROM pixel_verdicts WHERE rule = ?')
      .iterate(rule);
    for (const r of rows as IterableIterator<Omit<PixelVerdictRow, 'same'> & { same: number }>) {
      yield { a: r.a, orientation: r.orientation, b: r.b, same: r.same === 1, compared: r.compared };
    }
  }

  /** Keeps pixel-check verdicts of one rule (a verdict for the same pair replaces the old one). */
  add(rule: string, rows: readonly PixelVerdictRow[]): void {
    const insert = this.db.stmt(
      'INSERT OR REPLACE INTO pixel_verdicts (rule, a, orientation, b, same, compared) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const r of rows) insert.run(rule, r.a, r.orientation, r.b, r.same ? 1 : 0, r.compared);
    });
  }

  /** Drops kept pixel verdicts that name a content no photo of the catalog has any more; returns how many. */
  prune(): number {
    return this.db
      .stmt(
        `DELETE FROM pixel_verdicts WHERE NOT EXISTS (SELECT 1 FROM photos WHERE content_hash = a)
         OR NOT EXISTS (SELECT 1 FROM photos WHERE content_hash = b)`,
      )
      .run().changes;
  }
}
