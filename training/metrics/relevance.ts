/**
 * Which items of a ranking are relevant to a query. By default an item is relevant when its label equals the
 * query's (one class per item: CIFAR-10, MNIST). Items with several labels (a photo in several of the user's
 * albums) are given one label per distinct set of albums, and a `LabelRelation` says which of those labels are
 * relevant to which: two photos are relevant to each other when they share an album (`labelSets`).
 */

/** Relevance between labels 0..count−1: `related[a * count + b]` is 1 when an item of label b is relevant to a query of label a. */
export interface LabelRelation {
  count: number;
  related: Uint8Array;
}

/** The row of `relation` for a query of `label` (indexed by a database item's label); undefined: relevant = equal. */
export function relatedRow(relation: LabelRelation | undefined, label: number): Uint8Array | undefined {
  return relation?.related.subarray(label * relation.count, (label + 1) * relation.count);
}

/** Whether an item of label `b` is relevant to a query of label `a`. */
export function isRelated(relation: LabelRelation | undefined, a: number, b: number): boolean {
  return relation ? relation.related[a * relation.count + b] === 1 : a === b;
}

/** Items' labels when items may carry several: one label per distinct set, and which sets share a member. */
export interface LabelSets {
  /** Per item, the id of its set of labels. */
  labels: Int32Array;
  /** Between set ids: relevant when the two sets share a label. */
  relation: LabelRelation;
  /** Each set id's labels, ascending. */
  sets: number[][];
}

/**
 * One label per distinct set of `memberships` (each item's albums, in any order, duplicates ignored), and the
 * relation between the sets: relevant when they share an album. Every item must have at least one.
 */
export function labelSets(memberships: readonly (readonly number[])[]): LabelSets {
  const ids = new Map<string, number>();
  const sets: number[][] = [];
  const labels = new Int32Array(memberships.length);
  memberships.forEach((albums, item) => {
    const set = [...new Set(albums)].sort((a, b) => a - b);
    if (!set.length) throw new RangeError(`item ${item} has no label`);
    const key = set.join(',');
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      ids.set(key, id);
      sets.push(set);
    }
    labels[item] = id;
  });
  const count = sets.length;
  const related = new Uint8Array(count * count);
  const members = sets.map((s) => new Set(s));
  for (let a = 0; a < count; a++) {
    for (let b = a; b < count; b++) {
      const shared = sets[a]!.some((label) => members[b]!.has(label));
      related[a * count + b] = related[b * count + a] = shared ? 1 : 0;
    }
  }
  return { labels, relation: { count, related }, sets };
}
