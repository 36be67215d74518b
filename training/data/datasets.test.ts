import { describe, expect, it } from 'vitest';
import { concatLabelled, paperSplit, paperSplitRows, perClassRows, type LabelledSet } from './datasets.js';

const set = (labels: number[], dim = 2, base = 0): LabelledSet => ({
  features: Float32Array.from({ length: labels.length * dim }, (_, i) => base + i),
  dim,
  count: labels.length,
  labels: Int32Array.from(labels),
});

describe('perClassRows', () => {
  const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 0, 9];
  it('takes that many rows of each class below the end, sorted, reproducibly', () => {
    const rows = perClassRows(set(labels), 12, 2, 1);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(rows.every((r) => r < 12)).toBe(true);
    const counts = new Map<number, number>();
    for (const r of rows) counts.set(labels[r]!, (counts.get(labels[r]!) ?? 0) + 1);
    expect([...counts.entries()].sort()).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    expect(perClassRows(set(labels), 12, 2, 1)).toEqual(rows);
  });

  it('draws different rows for another seed and stops at what a class has', () => {
    const draws = new Set([1, 2, 3, 4, 5].map((seed) => perClassRows(set(labels), 12, 2, seed).join()));
    expect(draws.size).toBeGreaterThan(1);
    expect(perClassRows(set(labels), labels.length, 10, 1)).toEqual(labels.map((_, i) => i));
  });
});

describe('concatLabelled', () => {
  it('stacks rows and numbers each set’s classes after the previous ones', () => {
    const a = set([0, 2, 1]);
    const b = set([1, 0], 2, 100);
    const joined = concatLabelled([a, b]);
    expect(joined.count).toBe(5);
    expect(Array.from(joined.labels)).toEqual([0, 2, 1, 4, 3]);
    expect(Array.from(joined.features)).toEqual([0, 1, 2, 3, 4, 5, 100, 101, 102, 103]);
  });

  it('refuses rows of another width', () => {
    expect(() => concatLabelled([set([0]), set([0], 3)])).toThrow(/3-d rows to 2-d rows/);
  });
});

describe('paperSplit', () => {
  // Three classes of 6 items each.
  const labels = Array.from({ length: 18 }, (_, i) => i % 3);
  const protocol = { queriesPerClass: 1, trainPerClass: 2, databaseIncludesTrain: false };

  it('draws queries and training items per class, and paperSplitRows names the rows it took', () => {
    const rows = paperSplitRows(labels, protocol, 4);
    expect(rows.queries).toHaveLength(3);
    expect(rows.train).toHaveLength(6);
    expect(rows.database).toHaveLength(9);
    expect(new Set([...rows.queries, ...rows.train, ...rows.database]).size).toBe(18);
    for (const c of [0, 1, 2]) expect(rows.train.filter((r) => labels[r] === c)).toHaveLength(2);
    const split = paperSplit(set(labels, 1), protocol, 4);
    // set() makes row r's one feature equal to r.
    expect(Array.from(split.train.features)).toEqual(rows.train);
    expect(Array.from(split.queries.features)).toEqual(rows.queries);
    expect(Array.from(split.database.features)).toEqual(rows.database);
    expect(split.rows).toEqual(rows);
  });

  it('keeps the training items in the database when the protocol says so, and refuses classes too small', () => {
    const rows = paperSplitRows(labels, { ...protocol, databaseIncludesTrain: true }, 4);
    expect(rows.database).toHaveLength(15);
    expect(rows.train.every((r) => rows.database.includes(r))).toBe(true);
    expect(() => paperSplitRows(labels, { ...protocol, trainPerClass: 6 }, 4)).toThrow(/needs 7/);
  });
});
