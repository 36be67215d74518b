import { describe, expect, it } from 'vitest';
import type { DuplicateItem, DuplicateSet } from './duplicate-set.js';
import { concatLabelled } from './datasets.js';
import { sceneClasses } from './scene-classes.js';

/** A duplicate set in the shape `loadOrBuildDuplicateSet` gives: per source, its original then edited copies. */
function duplicateSet(families: { family: string; sources: number; copies: number }[]): DuplicateSet {
  const items: DuplicateItem[] = [];
  for (const { family, sources, copies } of families)
    for (let s = 0; s < sources; s++) {
      const source = family.startsWith('cifar10/') ? family : `${family}#${s === 0 ? 'whole' : `w${s - 1}`}`;
      items.push({ source, family, kind: 'original' });
      for (let c = 0; c < copies; c++) items.push({ source, family, kind: c % 2 ? 'jpeg' : 'crop' });
    }
  const dim = 2;
  // Row i holds [i, −i], so a kept row tells which item it came from.
  const features = Float32Array.from(items.flatMap((_, i) => [i, -i]));
  const sourceIds = [...new Set(items.map((i) => i.source))];
  return {
    set: { features, dim, count: items.length, labels: Int32Array.from(items, (i) => sourceIds.indexOf(i.source)) },
    items,
    families: [...new Set(items.map((i) => i.family))],
    description: 'synthetic',
    dir: '',
  };
}

describe('scene classes for the similarity head', () => {
  const data = duplicateSet([
    { family: 'wallpapers/Autumn/contents/images/5120x2880.jpg', sources: 3, copies: 4 },
    { family: 'backgrounds/calla.png', sources: 3, copies: 4 }, // a photo of the benchmark's stress library
    { family: 'cifar10/train/cat/0001.png', sources: 1, copies: 5 },
    { family: 'backgrounds/mate/abstract/Flow.png', sources: 2, copies: 4 },
  ]);

  it('labels a wallpaper, its windows and their copies as one scene, keeping N copies a source', () => {
    const { set, scenes } = sceneClasses(data, { copiesPerSource: 2 });
    expect(scenes).toBe(2);
    const kept = Array.from({ length: set.count }, (_, i) => data.items[set.features[i * 2]!]!);
    // Autumn: 3 sources × (original + 2 copies); Flow: 2 × 3.
    expect(kept.length).toBe(15);
    expect(kept.filter((k) => k.kind === 'original').length).toBe(5);
    kept.forEach((item, i) => expect(set.labels[i]).toBe(item.family.includes('Autumn') ? 0 : 1));
    // The rows are the items' own descriptors.
    kept.forEach((item, i) => expect(set.features[i * 2 + 1]).toBe(-data.items.indexOf(item)));
  });

  it('leaves out CIFAR-10 families and the wallpapers the real-scene benchmark uses', () => {
    const { set } = sceneClasses(data, { copiesPerSource: 4 });
    const families = new Set(Array.from({ length: set.count }, (_, i) => data.items[set.features[i * 2]!]!.family));
    expect([...families].sort()).toEqual([
      'backgrounds/mate/abstract/Flow.png',
      'wallpapers/Autumn/contents/images/5120x2880.jpg',
    ]);
    expect(set.count).toBe(5 * 5);
  });

  it('joins after CIFAR-10’s classes without sharing a label with them', () => {
    const cifar = { features: new Float32Array(4), dim: 2, count: 2, labels: Int32Array.from([0, 9]) };
    const joined = concatLabelled([cifar, sceneClasses(data, { copiesPerSource: 0 }).set]);
    expect([...new Set(joined.labels)].sort((a, b) => a - b)).toEqual([0, 9, 10, 11]);
  });
});
