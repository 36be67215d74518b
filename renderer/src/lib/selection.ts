/** The indices from `anchor` to `index`, both included, in either direction (a shift-click range). */
export function rangeChoice(anchor: number, index: number): number[] {
  const [from, to] = anchor <= index ? [anchor, index] : [index, anchor];
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}
