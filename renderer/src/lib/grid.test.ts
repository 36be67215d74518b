import { describe, expect, it } from 'vitest';
import { bandOf, gridWindow, indicesInBand } from './grid.js';

describe('the library grid window', () => {
  const sizes = { width: 960, height: 600, tile: 160, row: 190, around: 2 };

  it('puts only the rows in view, and two around them, in the page, however large the library', () => {
    const top = gridWindow({ ...sizes, total: 100_000, scrollTop: 0 });
    expect(top.columns).toBe(6);
    expect(top.rows).toBe(Math.ceil(100_000 / 6));
    expect(top.indices[0]).toBe(0);
    expect(top.indices.length).toBe(6 * 6); // rows 0..5: four in view (600 / 190) and two below
    const deep = gridWindow({ ...sizes, total: 100_000, scrollTop: 190 * 10_000 });
    expect(deep.indices[0]).toBe((10_000 - 2) * 6);
    expect(deep.indices.length).toBeLessThanOrEqual(8 * 6);
    expect(deep.indices.every((i, k) => k === 0 || i === deep.indices[k - 1]! + 1)).toBe(true);
  });

  it('stops at the last photo, and has one column at the least', () => {
    const end = gridWindow({ ...sizes, total: 20, scrollTop: 10_000 });
    expect(end.indices.at(-1)).toBe(19);
    expect(gridWindow({ ...sizes, width: 50, total: 3, scrollTop: 0 })).toEqual({
      columns: 1,
      rows: 3,
      indices: [0, 1, 2],
    });
    expect(gridWindow({ ...sizes, total: 0, scrollTop: 0 }).indices).toEqual([]);
  });
});

describe('a rubber-band choice in the grid', () => {
  const layout = { columns: 4, tile: 160, tileWidth: 150, row: 190, total: 10 };

  it('takes every tile the rectangle touches, whichever way it was dragged', () => {
    // From inside tile 1 down and left into tile 4 (row 1, column 0): columns 0–1 of rows 0–1.
    expect(indicesInBand(bandOf(200, 50, 20, 250), layout)).toEqual([0, 1, 4, 5]);
    expect(indicesInBand(bandOf(20, 250, 200, 50), layout)).toEqual([0, 1, 4, 5]);
  });

  it('leaves out a tile whose gap only the rectangle reaches, and stops at the last item', () => {
    // x 152–158 is the gap after tile 0: nothing there; the last row holds items 8 and 9 only.
    expect(indicesInBand(bandOf(152, 10, 158, 20), layout)).toEqual([]);
    expect(indicesInBand(bandOf(0, 400, 639, 560), layout)).toEqual([8, 9]);
    expect(indicesInBand(bandOf(0, 0, 10_000, 10_000), layout)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
