/** What the views show of a long operation's progress (the scan, the duplicate search). */
import type { Progress } from '../../../../electron/api/contract.js';

const PHASE_LABELS: Record<Exclude<Progress['phase'], 'train' | 'wait'>, string> = {
  scan: 'Looking at',
  encode: 'Analysing',
  group: 'Grouping',
  verify: 'Comparing pixels of candidate pairs:',
  rehash: 'Updating similarity codes:',
};

/** Share of the current phase done, 0..1 (0 when unknown). */
export function progressFraction(progress: Progress | null): number {
  if (!progress || progress.phase === 'train' || progress.total === 0) return 0;
  return Math.min(1, progress.done / progress.total);
}

/** One line for the current phase, e.g. "Comparing pixels of candidate pairs: 120 of 2826". */
export function progressText(progress: Progress | null): string | null {
  if (!progress) return null;
  if (progress.phase === 'wait') return progress.message;
  if (progress.phase === 'train')
    return `Training: epoch ${progress.epoch}${
      progress.mapValidation === null ? '' : `, photos kept aside ranked ${Math.round(progress.mapValidation * 100)} %`
    }`;
  return `${PHASE_LABELS[progress.phase]} ${progress.done} of ${progress.total}`;
}

/** Where each scan phase lies on the scan's one bar: listing files, analysing them, updating similarity codes. */
const SCAN_SPAN: Partial<Record<Progress['phase'], [number, number]>> = {
  scan: [0, 0.1],
  encode: [0.1, 0.95],
  rehash: [0.95, 1],
};

/** The share of a whole scan done, 0..1, across its phases (one bar that does not restart per phase). */
export function scanFraction(progress: Progress | null): number {
  if (!progress || progress.phase === 'train') return 0;
  const span = SCAN_SPAN[progress.phase];
  if (!span) return progressFraction(progress);
  return span[0] + (span[1] - span[0]) * progressFraction(progress);
}

/** How fast a phase goes and how long it has left, from its progress events. */
export class RateEstimate {
  private phase: string | null = null;
  private start = { at: 0, done: 0 };

  /** Takes an event (at `nowMs`); returns items a second and seconds left, once a second and 3 items have passed. */
  update(progress: Progress | null, nowMs: number): { perSecond: number; secondsLeft: number } | null {
    if (!progress || progress.phase === 'train') return null;
    if (progress.phase !== this.phase || progress.done < this.start.done) {
      this.phase = progress.phase;
      this.start = { at: nowMs, done: progress.done };
      return null;
    }
    const seconds = (nowMs - this.start.at) / 1000;
    const items = progress.done - this.start.done;
    if (seconds < 1 || items < 3) return null;
    const perSecond = items / seconds;
    return { perSecond, secondsLeft: Math.max(0, (progress.total - progress.done) / perSecond) };
  }
}

/** "48 photos a second · about 29 s left" (rounded as a person reads it), `items` naming what is counted. */
export function rateText(rate: { perSecond: number; secondsLeft: number } | null, items = 'photos'): string | null {
  if (!rate) return null;
  const left = rate.secondsLeft;
  const when =
    left < 60
      ? `${Math.max(1, Math.round(left))} s`
      : left < 3600
        ? `${Math.round(left / 60)} min`
        : `${(left / 3600).toFixed(1)} h`;
  const speed = rate.perSecond >= 10 ? Math.round(rate.perSecond) : rate.perSecond.toFixed(1);
  return `${speed} ${items} a second · about ${when} left`;
}
