/**
 * A scanned library of a few files, and the copy the app proposes to keep among some of them: the report the
 * `dupes.find` handler builds over what the scan stored. The group is given rather than found (the fixture
 * encoder's 8×8 average hash does not see through borders or edits; the real model's grouping is measured by
 * tests/bench/dedup), so these tests exercise the keep rule and its facts end to end.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { SearchService } from '../../electron/search/service.js';
import { averageHashEncoder } from './fixture-encoder.js';
import { tempDir } from './temp-dir.js';

export interface KeeperLibrary {
  app: App;
  /** The folder the files were written to. */
  photos: string;
}

/**
 * A library of `files`, scanned; those named in `olderFiles` are dated a day earlier (an original precedes its
 * copies), the others all carry one date. The caller closes `app`.
 */
export async function keeperLibrary(
  files: Record<string, Promise<Buffer>>,
  olderFiles: string[] = [],
): Promise<KeeperLibrary> {
  const dir = tempDir('keeper');
  const photos = path.join(dir, 'photos');
  mkdirSync(photos);
  const now = new Date();
  const dayAgo = new Date(now.getTime() - 86_400_000);
  for (const [name, bytes] of Object.entries(files)) {
    const file = path.join(photos, name);
    writeFileSync(file, await bytes);
    const when = olderFiles.includes(name) ? dayAgo : now;
    utimesSync(file, when, when);
  }
  const app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
  await app.dispatcher.call('scan.run', { folders: [photos] });
  return { app, photos };
}

/** The name of the file proposed to keep when `names` form one duplicate group. */
export async function keptAmong({ app, photos }: KeeperLibrary, names: string[]): Promise<string> {
  const catalog = app.library.get();
  const ids = names.map((name) => catalog.photoByPath(path.join(photos, name))!.id);
  const search = new SearchService(
    () => catalog,
    () => 0,
  );
  const [group] = await search.report([{ kind: 'near', ids, representativeId: ids[0], maxDistance: 0 }]);
  expect(group.files.map((f) => path.basename(f.path)).sort()).toEqual([...names].sort());
  return path.basename(group.files.find((f) => f.keep)!.path);
}
