/**
 * How the CLI shows progress. On a terminal, one line redrawn in place. Elsewhere (a pipe, a log file, CI),
 * every event as its own line would flood the log (a scan of 10,000 photos, thousands of pixel checks), so a line
 * is written when the phase changes, when a phase finishes, and otherwise at most once per `intervalMs`.
 */
import type { Progress } from '../api/contract.js';

export function progressText(progress: Progress): string {
  if (progress.phase === 'wait') return `[wait] ${progress.message}`;
  const body =
    progress.phase === 'train'
      ? `epoch ${progress.epoch} step ${progress.step} reward ${progress.reward.toFixed(4)}${
          progress.mapValidation === null ? '' : ` held-out MAP ${progress.mapValidation.toFixed(3)}`
        }`
      : `${progress.done}/${progress.total}${'path' in progress ? ` ${progress.path}` : ''}`;
  return `[${progress.phase}] ${body}`;
}

/** Decides which progress events a log (not a terminal) gets a line for. */
export class ProgressLog {
  private phase: string | null = null;
  private epoch = -1;
  private lastAt = -Infinity;
  private lastLine = '';

  constructor(private readonly intervalMs = 1000) {}

  /** The line to write for `progress` at time `now` (ms), or null to skip it. */
  line(progress: Progress, now: number): string | null {
    const first = progress.phase !== this.phase;
    const finished = progress.phase === 'train' ? progress.epoch !== this.epoch : progress.done >= progress.total;
    if (!first && !finished && now - this.lastAt < this.intervalMs) return null;
    const line = progressText(progress);
    if (line === this.lastLine) return null; // a phase reported finished twice
    this.phase = progress.phase;
    if (progress.phase === 'train') this.epoch = progress.epoch;
    this.lastAt = now;
    this.lastLine = line;
    return line;
  }
}
