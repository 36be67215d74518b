/**
 * Holding out part of each of the user's albums, to measure what a retrained similarity head does for photos it
 * was not trained on (MAP over held-out album members, before and after).
 */
import { createRandom, shuffleInPlace } from '../compute/rng.js';

/** Item indices of the two parts, each ascending. */
export interface AlbumSplit {
  train: number[];
  heldOut: number[];
}

/**
 * Holds out about `share` of each album's members: at least one of an album of two or more, never its last
 * member in training, so that every album is both learnt and measured. A photo in several albums is held out or
 * not as a whole; albums are served smallest first, so that a small album gets its share before a large one
 * takes photos it shares. `memberships[item]` lists the albums of each item (ids in any order).
 */
export function holdOutAlbums(memberships: readonly (readonly number[])[], share: number, seed: number): AlbumSplit {
  if (!(share > 0 && share < 1)) throw new RangeError(`the held-out share must lie between 0 and 1, not ${share}`);
  const members = new Map<number, number[]>();
  memberships.forEach((albums, item) => {
    for (const album of new Set(albums)) {
      const list = members.get(album) ?? [];
      list.push(item);
      members.set(album, list);
    }
  });
  const random = createRandom(seed);
  const albums = [...members.keys()].sort((a, b) => members.get(a)!.length - members.get(b)!.length || a - b);
  const heldOutOf = new Map<number, number>(albums.map((a) => [a, 0]));
  const heldOut = new Set<number>();
  for (const album of albums) {
    const list = members.get(album)!;
    if (list.length < 2) continue;
    const target = Math.max(1, Math.round(share * list.length));
    const candidates = [...list];
    shuffleInPlace(candidates, random);
    for (const item of candidates) {
      if (heldOutOf.get(album)! >= target) break;
      if (heldOut.has(item)) continue;
      // Every album of the photo keeps at least one member in training.
      const own = [...new Set(memberships[item])];
      if (own.some((a) => heldOutOf.get(a)! + 1 >= members.get(a)!.length)) continue;
      heldOut.add(item);
      for (const a of own) heldOutOf.set(a, heldOutOf.get(a)! + 1);
    }
  }
  const train: number[] = [];
  const out: number[] = [];
  memberships.forEach((_, item) => (heldOut.has(item) ? out : train).push(item));
  return { train, heldOut: out };
}
