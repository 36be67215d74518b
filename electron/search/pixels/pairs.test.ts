import { describe, expect, it } from 'vitest';
import { componentBatches, type PixelPair, TURN_SLACK, turnedWhereNearest, verdictKey } from './pairs.js';

describe('verdict keys', () => {
  it('are one per pair: the same either way round when upright, apart when turned or other photos', () => {
    const key = (id: number, orientation: number, other: number) => verdictKey({ id, orientation, other });
    expect(key(3, 1, 7)).toBe(key(7, 1, 3));
    expect(key(3, 9, 7)).toBe(key(3, 1, 7)); // the greyscale variant compares upright
    expect(key(3, 6, 7)).not.toBe(key(7, 6, 3)); // a turned photo comes first
    expect(key(3, 6, 7)).not.toBe(key(3, 1, 7));
    const keys = new Set<number | string>();
    for (let a = 0; a < 40; a++) for (let b = a + 1; b < 40; b++) for (const o of [1, 2, 6, 8]) keys.add(key(a, o, b));
    expect(keys.size).toBe(((40 * 39) / 2) * 4);
  });

  it('are numbers for ids below 2^24 (less memory for millions of pairs) and strings past them', () => {
    expect(typeof verdictKey({ id: 2 ** 24 - 1, orientation: 8, other: 2 ** 24 - 2 })).toBe('number');
    expect(Number.isSafeInteger(verdictKey({ id: 2 ** 24 - 1, orientation: 8, other: 2 ** 24 - 2 }))).toBe(true);
    expect(verdictKey({ id: 2 ** 24, orientation: 1, other: 5 })).toBe(
      verdictKey({ id: 5, orientation: 1, other: 2 ** 24 }),
    );
    expect(typeof verdictKey({ id: 2 ** 24, orientation: 1, other: 5 })).toBe('string');
  });
});

describe('turned pairs to compare', () => {
  it("keeps every upright pair, and a turned one within TURN_SLACK bits of its two photos' nearest pair", () => {
    const pairs = [
      { id: 1, orientation: 1, other: 2, rank: 6 },
      { id: 2, orientation: 9, other: 1, rank: 4 }, // the greyscale variant, the other way round: nearest
      { id: 1, orientation: 6, other: 2, rank: 4 + TURN_SLACK },
      { id: 2, orientation: 2, other: 1, rank: 4 + TURN_SLACK + 1 },
      { id: 3, orientation: 8, other: 1, rank: 9 }, // the only pair of its two photos
      { id: 3, orientation: 6, other: 1, rank: 12 },
    ];
    expect(turnedWhereNearest(pairs)).toEqual([pairs[0], pairs[1], pairs[2], pairs[4]]);
    // The nearest is taken over `all`: here the upright pair of 3 and 1 lies nearer than either turn.
    expect(turnedWhereNearest(pairs.slice(4), [...pairs, { id: 1, orientation: 1, other: 3, rank: 2 }])).toEqual([]);
  });
});

describe('componentBatches', () => {
  const pair = (id: number, other: number, rank = 0): PixelPair => ({ id, orientation: 1, other, rank });

  it('keeps each component whole, fills batches up to the photo limit, and keeps the pairs in order', () => {
    // Components {1,2,3} (three photos), {10,11} (two), {20,21,22,23,24} (five), {30,31} (two), linked out of order.
    const pairs = [
      pair(2, 3),
      pair(20, 21),
      pair(10, 11, 1),
      pair(1, 2, 1),
      pair(22, 23),
      pair(30, 31),
      pair(24, 20, 2),
    ];
    pairs.push(pair(21, 22, 3), pair(3, 1, 4));
    const batches = componentBatches(pairs, 5);
    const ids = (batch: PixelPair[]) => [...new Set(batch.flatMap((p) => [p.id, p.other]))].sort((a, b) => a - b);
    expect(batches.map(ids)).toEqual([
      [1, 2, 3, 10, 11], // 3 + 2 photos
      [20, 21, 22, 23, 24], // a batch of its own at the limit
      [30, 31],
    ]);
    // Every pair once, each batch in the order the pairs came.
    expect(batches.flat().length).toBe(pairs.length);
    for (const batch of batches) expect(batch).toEqual(pairs.filter((p) => batch.includes(p)));
    // A component larger than the limit is still whole.
    expect(componentBatches(pairs, 2).map(ids)).toEqual([
      [1, 2, 3],
      [10, 11],
      [20, 21, 22, 23, 24],
      [30, 31],
    ]);
  });
});
