/**
 * The library's memory of pixel-check verdicts (electron/search/pixel-check.ts): kept in the catalog by the two
 * files' content hashes and the rule, so the next duplicate search (in this process or another, after a rescan,
 * a move or a rename) compares only pairs that nobody judged before. A photo without a content hash is not kept.
 */
import type { Catalog, PixelVerdictRow } from '../library/catalog.js';
import { orderedPair, orderedPairKey, type PixelPair, type PixelVerdictStore } from './pixel-check.js';

/** SQLite errors of the environment, not of this code: the verdicts are then not kept. */
const NOT_KEPT = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR']);

export class KeptVerdicts implements PixelVerdictStore {
  private readonly hashes: Map<number, string>;
  private readonly kept = new Map<string, boolean>();

  /** Reads the catalog's verdicts of `rule` (pixelRuleKey) and the content hash of every ready photo. */
  constructor(
    private readonly catalog: Catalog,
    private readonly rule: string,
  ) {
    this.hashes = catalog.contentHashes();
    for (const r of catalog.pixelVerdicts(rule)) this.kept.set(orderedPairKey(r), r.same);
  }

  get(pair: PixelPair): boolean | undefined {
    const row = this.row(pair);
    return row && this.kept.get(orderedPairKey(row));
  }

  /**
   * Stores the verdicts. Failing to store them (the database busy in another process for longer than its
   * timeout, a full disk) costs only their reuse: the search that made them still has them.
   */
  add(verdicts: readonly (readonly [PixelPair, boolean])[]): void {
    const rows: PixelVerdictRow[] = [];
    for (const [pair, same] of verdicts) {
      const row = this.row(pair);
      if (!row) continue;
      rows.push({ ...row, same });
      this.kept.set(orderedPairKey(row), same);
    }
    try {
      this.catalog.addPixelVerdicts(this.rule, rows);
    } catch (error) {
      if (!NOT_KEPT.has((error as { code?: string }).code ?? '')) throw error;
    }
  }

  private row(pair: PixelPair): Omit<PixelVerdictRow, 'same'> | undefined {
    if (!this.hashes.has(pair.id) || !this.hashes.has(pair.other)) return undefined;
    return orderedPair(pair, (id) => this.hashes.get(id)!);
  }
}
