/**
 * Turns duplicate groups (ids) into the API's `DuplicateGroup`s (files with one `keep` each, the proposed keeper
 * first and the others in the group's order), given the catalog's facts about each photo. Ids the catalog no longer
 * knows are dropped; a group left with fewer than two files is dropped too.
 */
import type { DuplicateGroup } from '../../api/contract.js';
import type { PhotoGroup } from './groups.js';
import { chooseKeeper, DEFAULT_KEEP_RULE, type KeepCandidate, type KeepRule } from './keep.js';

export function toDuplicateGroups(
  groups: readonly PhotoGroup[],
  files: ReadonlyMap<number, KeepCandidate>,
  rule: KeepRule = DEFAULT_KEEP_RULE,
): DuplicateGroup[] {
  const out: DuplicateGroup[] = [];
  for (const group of groups) {
    const members = group.ids.flatMap((id) => files.get(id) ?? []);
    if (members.length < 2) continue;
    const keeper = chooseKeeper(members, rule);
    out.push({
      kind: group.kind,
      maxDistance: group.maxDistance,
      // The copy proposed to keep comes first, where a person looks first (the CLI and the app list files in order).
      files: [keeper, ...members.filter((f) => f !== keeper)].map((f) => ({
        id: f.id,
        path: f.path,
        width: f.width,
        height: f.height,
        bytes: f.bytes,
        takenAt: f.takenAt,
        keep: f === keeper,
      })),
    });
  }
  return out;
}
