import { afterEach, describe, expect, it } from 'vitest';
import { addStage, resetStages, stageTotals, timeStage, timeStageSync } from './stage-clock.js';

afterEach(resetStages);

describe('stage clock', () => {
  it('sums each stage’s time and count, also for work that fails', async () => {
    await timeStage('wait', () => new Promise((resolve) => setTimeout(resolve, 20)));
    await expect(timeStage('wait', () => Promise.reject(new Error('bad')))).rejects.toThrow('bad');
    expect(timeStageSync('sum', () => 2 + 2, 3)).toBe(4);
    addStage('made', 0, 5);
    const totals = stageTotals();
    expect(totals.wait.count).toBe(2);
    expect(totals.wait.ms).toBeGreaterThanOrEqual(15);
    expect(totals.sum.count).toBe(3);
    expect(totals.made).toEqual({ ms: 0, count: 5 });
    resetStages();
    expect(stageTotals()).toEqual({});
  });
});
