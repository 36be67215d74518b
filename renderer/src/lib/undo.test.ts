import { describe, expect, it } from 'vitest';
import { undoSentence } from './undo.js';

describe('what an undo did, in words', () => {
  it('counts what came back, and names up to three that did not with the reason', () => {
    expect(undoSentence(1, [])).toBe('Put back 1 photo.');
    expect(undoSentence(3, [])).toBe('Put back 3 photos.');
    const blocked = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        path: `/home/ann/Pictures/IMG_${i}.jpg`,
        reason: 'another file is at its place now',
      }));
    expect(undoSentence(0, blocked(1))).toBe(
      'Put back 0 photos. Could not put back 1: IMG_0.jpg (another file is at its place now).',
    );
    expect(undoSentence(2, blocked(5))).toMatch(
      /^Put back 2 photos\. Could not put back 5: IMG_0\.jpg .*IMG_2\.jpg \(another file is at its place now\) and 2 more\.$/,
    );
  });
});
