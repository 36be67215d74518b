import type { Events } from '../../../electron/api/contract.js';

/** A scan of watched folders in a sentence: when, and what it found. */
export function watchSentence(
  event: Extract<Events, { type: 'watch.scanned' | 'watch.failed' | 'watch.unwatchable' }>,
  at: Date = new Date(),
): string {
  const when = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (event.type === 'watch.unwatchable')
    return `${when}: ${event.folder} cannot be watched (${event.message}); scan it to find its changes.`;
  const folders = event.folders.length === 1 ? event.folders[0] : `${event.folders.length} folders`;
  if (event.type === 'watch.failed')
    return `${when}: ${folders} changed, but could not be scanned again: ${event.message}`;
  const parts = [
    event.added && `${event.added} new`,
    event.updated && `${event.updated} changed`,
    event.removed && `${event.removed} removed`,
    event.failed && `${event.failed} could not be read`,
  ].filter(Boolean);
  return `${when}: ${folders} changed and ${event.folders.length === 1 ? 'was' : 'were'} scanned again: ${parts.length ? parts.join(', ') : 'no photos changed'}.`;
}
