import { describe, expect, it } from 'vitest';
import { watchSentence } from './watch.js';

describe('a scan of watched folders, in words', () => {
  const at = new Date(2026, 11, 6, 16, 5);
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

  it('says when, which folder, and what changed (only what did)', () => {
    expect(
      watchSentence({ type: 'watch.scanned', folders: ['/p'], added: 2, updated: 0, removed: 1, failed: 0 }, at),
    ).toBe(`${time}: /p changed and was scanned again: 2 new, 1 removed.`);
    expect(
      watchSentence({ type: 'watch.scanned', folders: ['/p', '/q'], added: 0, updated: 0, removed: 0, failed: 0 }, at),
    ).toBe(`${time}: 2 folders changed and were scanned again: no photos changed.`);
  });

  it('says which folder cannot be watched, and why', () => {
    expect(watchSentence({ type: 'watch.unwatchable', folder: '/p', message: 'it is not there now' }, at)).toBe(
      `${time}: /p cannot be watched (it is not there now); scan it to find its changes.`,
    );
  });

  it('says why a scan could not be made', () => {
    expect(watchSentence({ type: 'watch.failed', folders: ['/p'], message: '/p does not exist.' }, at)).toBe(
      `${time}: /p changed, but could not be scanned again: /p does not exist.`,
    );
  });
});
