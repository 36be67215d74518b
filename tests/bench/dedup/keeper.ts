/**
 * Method `keeper` of `npm run bench:dedup`: is the copy the app proposes to keep the source photo? For each
 * original of the dedup set and each of its copies (every edit, plus two enlargements made here: the
 * original's decoded pixels enlarged 2× and 3× with Lanczos and saved at JPEG quality 92), the app's own
 * report (`SearchService.report`: the keep rule over the facts the scan stored and the files' quality facts)
 * is asked for the group {original, copy}, for the group of the original with all its copies, and for the group
 * of the copies alone (the original missing: the keeper should then be a copy that is not edited).
 *
 * Run three times: with each original's file dated a day before its copies (as in a library, where a copy is
 * made after its original; the files' own dates here say nothing, ../shared/data's being as new as the
 * copies); with every file given the same modification time (no "older file" hint); and with equal dates and
 * every file renamed to a hash of its name (no "derived name" hint either: only the pixels and metadata tell). The photos are scanned by the app (createApp; codes from the
 * fixture encoder, since only the keep facts matter here).
 */
import { copyFileSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { createApp } from '../../../electron/core/app.js';
import { averageHashEncoder } from '../../helpers/fixture-encoder.js';
import { SearchService } from '../../../electron/search/service.js';
import { decodeImage, editImage, encodeImage } from '../../../model/image/decode.js';
import type { SetEntry } from './set.js';

const ENLARGEMENTS = [2, 3];

export interface KeeperRow {
  edit: string;
  /** Pairs {original, copy} whose proposed keeper is the original. */
  kept: number;
  pairs: number;
}

export interface KeeperRun {
  hints: 'originals older' | 'dates equal' | 'dates equal, neutral names';
  rows: KeeperRow[];
  /** Groups of an original with all its copies whose keeper is the original. */
  wholeGroupsKept: number;
  wholeGroups: number;
  /**
   * Groups of all the copies of an original, the original itself missing (as in a library that kept only copies):
   * how many keep a copy of the whole picture unedited at full size (UNEDITED_COPIES), and the edit of each keeper.
   */
  withoutOriginalKept: number;
  withoutOriginalKeepers: Record<string, number>;
}

/** The copies that show the original's whole picture at its size, unedited: only re-saved or stored otherwise. */
const UNEDITED_COPIES = new Set(['PNG', 'JPEG q70', 'WebP q80', 'EXIF orientation']);

interface LibraryFile {
  file: string;
  source: string;
  edit: string;
}

/** A name that says nothing of which file is the original: a hash of the real name, the extension kept. */
function neutralName(name: string): string {
  return `${createHash('sha256').update(name).digest('hex').slice(0, 12)}${path.extname(name)}`;
}

/** The library folder: originals (their dates kept), copies, and the enlargements. */
async function buildLibrary(entries: readonly SetEntry[], dir: string, neutralNames: boolean): Promise<LibraryFile[]> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: LibraryFile[] = [];
  for (const e of entries) {
    if (e.kind === 'distractor') continue;
    const name = e.kind === 'original' ? `${e.source}${path.extname(e.file)}` : path.basename(e.file);
    const target = path.join(dir, neutralNames ? neutralName(name) : name);
    copyFileSync(e.file, target);
    files.push({ file: target, source: e.source, edit: e.kind === 'original' ? 'original' : e.edit });
    if (e.kind === 'original') {
      const pixels = await decodeImage(e.file);
      for (const factor of ENLARGEMENTS) {
        const big = await editImage(pixels, [
          { op: 'resize', width: Math.round(pixels.width * factor), height: Math.round(pixels.height * factor) },
        ]);
        const name = `${e.source}--enlarged-${factor}x.jpg`;
        const file = path.join(dir, neutralNames ? neutralName(name) : name);
        writeFileSync(file, await encodeImage(big, 'jpeg', { quality: 92 }));
        files.push({ file, source: e.source, edit: `enlarged ${factor}×` });
      }
    }
  }
  return files;
}

async function measure(files: readonly LibraryFile[], dir: string, hints: KeeperRun['hints']): Promise<KeeperRun> {
  const when = new Date('2024-01-02T00:00:00Z');
  const dayBefore = new Date('2024-01-01T00:00:00Z');
  for (const f of files) {
    const t = hints === 'originals older' && f.edit === 'original' ? dayBefore : when;
    utimesSync(f.file, t, t);
  }
  const app = createApp({
    dbPath: path.join(dir, `keeper-${hints.replace(/\W+/g, '-')}.db`),
    loadEncoder: async () => averageHashEncoder(),
  });
  try {
    await app.dispatcher.call('scan.run', { folders: [path.dirname(files[0].file)] });
    const catalog = app.library.get();
    const search = new SearchService(
      () => catalog,
      () => 0,
    );
    const idOf = (f: LibraryFile) => catalog.photoByPath(f.file)?.id;
    const keeperOf = async (members: LibraryFile[]): Promise<string | null> => {
      // (The keeper's path; `files` maps it back to its edit.)
      const ids = members.map(idOf).filter((id): id is number => id !== undefined);
      if (ids.length < members.length) return null;
      const [group] = await search.report([{ kind: 'near', ids, representativeId: ids[0], maxDistance: 0 }]);
      return group?.files.find((f) => f.keep)?.path ?? null;
    };
    const rows = new Map<string, KeeperRow>();
    let wholeGroupsKept = 0;
    let wholeGroups = 0;
    let withoutOriginalKept = 0;
    const withoutOriginalKeepers: Record<string, number> = {};
    for (const original of files.filter((f) => f.edit === 'original')) {
      const copies = files.filter((f) => f.source === original.source && f !== original);
      for (const copy of copies) {
        const row = rows.get(copy.edit) ?? { edit: copy.edit, kept: 0, pairs: 0 };
        rows.set(copy.edit, row);
        row.pairs++;
        if ((await keeperOf([copy, original])) === original.file) row.kept++;
      }
      wholeGroups++;
      if ((await keeperOf([...copies, original])) === original.file) wholeGroupsKept++;
      const kept = await keeperOf(copies);
      const edit = copies.find((f) => f.file === kept)?.edit ?? 'none';
      withoutOriginalKeepers[edit] = (withoutOriginalKeepers[edit] ?? 0) + 1;
      if (UNEDITED_COPIES.has(edit)) withoutOriginalKept++;
    }
    return {
      hints,
      rows: [...rows.values()],
      wholeGroupsKept,
      wholeGroups,
      withoutOriginalKept,
      withoutOriginalKeepers,
    };
  } finally {
    await app.close();
  }
}

export async function runKeeper(entries: readonly SetEntry[], setDir: string): Promise<KeeperRun[]> {
  const dir = path.join(setDir, 'keeper');
  const named = await buildLibrary(entries, path.join(dir, 'library'), false);
  const older = await measure(named, dir, 'originals older');
  const equal = await measure(named, dir, 'dates equal');
  const neutral = await buildLibrary(entries, path.join(dir, 'neutral'), true);
  return [older, equal, await measure(neutral, dir, 'dates equal, neutral names')];
}

export function printKeeper(runs: readonly KeeperRun[]): void {
  if (!runs.length) return;
  const share = (kept: number, all: number) => `${kept}/${all} (${((100 * kept) / Math.max(1, all)).toFixed(0)} %)`;
  const lines = [
    '',
    '### Keeper: is the copy proposed to keep the source photo? (group {original, copy}; app report)',
    '',
    `| edit | ${runs.map((r) => r.hints).join(' | ')} |`,
    `| ---- | ${runs.map(() => '----').join(' | ')} |`,
  ];
  for (const row of runs[0].rows) {
    lines.push(
      `| ${row.edit} | ${runs
        .map((r) => r.rows.find((x) => x.edit === row.edit))
        .map((x) => share(x?.kept ?? 0, x?.pairs ?? 0))
        .join(' | ')} |`,
    );
  }
  const total = (r: KeeperRun) =>
    share(
      r.rows.reduce((a, x) => a + x.kept, 0),
      r.rows.reduce((a, x) => a + x.pairs, 0),
    );
  lines.push(`| **all pairs** | ${runs.map(total).join(' | ')} |`);
  lines.push(
    `| original with all its copies | ${runs.map((r) => share(r.wholeGroupsKept, r.wholeGroups)).join(' | ')} |`,
  );
  lines.push(
    `| original missing: an unedited full-size copy kept (${[...UNEDITED_COPIES].join(', ')}) | ${runs
      .map((r) => share(r.withoutOriginalKept, r.wholeGroups))
      .join(' | ')} |`,
  );
  lines.push('', 'Original missing, the edit of each copy kept:');
  for (const r of runs) {
    const kept = Object.entries(r.withoutOriginalKeepers).sort((a, b) => b[1] - a[1]);
    lines.push(`- ${r.hints}: ${kept.map(([edit, n]) => `${edit} ${n}`).join(', ')}`);
  }
  console.log(lines.join('\n'));
}
