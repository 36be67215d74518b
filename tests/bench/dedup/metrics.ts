/**
 * Scores: pairwise precision / recall / F1 over all pairs of a subset of the set (a pair is positive
 * when both files share a source), swept over thresholds; recall per edit (a copy is found when it is
 * within the threshold of its original); grouping quality with the app's own `findDuplicateGroups`.
 */
import { findDuplicateGroups } from '../../../electron/search/duplicates/groups.js';
import { HammingIndex } from '../../../electron/search/index/hamming-index.js';
import { ORIENTATION_COUNT } from './dihedral.js';
import type { DedupMethod, Encodings } from './methods.js';
import type { SetEntry } from './set.js';

/** `standard`: originals, non-geometric copies and distractors; `all`: also the 90° turns and mirrors. */
export type Subset = 'standard' | 'all';

export function inSubset(entry: SetEntry, subset: Subset): boolean {
  return subset === 'all' || entry.kind !== 'copy' || entry.group === 'standard';
}

export interface PairScore {
  threshold: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

export function pairScore(threshold: number, tp: number, fp: number, fn: number): PairScore {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { threshold, truePositives: tp, falsePositives: fp, falseNegatives: fn, precision, recall, f1 };
}

/** Distances between every two files (full square, so lookups need no index arithmetic). */
export class DistanceMatrix {
  readonly values: Float32Array;
  constructor(readonly size: number) {
    this.values = new Float32Array(size * size);
  }
  get(i: number, j: number): number {
    return this.values[i * this.size + j];
  }
}

/**
 * `geometric`: the smaller of min over orientations k of d(k(a), b) and d(a, k(b)) — either file
 * may be the query, and the result must not depend on which. Plain matching reads the method's always-read
 * variants (after the eight orientations: the model's greyscale and trimmed variants) the same way.
 */
export function distanceMatrix(method: DedupMethod, encodings: Encodings, geometric: boolean): DistanceMatrix {
  const n = encodings.length;
  const matrix = new DistanceMatrix(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let d = method.distance(encodings[i][0], encodings[j][0]);
      for (let k = geometric ? 1 : ORIENTATION_COUNT; k < encodings[i].length; k++) {
        d = Math.min(
          d,
          method.distance(encodings[i][k], encodings[j][0]),
          method.distance(encodings[i][0], encodings[j][k]),
        );
      }
      matrix.values[i * n + j] = matrix.values[j * n + i] = d;
    }
  }
  return matrix;
}

function subsetIds(entries: SetEntry[], subset: Subset): number[] {
  return entries.filter((e) => inSubset(e, subset)).map((e) => e.id);
}

/** Every threshold's pair score in one pass: pairs are binned by the first threshold they fall within. */
export function sweepPairs(
  entries: SetEntry[],
  subset: Subset,
  matrix: DistanceMatrix,
  thresholds: number[],
): PairScore[] {
  const ids = subsetIds(entries, subset);
  const positivesAt = new Float64Array(thresholds.length + 1);
  const negativesAt = new Float64Array(thresholds.length + 1);
  let positives = 0;
  for (let a = 0; a < ids.length; a++) {
    for (let b = a + 1; b < ids.length; b++) {
      const d = matrix.get(ids[a], ids[b]);
      let bin = 0; // thresholds ascend; binary search for the first threshold ≥ d
      let hi = thresholds.length;
      while (bin < hi) {
        const mid = (bin + hi) >> 1;
        if (thresholds[mid] + 1e-9 >= d) hi = mid;
        else bin = mid + 1;
      }
      if (entries[ids[a]].source === entries[ids[b]].source) {
        positives++;
        positivesAt[bin]++;
      } else negativesAt[bin]++;
    }
  }
  let tp = 0;
  let fp = 0;
  return thresholds.map((t, i) => {
    tp += positivesAt[i];
    fp += negativesAt[i];
    return pairScore(t, tp, fp, positives - tp);
  });
}

/** Best F1; ties go to the smaller threshold (fewer false positives for the same F1). */
export function bestScore(scores: PairScore[]): PairScore {
  return scores.reduce((best, s) => (s.f1 > best.f1 + 1e-12 ? s : best), scores[0]);
}

/** Pair score from an explicit set of predicted pairs (findimagedupes), keys `i,j` with i < j. */
export function scorePredictedPairs(
  entries: SetEntry[],
  subset: Subset,
  predicted: Set<string>,
  threshold: number,
): PairScore {
  const ids = subsetIds(entries, subset);
  let tp = 0;
  let fp = 0;
  let positives = 0;
  for (let a = 0; a < ids.length; a++) {
    for (let b = a + 1; b < ids.length; b++) {
      const same = entries[ids[a]].source === entries[ids[b]].source;
      const hit = predicted.has(`${ids[a]},${ids[b]}`);
      if (same) positives++;
      if (hit && same) tp++;
      else if (hit) fp++;
    }
  }
  return pairScore(threshold, tp, fp, positives - tp);
}

/** The original of each source (copies are scored against it). */
export function originalsBySource(entries: SetEntry[]): Map<string, number> {
  return new Map(entries.filter((e) => e.kind === 'original').map((e) => [e.source, e.id]));
}

/** Recall per edit: the fraction of an edit's copies `isFound(copy, original)`. */
export function recallPerEdit(
  entries: SetEntry[],
  isFound: (copy: number, original: number) => boolean,
): Map<string, number> {
  const originals = originalsBySource(entries);
  const found = new Map<string, { hits: number; total: number }>();
  for (const entry of entries) {
    if (entry.kind !== 'copy') continue;
    const tally = found.get(entry.edit) ?? { hits: 0, total: 0 };
    tally.total++;
    if (isFound(entry.id, originals.get(entry.source)!)) tally.hits++;
    found.set(entry.edit, tally);
  }
  return new Map([...found].map(([edit, t]) => [edit, t.hits / t.total]));
}

export interface GroupingScore {
  radius: number;
  /** Photo sources whose files form exactly one group, nothing missing and nothing extra. */
  exactSources: number;
  sources: number;
  /** Distractors that ended up in no group. */
  distractorsAlone: number;
  distractors: number;
  groups: number;
  /** Groups whose members all share one source. */
  pureGroups: number;
  /** Mean over photo sources of the share of the source's files in the group holding its original. */
  meanCompleteness: number;
  /** Mean over photo sources of the share of that group that is the source's (1 when the original is alone). */
  meanPurity: number;
}

/**
 * Groups the subset's codes (orientation 0) with the app's `findDuplicateGroups` at `radius`; `verify` and
 * `extraPairs` (e.g. verified variant pairs, for geometric matching) are passed on as the app passes them.
 */
export function scoreGrouping(
  entries: SetEntry[],
  subset: Subset,
  encodings: Encodings,
  radius: number,
  options: {
    verify?: (a: number, b: number) => boolean;
    extraPairs?: (ids: number[]) => Iterable<readonly [number, number]>;
  } = {},
): GroupingScore {
  const ids = subsetIds(entries, subset);
  const words = encodings[ids[0]]?.[0].length ?? 2;
  const codes = new Uint32Array(ids.length * words);
  ids.forEach((id, i) => codes.set(encodings[id][0], words * i));
  const groups = findDuplicateGroups(HammingIndex.fromCodes(words * 32, ids, codes), {
    radius,
    verify: options.verify,
    extraPairs: options.extraPairs?.(ids),
  });
  const groupKeys = new Set(groups.map((g) => [...g.ids].sort((a, b) => a - b).join(',')));
  const membersBySource = new Map<string, number[]>();
  for (const id of ids) {
    if (entries[id].kind === 'distractor') continue;
    const list = membersBySource.get(entries[id].source) ?? [];
    list.push(id);
    membersBySource.set(entries[id].source, list);
  }
  const grouped = new Set(groups.flatMap((g) => g.ids));
  const distractors = ids.filter((id) => entries[id].kind === 'distractor');
  const groupOf = new Map(groups.flatMap((g) => g.ids.map((id) => [id, g.ids] as const)));
  let completeness = 0;
  let purity = 0;
  for (const [source, members] of membersBySource) {
    const original = members.find((id) => entries[id].kind === 'original')!;
    const group = groupOf.get(original) ?? [original];
    const own = group.filter((id) => entries[id].source === source).length;
    completeness += own / members.length;
    purity += own / group.length;
  }
  return {
    meanCompleteness: completeness / membersBySource.size,
    meanPurity: purity / membersBySource.size,
    radius,
    exactSources: [...membersBySource.values()].filter((m) => groupKeys.has([...m].sort((a, b) => a - b).join(',')))
      .length,
    sources: membersBySource.size,
    distractorsAlone: distractors.filter((id) => !grouped.has(id)).length,
    distractors: distractors.length,
    groups: groups.length,
    pureGroups: groups.filter((g) => new Set(g.ids.map((id) => entries[id].source)).size === 1).length,
  };
}

/** What the false positives are: a burst crop with its own photo, the stereo pair, CIFAR, or other. */
export function falsePositiveKinds(
  entries: SetEntry[],
  subset: Subset,
  isPredicted: (i: number, j: number) => boolean,
): Record<string, number> {
  const ids = subsetIds(entries, subset);
  const photoOf = (e: SetEntry) => (e.source.startsWith('burst:') ? e.source.split(':')[1] : e.source);
  const kinds: Record<string, number> = {};
  for (let a = 0; a < ids.length; a++) {
    for (let b = a + 1; b < ids.length; b++) {
      const [x, y] = [entries[ids[a]], entries[ids[b]]];
      if (x.source === y.source || !isPredicted(x.id, y.id)) continue;
      const kind =
        x.source.startsWith('cifar:') || y.source.startsWith('cifar:')
          ? 'with CIFAR'
          : photoOf(x) === photoOf(y)
            ? 'burst crop ↔ same photo'
            : photoOf(x).startsWith('motorcycle_') && photoOf(y).startsWith('motorcycle_')
              ? 'stereo pair'
              : 'other photos';
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  }
  return kinds;
}
