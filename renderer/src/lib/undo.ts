import { fileName } from './paths.js';

/** What an undo did, in a sentence (naming what it could not put back, and why). */
export function undoSentence(restored: number, notRestored: readonly { path: string; reason: string }[]): string {
  const back = `Put back ${restored} photo${restored === 1 ? '' : 's'}.`;
  if (!notRestored.length) return back;
  const named = notRestored
    .slice(0, 3)
    .map((f) => `${fileName(f.path)} (${f.reason})`)
    .join('; ');
  const more = notRestored.length > 3 ? ` and ${notRestored.length - 3} more` : '';
  return `${back} Could not put back ${notRestored.length}: ${named}${more}.`;
}
