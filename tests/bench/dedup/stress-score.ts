/**
 * Scores duplicate groups found in the stress library (tests/bench/dedup/stress-set.ts) against its ground
 * truth: pairwise precision, recall and F1 over every pair of files (two files in one group are called
 * duplicates), the share of hard negatives called duplicates (another frame, window or photo of the same scene
 * or kind of subject: equal scene, different source), and recall per edit (a copy counts as found when it is
 * grouped with its original).
 */
import path from 'node:path';
import type { StressEntry } from './stress-set.js';

export interface StressScore {
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** Pairs with equal scene and different source, and how many of them were grouped. */
  sceneNegatives: number;
  sceneCalledDuplicate: number;
  /** Per edit: copies grouped with their original, of all copies. */
  perEdit: Record<string, { found: number; total: number }>;
}

/** `groups`: the paths of each group's members. Files outside the stress set are ignored. */
export function scoreStressGroups(
  entries: readonly StressEntry[],
  groups: readonly (readonly string[])[],
): StressScore {
  const byName = new Map(entries.map((e) => [path.basename(e.file), e]));
  const groupOf = new Map<StressEntry, number>();
  groups.forEach((members, g) => {
    for (const file of members) {
      const e = byName.get(path.basename(file));
      if (e) groupOf.set(e, g);
    }
  });
  let tp = 0;
  let fp = 0;
  let positives = 0;
  let sceneNegatives = 0;
  let sceneCalled = 0;
  const bySource = new Map<string, StressEntry[]>();
  const byScene = new Map<string, StressEntry[]>();
  for (const e of entries) {
    bySource.set(e.source, [...(bySource.get(e.source) ?? []), e]);
    byScene.set(e.scene, [...(byScene.get(e.scene) ?? []), e]);
  }
  for (const members of bySource.values()) positives += (members.length * (members.length - 1)) / 2;
  // Pairs called duplicates: within each group.
  const members = new Map<number, StressEntry[]>();
  for (const [e, g] of groupOf) members.set(g, [...(members.get(g) ?? []), e]);
  for (const group of members.values())
    for (let i = 0; i < group.length; i++)
      for (let j = i + 1; j < group.length; j++) {
        if (group[i].source === group[j].source) tp++;
        else fp++;
      }
  for (const scene of byScene.values())
    for (let i = 0; i < scene.length; i++)
      for (let j = i + 1; j < scene.length; j++) {
        if (scene[i].source === scene[j].source) continue;
        sceneNegatives++;
        const gi = groupOf.get(scene[i]);
        if (gi !== undefined && gi === groupOf.get(scene[j])) sceneCalled++;
      }
  const perEdit: Record<string, { found: number; total: number }> = {};
  for (const e of entries) {
    if (e.kind !== 'copy') continue;
    const original = bySource.get(e.source)!.find((o) => o.kind === 'original');
    const row = (perEdit[e.edit] ??= { found: 0, total: 0 });
    row.total++;
    const g = groupOf.get(e);
    if (original && g !== undefined && g === groupOf.get(original)) row.found++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = positives ? tp / positives : 1;
  return {
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: positives - tp,
    sceneNegatives,
    sceneCalledDuplicate: sceneCalled,
    perEdit,
  };
}
