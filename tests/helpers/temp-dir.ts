/**
 * Temporary folders for tests. Each is made under the OS temp folder and removed when its test file ends
 * (tests/helpers/remove-temp-dirs.ts, a Vitest setup file), so a run of the suite leaves nothing behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();

/** A new empty folder named `lookalike-<prefix>-XXXXXX`, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `lookalike-${prefix}-`));
  made.add(dir);
  return dir;
}

/** Removes every folder `tempDir` made so far (and what is in it). */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
