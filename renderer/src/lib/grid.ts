/**
 * Which items of a grid are in view (plus `around` rows above and below): a library of 100,000 photos puts a few
 * dozen tiles in the page, not 100,000.
 */
export function gridWindow(options: {
  total: number;
  width: number;
  height: number;
  scrollTop: number;
  tile: number;
  row: number;
  around: number;
}): { columns: number; rows: number; indices: number[] } {
  const { total, width, height, scrollTop, tile, row, around } = options;
  const columns = Math.max(1, Math.floor(width / tile));
  const rows = Math.ceil(total / columns);
  // Scrolled past the end (the library shrank, another order): the last screenful.
  const top = Math.min(scrollTop, Math.max(0, rows * row - height));
  const first = Math.max(0, Math.floor(top / row) - around);
  const last = Math.min(rows - 1, Math.floor((top + height - 1) / row) + around);
  const indices: number[] = [];
  for (let r = first; r <= last; r++) {
    for (let c = 0; c < columns; c++) {
      const i = r * columns + c;
      if (i < total) indices.push(i);
    }
  }
  return { columns, rows, indices };
}

/** A rectangle in the grid's own coordinates (px from its top-left, scrolled content included). */
export interface Band {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The rectangle a drag from (x0, y0) to (x1, y1) spans, whichever way it went. */
export function bandOf(x0: number, y0: number, x1: number, y1: number): Band {
  return { left: Math.min(x0, x1), top: Math.min(y0, y1), right: Math.max(x0, x1), bottom: Math.max(y0, y1) };
}

/**
 * The items whose tiles a dragged rectangle touches (a rubber-band choice), in order. Tile i sits at column
 * i mod columns and row ⌊i / columns⌋, `tileWidth` wide (the rest of its `tile` cell is gap) and `row` high.
 */
export function indicesInBand(
  band: Band,
  layout: { columns: number; tile: number; tileWidth: number; row: number; total: number },
): number[] {
  const { columns, tile, tileWidth, row, total } = layout;
  const rows = Math.ceil(total / columns);
  const firstRow = Math.max(0, Math.floor(band.top / row));
  const lastRow = Math.min(rows - 1, Math.floor(band.bottom / row));
  const out: number[] = [];
  for (let r = firstRow; r <= lastRow; r++) {
    for (let c = 0; c < columns; c++) {
      const i = r * columns + c;
      if (i >= total) break;
      const left = c * tile;
      if (band.right >= left && band.left <= left + tileWidth) out.push(i);
    }
  }
  return out;
}
