import { describe, expect, it } from 'vitest';
import { rangeChoice } from './selection.js';

describe('a shift-click range', () => {
  it('runs from the last click to this one, either way, both included', () => {
    expect(rangeChoice(3, 6)).toEqual([3, 4, 5, 6]);
    expect(rangeChoice(6, 3)).toEqual([3, 4, 5, 6]);
    expect(rangeChoice(2, 2)).toEqual([2]);
  });
});
