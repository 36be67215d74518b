import { describe, expect, it } from 'vitest';
import { progressFraction, progressText, RateEstimate, rateText, scanFraction } from './progress.js';

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

describe('a scan as one bar, with its speed and time left', () => {
  it('spans the phases without restarting the bar', () => {
    expect(scanFraction({ phase: 'scan', done: 50, total: 100, path: '/p' })).toBeCloseTo(0.05);
    expect(scanFraction({ phase: 'encode', done: 0, total: 100, path: '/p' })).toBeCloseTo(0.1);
    expect(scanFraction({ phase: 'encode', done: 100, total: 100, path: '/p' })).toBeCloseTo(0.95);
    expect(scanFraction({ phase: 'rehash', done: 10, total: 10 })).toBe(1);
  });

  it('tells the speed and time left once a second and three items have passed, per phase', () => {
    const rate = new RateEstimate();
    const encode = (done: number) => ({ phase: 'encode' as const, done, total: 1000, path: '/p' });
    expect(rate.update(encode(10), 0)).toBeNull();
    expect(rate.update(encode(12), 500)).toBeNull();
    const r = rate.update(encode(110), 2000)!;
    expect(r.perSecond).toBeCloseTo(50);
    expect(r.secondsLeft).toBeCloseTo(17.8);
    expect(rateText(r)).toBe('50 photos a second · about 18 s left');
    // A new phase starts its own count.
    expect(rate.update({ phase: 'rehash', done: 1, total: 10 }, 2100)).toBeNull();
    expect(rateText({ perSecond: 2.25, secondsLeft: 7200 }, 'codes')).toBe('2.3 codes a second · about 2.0 h left');
    expect(rateText({ perSecond: 40, secondsLeft: 150 })).toBe('40 photos a second · about 3 min left');
  });
});
