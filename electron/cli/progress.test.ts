import { describe, expect, it } from 'vitest';
import type { Progress } from '../api/contract.js';
import { ProgressLog, progressText } from './progress.js';

describe('ProgressLog (progress written to a log, not a terminal)', () => {
  it('writes the first event of each phase, each finished phase (once), and otherwise one line a second', () => {
    const log = new ProgressLog(1000);
    const lines: string[] = [];
    const feed = (progress: Progress, now: number) => {
      const line = log.line(progress, now);
      if (line !== null) lines.push(line);
    };
    // 3,000 pixel checks reported every 8, over 3 s.
    for (let done = 0; done <= 3000; done += 8) feed({ phase: 'verify', done, total: 3000 }, done);
    feed({ phase: 'verify', done: 3000, total: 3000 }, 3001);
    feed({ phase: 'group', done: 0, total: 5 }, 3002);
    feed({ phase: 'group', done: 5, total: 5 }, 3003);
    expect(lines).toEqual([
      '[verify] 0/3000',
      '[verify] 1000/3000',
      '[verify] 2000/3000',
      '[verify] 3000/3000',
      '[group] 0/5',
      '[group] 5/5',
    ]);
  });

  it('writes each new training epoch, and steps within an epoch at most once a second', () => {
    const log = new ProgressLog(1000);
    const train = (epoch: number, step: number): Progress => ({
      phase: 'train',
      epoch,
      step,
      reward: 0.5,
      mapValidation: null,
    });
    expect(log.line(train(1, 1), 0)).toBe('[train] epoch 1 step 1 reward 0.5000');
    expect(log.line(train(1, 2), 10)).toBeNull();
    expect(log.line(train(2, 1), 20)).toBe('[train] epoch 2 step 1 reward 0.5000');
    expect(log.line(train(2, 2), 1500)).toBe('[train] epoch 2 step 2 reward 0.5000');
  });

  it('names the file a scan is at', () => {
    expect(progressText({ phase: 'encode', done: 2, total: 9, path: '/p/a.jpg' })).toBe('[encode] 2/9 /p/a.jpg');
  });
});
