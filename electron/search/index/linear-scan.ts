/**
 * Linear-scan answers from a full distance array (the WebAssembly kernel's output): the fallback the
 * index uses when probing tables would cost more than reading every code.
 */
import type { Neighbor } from './hamming-index-internals.js';

export function byDistanceThenId(a: Neighbor, b: Neighbor): number {
  return a.distance - b.distance || a.id - b.id;
}

/** Live slots with distance <= r, sorted. */
export function radiusFromDistances(
  distances: Uint8Array,
  alive: Uint8Array,
  slotIds: Float64Array,
  r: number,
): Neighbor[] {
  const hits: Neighbor[] = [];
  for (let slot = 0; slot < distances.length; slot++) {
    if (distances[slot] <= r && alive[slot]) hits.push({ id: slotIds[slot], distance: distances[slot] });
  }
  return hits.sort(byDistanceThenId);
}

/** The k nearest live slots: a histogram finds the cutoff distance, so only that many are sorted. */
export function knnFromDistances(
  distances: Uint8Array,
  alive: Uint8Array,
  slotIds: Float64Array,
  k: number,
  bits: number,
): Neighbor[] {
  const histogram = new Uint32Array(bits + 1);
  for (let slot = 0; slot < distances.length; slot++) histogram[distances[slot]] += alive[slot];
  const cutoff = kthDistance(histogram, k);
  return radiusFromDistances(distances, alive, slotIds, cutoff).slice(0, k);
}

/** Smallest d with at least k counts at distances <= d (the last bucket when there are fewer). */
export function kthDistance(histogram: Uint32Array, k: number): number {
  let seen = 0;
  for (let d = 0; d < histogram.length; d++) {
    seen += histogram[d];
    if (seen >= k) return d;
  }
  return histogram.length - 1;
}

/** The live slots among `indices` as neighbours, sorted. */
export function liveNeighbors(
  indices: Uint32Array,
  distances: Uint8Array,
  alive: Uint8Array,
  slotIds: Float64Array,
): Neighbor[] {
  const hits: Neighbor[] = [];
  for (let i = 0; i < indices.length; i++) {
    const slot = indices[i];
    if (alive[slot]) hits.push({ id: slotIds[slot], distance: distances[slot] });
  }
  return hits.sort(byDistanceThenId);
}
