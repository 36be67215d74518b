/**
 * What the keep rule measured in files, kept by content hash (electron/search/duplicates/kept-measures.ts reads and
 * adds them; see schema migration 15).
 */
import type { Statements } from './statements.js';

export type KeepFactKind = 'file' | 'sharpness' | 'enlargement';

/** One kept measure: of file `a` (and, for an enlargement test, file `b`; else ''), as JSON. */
export interface KeepFactRow {
  a: string;
  kind: KeepFactKind;
  b: string;
  value: string;
}

export class KeepFacts {
  constructor(private readonly db: Statements) {}

  /** The kept measures of one version, one row at a time. */
  *each(version: string): IterableIterator<KeepFactRow> {
    yield* this.db
      .stmt('SELECT a, kind, b, value FROM keep_facts WHERE version = ?')
      .iterate(version) as IterableIterator<KeepFactRow>;
  }

  /** Keeps measures of one version (a measure of the same files replaces the old one). */
  add(version: string, rows: readonly KeepFactRow[]): void {
    const insert = this.db.stmt(
      'INSERT OR REPLACE INTO keep_facts (version, a, kind, b, value) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const r of rows) insert.run(version, r.a, r.kind, r.b, r.value);
    });
  }

  /** Drops kept measures that name a content no photo of the catalog has any more; returns how many. */
  prune(): number {
    return this.db
      .stmt(
        `DELETE FROM keep_facts WHERE NOT EXISTS (SELECT 1 FROM photos WHERE content_hash = a)
         OR (b <> '' AND NOT EXISTS (SELECT 1 FROM photos WHERE content_hash = b))`,
      )
      .run().changes;
  }

  /** Drops kept measures of every version but `version` (made by an earlier version of the measures). */
  keepOnly(version: string): number {
    return this.db.stmt('DELETE FROM keep_facts WHERE version <> ?').run(version).changes;
  }
}
