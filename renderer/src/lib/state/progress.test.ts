import { describe, expect, it } from 'vitest';
import { progressFraction, progressText } from './progress.js';

describe('progress display', () => {
  it('gives the share of the phase done and a line naming it', () => {
    const verify = { phase: 'verify', done: 120, total: 480 } as const;
    expect(progressFraction(verify)).toBe(0.25);
    expect(progressText(verify)).toBe('Comparing pixels of candidate pairs: 120 of 480');
    expect(progressText({ phase: 'encode', done: 3, total: 9, path: '/p/a.jpg' })).toBe('Analysing 3 of 9');
  });

  it('shows nothing before the first event, and no share for a phase of unknown length or training', () => {
    expect(progressFraction(null)).toBe(0);
    expect(progressText(null)).toBeNull();
    expect(progressFraction({ phase: 'group', done: 0, total: 0 })).toBe(0);
    expect(progressFraction({ phase: 'train', epoch: 2, step: 5, reward: 0.5, mapValidation: null })).toBe(0);
    expect(progressText({ phase: 'train', epoch: 2, step: 5, reward: 0.5, mapValidation: null })).toBe(
      'Training: epoch 2',
    );
    expect(progressText({ phase: 'train', epoch: 3, step: 9, reward: 0.5, mapValidation: 0.734 })).toBe(
      'Training: epoch 3, photos kept aside ranked 73 %',
    );
  });
});
