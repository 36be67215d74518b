/** What the views show of a long operation's progress (the scan, the duplicate search). */
import type { Progress } from '../../../../electron/api/contract.js';

const PHASE_LABELS: Record<Exclude<Progress['phase'], 'train'>, string> = {
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
  if (progress.phase === 'train')
    return `Training: epoch ${progress.epoch}${
      progress.mapValidation === null ? '' : `, photos kept aside ranked ${Math.round(progress.mapValidation * 100)} %`
    }`;
  return `${PHASE_LABELS[progress.phase]} ${progress.done} of ${progress.total}`;
}
