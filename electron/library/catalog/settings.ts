/** Per-library settings (keep rule, threshold, geometric matching, the last trash action), as JSON values by key. */
import type { Statements } from './statements.js';

export class Settings {
  constructor(private readonly db: Statements) {}

  get<T>(key: string): T | undefined {
    const row = this.db.stmt('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  set(key: string, value: unknown): void {
    this.db
      .stmt('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, JSON.stringify(value));
  }
}
