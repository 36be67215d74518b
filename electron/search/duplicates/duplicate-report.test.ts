import { describe, expect, it } from 'vitest';
import { concatCodes } from '../../../model/codes.js';
import { toDuplicateGroups } from './duplicate-report.js';
import type { KeepCandidate } from './keep.js';

const file = (id: number, width: number): KeepCandidate => ({
  id,
  path: `/p/${id}.jpg`,
  width,
  height: 100,
  bytes: 10,
  takenAt: null,
});

describe('toDuplicateGroups', () => {
  it('marks exactly one keeper per group, lists it first, and drops ids the catalog lost', () => {
    const files = new Map([1, 2, 3, 4].map((id) => [id, file(id, id * 100)]));
    const groups = toDuplicateGroups(
      [
        { kind: 'near', ids: [1, 2, 3], representativeId: 1, maxDistance: 3 },
        { kind: 'exact', ids: [4, 99], representativeId: 4, maxDistance: 0 },
      ],
      files,
    );
    expect(groups).toHaveLength(1);
    expect(groups[0].kind).toBe('near');
    expect(groups[0].maxDistance).toBe(3);
    expect(groups[0].files.map((f) => [f.path, f.keep])).toEqual([
      ['/p/3.jpg', true],
      ['/p/1.jpg', false],
      ['/p/2.jpg', false],
    ]);
  });
});

describe('concatCodes', () => {
  it('joins the codes of one query back to back', () => {
    expect(Array.from(concatCodes([new Uint32Array([1, 2]), new Uint32Array([3, 4])]))).toEqual([1, 2, 3, 4]);
  });
});
