/**
 * The library's lock across processes: which Lookalike (process, machine) is running a library job now. Jobs are
 * work that must not run beside another (a scan, a trash action or its undo, a retrain, a switch of the similarity
 * head); album edits, searches and listings need no lock (SQLite's WAL lets them run beside a job). A lock whose
 * process is gone (killed) is stale and taken over; on another machine (a library on a shared disk) a lock is
 * trusted for STALE_ELSEWHERE_MS.
 */
import os from 'node:os';
import type { Statements } from './statements.js';

export type JobName = 'scan' | 'trash' | 'undo' | 'retrain' | 'model' | 'forget';

export interface LockHolder {
  pid: number;
  host: string;
  token: string;
  what: JobName;
  startedAt: string;
}

const STALE_ELSEWHERE_MS = 12 * 3600_000;

export class LibraryLock {
  constructor(private readonly db: Statements) {}

  /**
   * Takes the lock for `me` unless a live holder has it; returns that holder, or null when `me` holds it now.
   * `alive` says whether a process of this machine runs (injectable for tests).
   */
  tryTake(me: LockHolder, alive: (pid: number) => boolean = processAlive): LockHolder | null {
    return this.db.transaction(() => {
      const holder = this.holder();
      if (holder && holder.token !== me.token && live(holder, me, alive)) return holder;
      this.db
        .stmt(
          `INSERT INTO library_lock (id, pid, host, token, what, started_at) VALUES (1, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, host = excluded.host, token = excluded.token,
             what = excluded.what, started_at = excluded.started_at`,
        )
        .run(me.pid, me.host, me.token, me.what, me.startedAt);
      return null;
    });
  }

  /** Gives the lock back, if `token` still holds it. */
  release(token: string): void {
    this.db.stmt('DELETE FROM library_lock WHERE token = ?').run(token);
  }

  holder(): LockHolder | null {
    return (
      (this.db.stmt('SELECT pid, host, token, what, started_at AS startedAt FROM library_lock WHERE id = 1').get() as
        LockHolder | undefined) ?? null
    );
  }
}

/**
 * Whether `holder` still runs its job. Another process of this machine: while the process lives. This process
 * (another thread whose job ended without giving the lock back, as when a job thread dies): not any more, since a
 * process runs one library job at a time (Library.exclusive). Another machine: for STALE_ELSEWHERE_MS.
 */
function live(holder: LockHolder, me: LockHolder, alive: (pid: number) => boolean): boolean {
  if (holder.host !== me.host) return Date.now() - Date.parse(holder.startedAt) < STALE_ELSEWHERE_MS;
  if (holder.pid === me.pid) return false;
  return alive(holder.pid);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

export function thisMachine(): string {
  return os.hostname();
}
