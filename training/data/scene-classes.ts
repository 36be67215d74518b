/**
 * Instance-level "same scene" classes for the similarity head (issue 27): the duplicate set's wallpaper families
 * (training/data/duplicate-set.ts), each one class — the whole picture, its windows (other parts of the same view)
 * and edited copies of each — so the listwise reward ranks other pictures of one scene first, beside CIFAR-10's
 * object classes (`concatLabelled` numbers the scenes after them). The duplicate head uses the same items the other way (each window its own source). The set's
 * CIFAR-10 families are left out (CIFAR-10 comes with its class labels), and so are the wallpapers of the
 * benchmark that measures real scenes.
 */
import { BENCHMARK_WALLPAPER_PHOTOS } from './duplicate-data.js';
import type { DuplicateSet } from './duplicate-set.js';
import { subset, type LabelledSet } from './datasets.js';

export interface SceneClassOptions {
  /** Edited copies kept per source beside its original (the set has 16 a wallpaper source). */
  copiesPerSource: number;
}

/** Family ids (paths under /usr/share) that are held out for the benchmark. */
const heldOut = new Set(BENCHMARK_WALLPAPER_PHOTOS.map((file) => file.replace(/^\/usr\/share\//, '')));

export function sceneClasses(
  data: DuplicateSet,
  options: SceneClassOptions,
): { set: LabelledSet; scenes: number; description: string } {
  const keptPerSource = new Map<string, number>();
  const sceneLabel = new Map<string, number>();
  const rows: number[] = [];
  const labels: number[] = [];
  data.items.forEach((item, i) => {
    if (item.family.startsWith('cifar10/') || heldOut.has(item.family)) return;
    if (item.kind !== 'original') {
      const copies = keptPerSource.get(item.source) ?? 0;
      if (copies >= options.copiesPerSource) return;
      keptPerSource.set(item.source, copies + 1);
    }
    if (!sceneLabel.has(item.family)) sceneLabel.set(item.family, sceneLabel.size);
    rows.push(i);
    labels.push(sceneLabel.get(item.family)!);
  });
  const set = { ...subset(data.set, rows), labels: Int32Array.from(labels) };
  return {
    set,
    scenes: sceneLabel.size,
    description:
      `${sceneLabel.size} wallpaper scenes as classes (the whole picture, its windows, ${options.copiesPerSource} ` +
      `edited copies of each): ${rows.length} items`,
  };
}
