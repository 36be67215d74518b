/** `lookalike scan FOLDER --db DB --json` run to its end, as the fault-injection tests finish a library after a kill. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const bin = path.resolve('bin/lookalike.js');

export interface Rescan {
  status: number | null;
  /** Photos the scan accounts for: analysed now (added, resumed, updated) or unchanged. */
  photos: number;
  failed: unknown[];
  stderr: string;
}

export function rescan(folder: string, db: string): Rescan {
  const run = spawnSync(process.execPath, [bin, 'scan', folder, '--db', db, '--json'], { encoding: 'utf8' });
  if (run.status !== 0) return { status: run.status, photos: 0, failed: [], stderr: run.stderr };
  const summary = JSON.parse(run.stdout) as Record<'added' | 'resumed' | 'updated' | 'unchanged', number> & {
    failed: unknown[];
  };
  return {
    status: run.status,
    photos: summary.added + summary.resumed + summary.updated + summary.unchanged,
    failed: summary.failed,
    stderr: run.stderr,
  };
}
