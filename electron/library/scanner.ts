/**
 * Incremental scanning: walk folders, recognise unchanged, changed, moved, copied and removed files, and
 * analyse (decode + encode) only what is new, or what a new duplicate head must see again. Results are
 * committed in small batches, so a scan that is cancelled or killed resumes where it stopped and never
 * analyses a committed photo again. Similarity codes of a new similarity head are re-hashed from stored
 * descriptors at the end (rehash.ts), without decoding.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Progress, ScanSummary } from '../api/contract.js';
import { type PhotoAnalyzer, type PhotoEncoder, scanFailureReason } from './analyzer.js';
import type { Catalog, PhotoRecord } from './catalog/catalog.js';
import { hashFile } from './hash.js';
import { timeStage, timeStageSync } from '../../model/stage-clock.js';
import { rehashStaleCodes } from './rehash.js';
import { describe, type FoundFile, walkPhotos } from './walk.js';

export interface ScanOptions {
  extensions: ReadonlySet<string>;
  analyzer: PhotoAnalyzer;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Photos analysed at once (decoding runs on libuv threads, inference on ORT's). */
  concurrency?: number;
  /** Commit at least this often (photos). */
  batchSize?: number;
  /**
   * The encoder behind `analyzer`. When given, the scan brings codes another model made up to date: a photo
   * under the scanned folders with a stale duplicate code, or with borders and no trimmed variant, is decoded
   * again (its variants need the pixels); stale similarity codes anywhere in the library are re-hashed from
   * their stored descriptors at the end, without decoding.
   */
  encoder?: Pick<PhotoEncoder, 'codes' | 'backboneVersion' | 'hash' | 'variants'>;
}

/**
 * Why a photo is analysed, and what its success counts as: `new` (added), `changed` (updated), `resumed` (a
 * photo an interrupted scan recorded but did not analyse), `again` (counted already: re-encoded or moved).
 */
type PendingKind = 'new' | 'changed' | 'resumed' | 'again';

interface Pending {
  id: number;
  file: FoundFile;
  kind: PendingKind;
}

export async function scanFolders(catalog: Catalog, folders: string[], options: ScanOptions): Promise<ScanSummary> {
  const started = performance.now();
  const signal = options.signal ?? new AbortController().signal;
  const progress = options.onProgress ?? (() => {});
  const summary: ScanSummary = {
    added: 0,
    updated: 0,
    resumed: 0,
    unchanged: 0,
    reencoded: 0,
    moved: 0,
    removed: 0,
    rehashed: 0,
    failed: [],
    empty: [],
    seconds: 0,
  };
  const toAnalyse: Pending[] = [];
  const codes = options.encoder?.codes;
  const versions = codes ? { dup: codes.dup.version, sim: codes.sim.version } : null;
  // Ready photos the current model would code differently and that need their pixels for it.
  const stale = versions
    ? catalog.photosToReencode(versions, options.encoder!.backboneVersion, {
        trimmed: options.encoder!.variants.includes('trimmed'),
      })
    : new Set<number>();
  /** A photo kept as it is (its file did not change) is still decoded again if its codes are stale. */
  const keep = (id: number, file: FoundFile) => {
    if (!stale.delete(id)) return;
    toAnalyse.push({ id, file, kind: 'again' });
    summary.reencoded++;
  };

  for (const folder of folders) {
    const root = path.resolve(folder);
    const rootInfo = await stat(root).catch((error: unknown) => error as Error);
    if (rootInfo instanceof Error || !rootInfo.isDirectory()) {
      summary.failed.push({ path: root, error: rootInfo instanceof Error ? describe(rootInfo) : 'not a folder' });
      continue;
    }
    const rootId = catalog.transaction(() => catalog.addRoot(root));
    const files: FoundFile[] = [];
    for await (const file of walkPhotos(root, options.extensions, (p) => summary.failed.push(p), signal)) {
      files.push(file);
      if (files.length % 200 === 0) progress({ phase: 'scan', done: 0, total: files.length, path: file.path });
    }
    if (!files.length) summary.empty.push(root);
    // Rows under this root that the walk did not meet: moved elsewhere (found below by hash) or removed.
    const seen = new Set(files.map((f) => f.path));
    const missing = new Map<string, PhotoRecord[]>();
    for (const row of catalog.photosUnder(root)) {
      if (seen.has(row.path) || !row.contentHash) continue;
      const list = missing.get(row.contentHash) ?? [];
      list.push(row);
      missing.set(row.contentHash, list);
    }
    const missingWithoutHash = catalog.photosUnder(root).filter((r) => !seen.has(r.path) && !r.contentHash);

    let done = 0;
    let batch: (() => void)[] = [];
    /** New or changed files, recorded (pending) with the batch, then analysed below. */
    let found: { file: FoundFile; hash: string; kind: PendingKind }[] = [];
    const flush = () => {
      const recorded = found;
      if (batch.length || recorded.length)
        catalog.transaction(() => {
          batch.forEach((write) => write());
          for (const f of recorded) {
            const id = catalog.upsertSeen({ ...f.file, rootId, contentHash: f.hash });
            toAnalyse.push({ id, file: f.file, kind: f.kind });
          }
        });
      batch = [];
      found = [];
    };
    for (const file of files) {
      signal.throwIfAborted();
      progress({ phase: 'scan', done: ++done, total: files.length, path: file.path });
      const row = catalog.photoByPath(file.path);
      if (row && row.size === file.size && row.mtimeMs === file.mtimeMs && row.contentHash && row.status !== 'gone') {
        if (row.status === 'pending') toAnalyse.push({ id: row.id, file, kind: 'resumed' });
        else if (row.status === 'failed') {
          // Unchanged and still unreadable: listed again, so it is seen until it is fixed or removed.
          summary.failed.push({ path: file.path, error: row.error ?? 'could not be read' });
        } else {
          summary.unchanged++;
          keep(row.id, file);
        }
        continue;
      }
      let hash: string;
      try {
        const hashed = await timeStage('file hash', () => hashFile(file.path, signal));
        if (hashed.bytes !== file.size)
          throw new Error('file changed while it was read; it will be picked up by the next scan');
        hash = hashed.hash;
      } catch (error) {
        if (signal.aborted) throw error;
        summary.failed.push({ path: file.path, error: describe(error) });
        continue;
      }
      if (row && row.contentHash === hash && row.status === 'ready') {
        batch.push(() => catalog.movePhoto(row.id, { ...file, rootId })); // touched, not changed: keep its analysis
        summary.unchanged++;
        keep(row.id, file);
        continue;
      }
      const movedFrom = !row ? missing.get(hash)?.shift() : undefined;
      if (movedFrom) {
        batch.push(() => catalog.movePhoto(movedFrom.id, { ...file, rootId }));
        summary.moved++;
        if (movedFrom.status === 'pending') toAnalyse.push({ id: movedFrom.id, file, kind: 'again' });
        else keep(movedFrom.id, file);
      } else {
        // New or changed: recorded (pending) with the next batch, analysed below. Counted once analysed: a file
        // that cannot be read is a failure, not a photo added.
        found.push({ file, hash, kind: row ? 'changed' : 'new' });
      }
      if (batch.length + found.length >= (options.batchSize ?? 64)) flush();
    }
    const removed = [...[...missing.values()].flat(), ...missingWithoutHash];
    for (const row of removed) batch.push(() => catalog.markGone(row.id));
    summary.removed += removed.length;
    flush();
  }

  await analyseAll(catalog, toAnalyse, options, signal, progress, summary, versions?.dup ?? null);
  if (options.encoder)
    summary.rehashed = await rehashStaleCodes(catalog, options.encoder, { signal, onProgress: progress });
  catalog.transaction(() => {
    catalog.verdicts.prune();
    catalog.keepFacts.prune();
  });
  summary.seconds = Math.round((performance.now() - started) / 10) / 100;
  return summary;
}

/** Counts a photo analysed now by why it was analysed. */
function countAnalysed(summary: ScanSummary, kind: PendingKind): void {
  if (kind === 'new') summary.added++;
  else if (kind === 'changed') summary.updated++;
  else if (kind === 'resumed') summary.resumed++;
}

/** Analyse pending photos with bounded concurrency; identical files share one analysis. */
async function analyseAll(
  catalog: Catalog,
  queue: Pending[],
  options: ScanOptions,
  signal: AbortSignal,
  progress: (p: Progress) => void,
  summary: ScanSummary,
  dupVersion: string | null,
): Promise<void> {
  const batchSize = options.batchSize ?? 32;
  let writes: (() => void)[] = [];
  let lastFlush = performance.now();
  const flush = () => {
    if (writes.length)
      timeStageSync('database', () => catalog.transaction(() => writes.forEach((w) => w())), writes.length);
    writes = [];
    lastFlush = performance.now();
  };
  let next = 0;
  let done = 0;
  // Identical files met in this scan: the first is analysed, the others wait for it and share its analysis.
  const analysing = new Map<string, Promise<number | null>>();
  const worker = async () => {
    while (next < queue.length) {
      signal.throwIfAborted();
      const item = queue[next++];
      const hash = catalog.photoById(item.id)?.contentHash ?? null;
      const twinId = hash
        ? (catalog.readyTwin(hash, item.id, dupVersion)?.id ?? (await analysing.get(hash)) ?? null)
        : null;
      if (twinId !== null) {
        writes.push(() => catalog.copyAnalysis(item.id, twinId));
        countAnalysed(summary, item.kind);
      } else {
        let analysed: (id: number | null) => void = () => {};
        if (hash) analysing.set(hash, new Promise((resolve) => (analysed = resolve)));
        try {
          const analysis = await options.analyzer.analyze(item.file.path, signal);
          const after = await stat(item.file.path).catch(() => null);
          if (!after) {
            writes.push(() => catalog.markGone(item.id));
          } else if (after.size !== item.file.size || Math.trunc(after.mtimeMs) !== item.file.mtimeMs) {
            summary.failed.push({
              path: item.file.path,
              error: 'file changed during the scan; it will be analysed by the next scan',
            });
          } else {
            writes.push(() => catalog.recordAnalysis(item.id, analysis));
            countAnalysed(summary, item.kind);
            analysed(item.id);
          }
        } catch (error) {
          if (signal.aborted) throw error;
          const gone =
            (error as NodeJS.ErrnoException).code === 'ENOENT' || !(await stat(item.file.path).catch(() => null));
          if (gone) writes.push(() => catalog.markGone(item.id));
          else {
            // The list names the file already: the reason need not repeat it.
            const message = scanFailureReason(error, item.file.path);
            summary.failed.push({ path: item.file.path, error: message });
            writes.push(() => catalog.recordFailure(item.id, message));
          }
        } finally {
          analysed(null); // no-op once resolved with an id; otherwise twins analyse themselves
        }
      }
      progress({ phase: 'encode', done: ++done, total: queue.length, path: item.file.path });
      if (writes.length >= batchSize || performance.now() - lastFlush > 1000) flush();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  } finally {
    flush(); // keep everything finished before a cancel or an error
  }
}
