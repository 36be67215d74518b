/**
 * Duplicate groups: exact duplicates (equal content hash) merged with near duplicates found by an
 * all-pairs self-join of the duplicate-code index (never N² comparisons).
 *
 * Connected components alone would chain: A~B and B~C put A and C together even when they are far
 * apart, and a long chain can swallow unrelated photos. So groups are stars instead: every member is
 * within r of the group's representative (hence any two members are within 2r). Leader clustering:
 * photos are taken in order of how many neighbours they have (ties by smaller id); an unassigned
 * photo becomes a representative and takes its unassigned neighbours. A photo left alone whose
 * neighbours were all taken joins the nearest representative within r, if any.
 * A star whose members fall into two or more families with no edge between them (a crop of the part two
 * different pictures share matches both) keeps one family; the others are grouped on their own. Last, two
 * stars with at least half of their member pairs linked are merged (one picture's copies split between two
 * leaders), and a photo left alone joins a group it is linked to more than half of; so a group is a star, or a
 * union of densely linked stars.
 * Exact-duplicate classes move as one unit and are never split.
 *
 * Verification: with `verify`, a candidate pair from the self-join is an edge only if `verify` accepts it
 * (the duplicate embeddings' cosine, model/embedding.ts), and a lone photo joins a representative
 * only if that pair passes too; so groups are built from verified pairs alone. Exact classes need no check.
 */
import { hammingDistance } from '../../../model/codes.js';
import type { HammingIndex } from '../index/hamming-index.js';
import { forEachSlotPairWithin } from '../index/self-join.js';

export interface PhotoGroup {
  /** `exact` when every member has the same content hash; `near` otherwise. */
  kind: 'exact' | 'near';
  /** Member ids, representative first, then ascending. */
  ids: number[];
  representativeId: number;
  /** Largest Hamming distance between two members' codes (0 for exact groups and members without codes). */
  maxDistance: number;
}

export interface DuplicateGroupOptions {
  /** Near-duplicate radius; null finds exact (content-hash) groups only. */
  radius: number | null;
  /** Ids that share a content hash, one array per hash (singletons are ignored). */
  exactClasses?: readonly (readonly number[])[];
  /**
   * The self-join's pairs (ids within the radius), when the caller already ran it (the pixel check collects
   * them first): no self-join is run again. They still pass through `verify`.
   */
  selfJoinPairs?: Iterable<readonly [number, number]>;
  /**
   * Further near pairs found outside the self-join (e.g. a photo's rotated or mirrored code within r of another
   * photo's code), each `turned` (one photo turned or mirrored against the other) unless told `upright` (a greyscale
   * or trimmed variant's pair). Pairs naming an id the index does not hold are ignored.
   */
  extraPairs?: Iterable<readonly [number, number, ('upright' | 'turned')?]>;
  /**
   * Whether a pair of ids within the radius is a duplicate (default: every one). `extraPairs` are not passed
   * to it: whoever finds them verifies them (a variant pair is checked with the variant's embedding).
   */
  verify?: (idA: number, idB: number) => boolean;
  /**
   * Pairs never put in one group, whatever links them through others (the user's "not duplicates", two shots of a
   * burst: electron/search/duplicates/capture-time.ts). They are no edge (the caller's `verify` says so); here a
   * star takes its nearest neighbours first and leaves out one that is apart from a member it holds, a lone photo
   * joins no group, and two stars merge into none, that holds a photo apart from it.
   */
  apart?: (idA: number, idB: number) => boolean;
  /**
   * Whether two photos were compared upright, pixel by pixel, and found two pictures (electron/search/pixels/
   * pixel-check.ts; false where unknown). A star never holds two such photos that both are linked to its leader
   * upright (so the verdict was made in the orientation they lie in the group), and a lone photo joins no group that
   * holds one upright; so a photo that matches two different pictures (a copy too small or too soft to show how they
   * differ, a crop of the part they share) does not bring them together. Photos linked by a turn are not
   * concerned: their upright verdict says nothing.
   */
  twoPictures?: (idA: number, idB: number) => boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Nodes are the index's slots, then one extra node per exact-duplicate id that has no code (not encoded
 * yet). Exact classes are merged into units by union-find; near pairs become edges between units.
 */
export function findDuplicateGroups(index: HammingIndex, options: DuplicateGroupOptions): PhotoGroup[] {
  const internals = index.internals();
  const { codes, slotIds, slotCount, wordsPerCode: wpc } = internals;
  const classes = (options.exactClasses ?? []).map((cls) => [...new Set(cls)]).filter((cls) => cls.length > 1);
  const extraIds: number[] = [];
  const seen = new Set<number>();
  const classNodes = classes.map((cls) =>
    cls.map((id) => {
      if (seen.has(id)) throw new RangeError(`Id ${id} is in two content-hash classes`);
      seen.add(id);
      const slot = internals.slotOf(id);
      if (slot >= 0) return slot;
      extraIds.push(id);
      return slotCount + extraIds.length - 1;
    }),
  );
  const nodeCount = slotCount + extraIds.length;
  const idOf = (node: number) => (node < slotCount ? slotIds[node] : extraIds[node - slotCount]);

  // Units: every node is its own unit except exact-class members, whose unit is the class's first node.
  const unitOf = new Int32Array(nodeCount);
  for (let n = 0; n < nodeCount; n++) unitOf[n] = n;
  const classOfUnit = new Map<number, number[]>();
  for (const nodes of classNodes) {
    for (const n of nodes) unitOf[n] = nodes[0];
    classOfUnit.set(nodes[0], nodes);
  }

  // Edges between units from the self-join (both directions), then CSR adjacency.
  const extraPairs = [...(options.extraPairs ?? [])];
  const turnedLinks = new Set<number>();
  let edges = new Uint32Array(1024);
  let edgeCount = 0;
  if (options.radius !== null) {
    const addEdge = (a: number, b: number) => {
      const ua = unitOf[a];
      const ub = unitOf[b];
      if (ua === ub) return;
      if (edgeCount + 2 > edges.length / 2) {
        const grown = new Uint32Array(edges.length * 2);
        grown.set(edges);
        edges = grown;
      }
      edges[2 * edgeCount] = ua;
      edges[2 * edgeCount + 1] = ub;
      edges[2 * edgeCount + 2] = ub;
      edges[2 * edgeCount + 3] = ua;
      edgeCount += 2;
    };
    const verify = options.verify;
    // Links made only by a turned pair (with `twoPictures`: an upright verdict says nothing about them).
    if (options.twoPictures) {
      const upright = new Set<number>();
      for (const [idA, idB, how] of extraPairs) {
        const [a, b] = [internals.slotOf(idA), internals.slotOf(idB)];
        if (a < 0 || b < 0 || unitOf[a] === unitOf[b]) continue;
        (how === 'upright' ? upright : turnedLinks).add(unitPairKey(unitOf[a], unitOf[b], nodeCount));
      }
      for (const key of upright) turnedLinks.delete(key);
    }
    const addCandidate = (a: number, b: number) => {
      if (unitOf[a] !== unitOf[b] && (!verify || verify(slotIds[a], slotIds[b]))) {
        addEdge(a, b);
        // Found upright too: linked upright.
        if (turnedLinks.size) turnedLinks.delete(unitPairKey(unitOf[a], unitOf[b], nodeCount));
      }
    };
    if (options.selfJoinPairs) {
      for (const [idA, idB] of options.selfJoinPairs) {
        const a = internals.slotOf(idA);
        const b = internals.slotOf(idB);
        if (a >= 0 && b >= 0 && a !== b) addCandidate(a, b);
      }
    } else {
      forEachSlotPairWithin(internals, Math.min(options.radius, internals.bits), addCandidate, options);
    }
    for (const [idA, idB] of extraPairs) {
      const a = internals.slotOf(idA);
      const b = internals.slotOf(idB);
      if (a >= 0 && b >= 0 && a !== b) addEdge(a, b);
    }
  }
  const offsets = new Uint32Array(nodeCount + 1);
  for (let e = 0; e < edgeCount; e++) offsets[edges[2 * e] + 1]++;
  for (let u = 1; u <= nodeCount; u++) offsets[u] += offsets[u - 1];
  const neighbours = new Uint32Array(edgeCount);
  const cursor = offsets.slice(0, nodeCount);
  for (let e = 0; e < edgeCount; e++) neighbours[cursor[edges[2 * e]]++] = edges[2 * e + 1];
  const degree = (u: number) => offsets[u + 1] - offsets[u];

  // Units worth grouping: those with a neighbour, and exact classes. Representative id = smallest member id.
  const repId = (u: number) => {
    const nodes = classOfUnit.get(u);
    return nodes ? Math.min(...nodes.map(idOf)) : idOf(u);
  };
  const candidates: number[] = [...classOfUnit.keys()];
  for (let u = 0; u < slotCount; u++) if (unitOf[u] === u && degree(u) > 0 && !classOfUnit.has(u)) candidates.push(u);
  const unitRepId = new Map<number, number>();
  for (const u of candidates) unitRepId.set(u, repId(u));
  candidates.sort((a, b) => degree(b) - degree(a) || unitRepId.get(a)! - unitRepId.get(b)!);

  const codeSlot = (u: number) => (u < slotCount ? u : (classOfUnit.get(u)?.find((n) => n < slotCount) ?? -1));
  const codeDistance = (a: number, b: number) => {
    const sa = codeSlot(a);
    const sb = codeSlot(b);
    return sa < 0 || sb < 0 ? Infinity : hammingDistance(codes, codes, wpc, sa * wpc, sb * wpc);
  };

  // Leader clustering; a star that bridges families keeps one of them (see oneFamily).
  const leaderOf = new Int32Array(nodeCount).fill(-1);
  const offeredBy = new Int32Array(nodeCount).fill(-1);
  const root = new Int32Array(nodeCount);
  const findRoot = (v: number): number => {
    while (root[v] !== v) v = root[v] = root[root[v]];
    return v;
  };
  /**
   * The members a leader keeps. Its neighbours' own edges among themselves split them into families; two
   * families of two or more with no edge between them are two different pictures that the leader (often a
   * crop of the part they share) happens to match both. The leader keeps the family nearest to it (smallest
   * mean code distance; then the larger; then the smaller representative id) and the neighbours that match
   * only it; the other families go back to be grouped on their own later.
   */
  const oneFamily = (leader: number, taken: number[]): number[] => {
    if (taken.length < 4) return taken;
    for (const v of taken) {
      offeredBy[v] = leader;
      root[v] = v;
    }
    for (const v of taken)
      for (let i = offsets[v]; i < offsets[v + 1]; i++) {
        const w = neighbours[i];
        if (offeredBy[w] !== leader) continue;
        const a = findRoot(v);
        const b = findRoot(w);
        if (a !== b) root[Math.max(a, b)] = Math.min(a, b);
      }
    const families = new Map<number, number[]>();
    for (const v of taken) {
      const r = findRoot(v);
      const family = families.get(r);
      if (family) family.push(v);
      else families.set(r, [v]);
    }
    const plural = [...families.values()].filter((f) => f.length > 1);
    if (plural.length < 2) return taken;
    const meanDistance = (family: number[]) => {
      const finite = family.map((v) => codeDistance(leader, v)).filter(Number.isFinite);
      return finite.length ? finite.reduce((sum, d) => sum + d, 0) / finite.length : Infinity;
    };
    const firstId = (family: number[]) => Math.min(...family.map((v) => unitRepId.get(v) ?? idOf(v)));
    const ranked = plural
      .map((family) => ({ family, distance: meanDistance(family), size: family.length, first: firstId(family) }))
      .sort((a, b) => a.distance - b.distance || b.size - a.size || a.first - b.first);
    for (const { family } of ranked.slice(1)) for (const v of family) leaderOf[v] = -1;
    return taken.filter((v) => leaderOf[v] === leader);
  };
  const apart = options.apart;
  /** Whether a unit is apart from any of `units` (an exact class's members share a content, so one id stands). */
  const idOfUnit = (v: number) => unitRepId.get(v) ?? idOf(v);
  const apartFromAny = (v: number, units: readonly number[]) =>
    !!apart && units.some((w) => apart(idOfUnit(v), idOfUnit(w)));
  const twoPictures = options.twoPictures;
  const linkedUpright = (leader: number, v: number) =>
    v === leader || !turnedLinks.has(unitPairKey(leader, v, nodeCount));
  /**
   * Whether unit `v`, linked upright to a star, was found another picture than one of the star's members linked
   * upright to their leader (`leaderOf`: until stars merge, each member's is its star's).
   */
  const twoPicturesWithAny = (v: number, units: readonly number[]) =>
    !!twoPictures && units.some((w) => linkedUpright(leaderOf[w], w) && twoPictures(idOfUnit(v), idOfUnit(w)));
  const groupsByLeader = new Map<number, number[]>();
  for (const u of candidates) {
    if (leaderOf[u] >= 0) continue;
    leaderOf[u] = u;
    const taken: number[] = [];
    const free: number[] = [];
    for (let i = offsets[u]; i < offsets[u + 1]; i++) if (leaderOf[neighbours[i]] < 0) free.push(neighbours[i]);
    // Nearest first where some pairs must stay apart (the star keeps the shot, or the picture, nearest its leader).
    if (apart || twoPictures) free.sort((a, b) => codeDistance(u, a) - codeDistance(u, b) || a - b);
    const held = [u]; // the star's members so far, leader included
    for (const v of free) {
      if (leaderOf[v] >= 0 || apartFromAny(v, held)) continue;
      if (linkedUpright(u, v) && twoPicturesWithAny(v, held)) continue;
      leaderOf[v] = u;
      taken.push(v);
      held.push(v);
    }
    groupsByLeader.set(u, [u, ...oneFamily(u, taken)]);
  }

  // A unit left alone although it had neighbours joins the nearest representative within r, if any.
  const unitDistance = (a: number, b: number) => {
    const sa = codeSlot(a);
    const sb = codeSlot(b);
    if (sa < 0 || sb < 0) return Infinity;
    if (options.verify && !options.verify(slotIds[sa], slotIds[sb])) return Infinity;
    return codeDistance(a, b);
  };
  if (options.radius !== null) {
    for (const [leader, members] of groupsByLeader) {
      if (members.length > 1 || degree(leader) === 0) continue;
      let best = -1;
      let bestDistance = Infinity;
      for (let i = offsets[leader]; i < offsets[leader + 1]; i++) {
        const other = leaderOf[neighbours[i]];
        if ((groupsByLeader.get(other)?.length ?? 0) < 2) continue;
        if (apartFromAny(leader, groupsByLeader.get(other)!)) continue;
        // (`unitDistance` below asks for the pair's upright verdict: the photo joins upright.)
        if (twoPicturesWithAny(leader, groupsByLeader.get(other)!)) continue;
        const d = unitDistance(leader, other);
        if (d > options.radius) continue;
        if (d < bestDistance || (d === bestDistance && unitRepId.get(other)! < unitRepId.get(best)!)) {
          best = other;
          bestDistance = d;
        }
      }
      if (best >= 0) {
        groupsByLeader.get(best)!.push(leader);
        groupsByLeader.delete(leader);
        leaderOf[leader] = best;
      }
    }
    mergeDenseStars(groupsByLeader, leaderOf, offsets, neighbours, unitRepId, (a, b) =>
      a.some((v) => apartFromAny(v, b)),
    );
  }

  const groups: PhotoGroup[] = [];
  for (const [leader, memberUnits] of groupsByLeader) {
    const nodes = memberUnits.flatMap((u) => classOfUnit.get(u) ?? [u]);
    if (nodes.length < 2) continue;
    const representativeId = unitRepId.get(leader)!;
    const ids = nodes.map(idOf).sort((a, b) => (a === representativeId ? -1 : b === representativeId ? 1 : a - b));
    const kind = memberUnits.length === 1 ? 'exact' : 'near';
    const maxDistance =
      kind === 'exact'
        ? 0
        : maxPairDistance(
            nodes.filter((n) => n < slotCount),
            codes,
            wpc,
          );
    groups.push({ kind, ids, representativeId, maxDistance });
  }
  return groups.sort((a, b) => a.representativeId - b.representativeId);
}

/**
 * Two stars most of whose member pairs are linked (at least half of |A|·|B|) are one picture's copies that two
 * leaders split between them (the first leader took the copies it reached, the second the rest): they are merged,
 * densest pair first (average linkage), into the larger star (ties: the smaller representative id). A hub that
 * links two families links few of their pairs, so families stay apart. A photo left alone counts as a star of one:
 * linked to more than half of a group, it joins it (a turned copy is linked by its turned codes to the copies, not
 * always to the group's representative, whose upright pair the lone-photo rule above asks for).
 */
function mergeDenseStars(
  groupsByLeader: Map<number, number[]>,
  leaderOf: Int32Array,
  offsets: Uint32Array,
  neighbours: Uint32Array,
  unitRepId: Map<number, number>,
  apart: (a: readonly number[], b: readonly number[]) => boolean,
): void {
  // links.get(a).get(b): edges between the stars led by a and b (kept symmetric).
  const links = new Map<number, Map<number, number>>();
  const addLinks = (a: number, b: number, n: number) => {
    if (!links.has(a)) links.set(a, new Map());
    links.get(a)!.set(b, (links.get(a)!.get(b) ?? 0) + n);
  };
  for (const [leader, members] of groupsByLeader) {
    for (const u of members)
      for (let i = offsets[u]; i < offsets[u + 1]; i++) {
        const other = leaderOf[neighbours[i]];
        if (other !== leader && other >= 0 && groupsByLeader.has(other)) addLinks(leader, other, 1);
      }
  }
  const size = (leader: number) => groupsByLeader.get(leader)!.length;
  for (;;) {
    let best: [number, number] | null = null;
    let bestDensity = 0.5;
    for (const [a, row] of links)
      for (const [b, n] of row) {
        if (a > b) continue;
        const density = n / (size(a) * size(b));
        // A lone photo must be linked to more than half of a group: one link to a pair is a chain's next step.
        if ((size(a) === 1 || size(b) === 1) && density <= 0.5) continue;
        if (density >= bestDensity) {
          if (density === bestDensity && best && Math.min(a, b) > Math.min(...best)) continue;
          best = [a, b];
          bestDensity = density;
        }
      }
    if (!best) return;
    const [a, b] = best;
    if (apart(groupsByLeader.get(a)!, groupsByLeader.get(b)!)) {
      // Never one group: their link is dropped, and the next densest pair is tried.
      links.get(a)?.delete(b);
      links.get(b)?.delete(a);
      continue;
    }
    const [keep, gone] =
      size(a) > size(b) || (size(a) === size(b) && unitRepId.get(a)! < unitRepId.get(b)!) ? [a, b] : [b, a];
    for (const u of groupsByLeader.get(gone)!) leaderOf[u] = keep;
    groupsByLeader.get(keep)!.push(...groupsByLeader.get(gone)!);
    groupsByLeader.delete(gone);
    for (const [c, n] of links.get(gone) ?? []) {
      links.get(c)!.delete(gone);
      if (c === keep) continue;
      addLinks(keep, c, n);
      addLinks(c, keep, n);
    }
    links.delete(gone);
    links.get(keep)?.delete(gone);
  }
}

/** One number for an unordered pair of units (below `count` each). */
function unitPairKey(a: number, b: number, count: number): number {
  return a < b ? a * count + b : b * count + a;
}

/** Exact largest distance between member slots (groups are small; this is cheap). */
function maxPairDistance(slots: number[], codes: Uint32Array, wpc: number): number {
  let max = 0;
  for (let a = 0; a < slots.length; a++) {
    for (let b = a + 1; b < slots.length; b++) {
      max = Math.max(max, hammingDistance(codes, codes, wpc, slots[a] * wpc, slots[b] * wpc));
    }
  }
  return max;
}
