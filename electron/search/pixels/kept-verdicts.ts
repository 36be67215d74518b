/**
 * The library's memory of pixel-check verdicts (electron/search/pixels/pixel-check.ts): kept in the catalog by the two
 * files' content hashes and the rule, so the next duplicate search (in this process or another, after a rescan,
 * a move or a rename) compares only pairs that nobody judged before. A photo without a content hash is not kept.
 */
import type { Catalog, PixelVerdictRow } from '../../library/catalog/catalog.js';
import { orderedPair, type PixelPair } from './pairs.js';
import type { KeptVerdict, PixelVerdictStore } from './pixel-check.js';

/** How a verdict was reached, as a small number (a verdict is kept as `HOW.indexOf(compared) * 2 + same`). */
const HOW: readonly KeptVerdict['compared'][] = [null, 'copy', 'same', 'different'];

/** SQLite errors of the environment, not of this code: the verdicts are then not kept. */
const NOT_KEPT = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR']);

/**
 * Whether `error` (of a write of what a search could reuse) is one of the environment's that only costs the reuse: the
 * database busy in another process for longer than its timeout, a full disk, a read-only or failing file.
 */
export function onlyCostsReuse(error: unknown): boolean {
  return NOT_KEPT.has((error as { code?: string }).code ?? '');
}

export class KeptVerdicts implements PixelVerdictStore {
  /** Photo id → its content hash. */
  private readonly hashes: Map<number, string>;
  /** Content hash → a small number (one per distinct content of the library), for compact keys. */
  private readonly contents = new Map<string, number>();
  /**
   * Verdicts kept before this search, by a numeric key of (content, turn, content): a large library has millions,
   * and a key of two content hashes would cost ~10 times the memory. Verdicts added during the search are not
   * put here: the search that made them holds them already.
   */
  private readonly kept = new Map<number, number>();
  /**
   * Keys of rows this search kept a comparison in: byte-identical files share their rows, so a pair inferred
   * from its families must not replace the comparison of another pair of the same two contents.
   */
  private readonly comparedNow = new Set<number>();

  /** Reads the catalog's verdicts of `rule` (pixelRuleKey) and the content hash of every ready photo. */
  constructor(
    private readonly catalog: Catalog,
    private readonly rule: string,
  ) {
    this.hashes = catalog.contentHashes();
    for (const hash of this.hashes.values()) if (!this.contents.has(hash)) this.contents.set(hash, this.contents.size);
    for (const r of catalog.verdicts.each(rule)) {
      const key = this.key(r);
      if (key !== undefined) this.kept.set(key, HOW.indexOf(r.compared) * 2 + Number(r.same)); // else: a content no photo has now
    }
  }

  get(pair: PixelPair): KeptVerdict | undefined {
    const row = this.row(pair);
    const key = row && this.key(row);
    const code = key === undefined ? undefined : this.kept.get(key);
    return code === undefined ? undefined : { same: code % 2 === 1, compared: HOW[code >> 1] };
  }

  /**
   * Stores the verdicts. Failing to store them (the database busy in another process for longer than its
   * timeout, a full disk) costs only their reuse: the search that made them still has them.
   */
  add(verdicts: readonly (readonly [PixelPair, KeptVerdict])[]): void {
    const rows: PixelVerdictRow[] = [];
    for (const [pair, { same, compared }] of verdicts) {
      const row = this.row(pair);
      const key = row && this.key(row);
      if (!row || key === undefined) continue;
      if (compared) this.comparedNow.add(key);
      else if (this.comparedNow.has(key) || (this.kept.get(key) ?? 0) >= 2) continue; // a comparison stays
      rows.push({ ...row, same, compared });
    }
    try {
      this.catalog.verdicts.add(this.rule, rows);
    } catch (error) {
      if (!onlyCostsReuse(error)) throw error;
    }
  }

  private row(pair: PixelPair): Omit<PixelVerdictRow, 'same' | 'compared'> | undefined {
    if (!this.hashes.has(pair.id) || !this.hashes.has(pair.other)) return undefined;
    return orderedPair(pair, (id) => this.hashes.get(id)!);
  }

  /** (content a, turn, content b) as one number below 2^53 (fewer than ~10^7 contents). */
  private key(row: Omit<PixelVerdictRow, 'same' | 'compared'>): number | undefined {
    const a = this.contents.get(row.a);
    const b = this.contents.get(row.b);
    if (a === undefined || b === undefined) return undefined;
    return (a * 16 + row.orientation) * this.contents.size + b;
  }
}
