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
