/** One connection's prepared statements, cached by their SQL, and its write transactions: what every part of the catalog writes through. */
import type { SqliteDatabase, SqliteStatement } from '../db.js';

export class Statements {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(readonly db: SqliteDatabase) {}

  stmt(sql: string): SqliteStatement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Run `fn` in one write transaction (taken immediately, so concurrent writers queue instead of failing). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
