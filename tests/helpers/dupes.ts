import path from 'node:path';
import type { App } from '../../electron/core/app.js';
import { fromSqliteInteger, hammingDistance } from '../../model/codes.js';

/** Bits that differ between two stored 64-bit codes (as SQLite INTEGERs). */
export function storedCodeDistance(a: bigint, b: bigint): number {
  return hammingDistance(fromSqliteInteger(a, 64), fromSqliteInteger(b, 64), 2);
}

/** The duplicate groups `dupes.find` gives at `threshold`, as sorted file names without extension. */
export async function groupedNames(app: App, threshold: number, geometric?: boolean): Promise<string[][]> {
  const { groups } = await app.dispatcher.call('dupes.find', { threshold, geometric });
  return groups.map((g) => g.files.map((f) => path.basename(f.path, path.extname(f.path))).sort());
}
