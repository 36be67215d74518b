import { Previews } from '../library/previews.js';
import { Dispatcher, type HandlerGroup, mergeHandlers } from '../api/dispatch.js';
import { JOB_METHODS, JobThread } from '../jobs/job-thread.js';
import { startModuleWorker } from '../../model/module-worker.js';
import type { PhotoEncoder } from '../library/analyzer.js';
import { libraryHandlers } from '../library/handlers.js';
import { Library } from '../library/library.js';
import type { TrashFile } from '../library/trash.js';
import { duplicateHandlers, similarHandlers } from '../search/handlers.js';
import { SearchService } from '../search/service.js';
import { appHandlers } from './app-handlers.js';
import type { LibrarySource } from './location.js';
import { FolderWatch, unwatchableReason } from './watch.js';
import { providersFor, readPreferences } from './preferences.js';
import { toApiError } from '../api/errors.js';
import { ModelHost } from './model-host.js';
import { modelHandlers } from './model-handlers.js';

export interface AppConfig {
  dbPath: string;
  /** What chose `dbPath` (electron/core/location.ts); default `flag`: a path given outright. */
  dbSource?: LibrarySource;
  /** Override the query network (tests); default: the model artifacts under model/artifacts. */
  loadEncoder?: (options: { geometric: boolean }) => Promise<PhotoEncoder>;
  /** How files go to the OS trash (Electron passes shell.trashItem); default: the `trash` package. */
  trashFile?: TrashFile;
  /** Handlers only one front end can offer (the desktop app's folder picker). */
  extraHandlers?: HandlerGroup;
  /**
   * Watch the library's folders while the app runs, when the library's `watch` setting is on (the long-running
   * front ends: the desktop app and `lookalike serve`). Default: off.
   */
  watch?: boolean;
  /**
   * Where scans and duplicate searches run (electron/jobs/job-thread.ts): `thread`, a worker thread, keeps this
   * thread free for the window; `here` runs them in this thread. Default: `thread`, except with `loadEncoder`
   * (an injected encoder cannot cross to another thread).
   */
  jobs?: 'thread' | 'here';
}

export interface App {
  dispatcher: Dispatcher;
  library: Library;
  search: SearchService;
  model: ModelHost;
  /**
   * A library photo's stored WebP thumbnail (what the front ends serve at app://thumb/<id> and /thumb/<id>), or
   * undefined for an unknown photo: the one way they read thumbnails.
   */
  thumbnail(photoId: number): Uint8Array | undefined;
  /**
   * A larger WebP view of a library photo, decoded from its file (upright, longer side at most PREVIEW_SIDE), for the
   * compare view (app://preview/<id>, /preview/<id>); undefined for an unknown or gone photo or an unreadable file.
   */
  preview(photoId: number): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

/** The composition root: every domain's handlers behind one dispatcher. */
export function createApp(config: AppConfig): App {
  // The provider chosen in Settings (this machine's preference), from this start on.
  const model = new ModelHost(undefined, providersFor(readPreferences().provider));
  const library = new Library(
    config.dbPath,
    config.loadEncoder ?? ((options) => model.photoEncoder(options)),
    config.trashFile,
  );
  const search = SearchService.of(library, () => model.presetRules());
  // Watch folders: made below, once the dispatcher it scans through is there.
  let watch: FolderWatch | null = null;
  const jobsHere = config.jobs === 'here' || (config.jobs === undefined && config.loadEncoder !== undefined);
  const thread = jobsHere
    ? null
    : new JobThread(
        () => startModuleWorker(import.meta.url, 'job-worker', { workerData: { dbPath: config.dbPath } }),
        (event) => {
          // The worker changed the library: what this thread cached of it is stale.
          if (event.type === 'library.changed') {
            library.touch();
            watch?.refresh(); // a scan may have added a folder
          }
          dispatcher.broadcast(event);
        },
        { trashFile: (file) => library.trashFile(file) },
      );
  const dispatcher: Dispatcher = new Dispatcher(
    withWatch(
      withJobs(
        mergeHandlers(
          appHandlers({
            dbPath: config.dbPath,
            dbSource: config.dbSource ?? 'flag',
            // Loading the model is what tells which provider runs it; a model that cannot load reports why.
            modelStatus: async () => {
              await model.encoder().catch(() => undefined);
              return model.status();
            },
          }),
          modelHandlers(model, library),
          libraryHandlers(library),
          duplicateHandlers(library, search),
          similarHandlers(library, search),
          config.extraHandlers ?? {},
        ),
        // Scans and trash actions wait for each other here too, as they would in one thread (Library.exclusive).
        thread?.handlers(JOB_METHODS, (method, work) => (method === 'dupes.find' ? work() : library.exclusive(work))),
      ),
      () => watch?.refresh(),
    ),
  );
  watch = config.watch
    ? new FolderWatch({
        roots: () => library.get().rootPaths(),
        enabled: () => library.settings().watch,
        onUnwatchable: (folder, error) =>
          dispatcher.broadcast({ type: 'watch.unwatchable', folder, message: unwatchableReason(error) }),
        rescan: async (folders) => {
          try {
            const summary = await dispatcher.call('scan.run', { folders });
            dispatcher.broadcast({
              type: 'watch.scanned',
              folders,
              added: summary.added,
              updated: summary.updated,
              removed: summary.removed,
              failed: summary.failed.length,
            });
          } catch (error) {
            dispatcher.broadcast({ type: 'watch.failed', folders, message: toApiError(error).message });
          }
        },
      })
    : null;
  watch?.refresh();
  const previews = new Previews(library);
  return {
    dispatcher,
    library,
    search,
    model,
    thumbnail: (photoId) => library.get().thumbnail(photoId)?.webp,
    preview: (photoId) => previews.get(photoId),
    close: async () => {
      await watch?.close();
      await thread?.close();
      library.close();
      await model.close();
    },
  };
}

/**
 * `handlers` with `refresh` called after the setting changes or a scan (which may add a folder), so that watch
 * folders follow what is asked.
 */
function withWatch(handlers: HandlerGroup, refresh: () => void): HandlerGroup {
  const out: HandlerGroup = { ...handlers };
  for (const method of ['settings.set', 'scan.run'] as const) {
    const impl = handlers[method];
    if (!impl) continue;
    out[method] = (async (args: never, ctx: never) => {
      try {
        return await (impl as (a: never, c: never) => Promise<unknown>)(args, ctx);
      } finally {
        refresh();
      }
    }) as never;
  }
  return out;
}

/** `handlers` with the jobs' methods replaced by `jobs` (when jobs run on a thread). */
function withJobs(handlers: HandlerGroup, jobs: HandlerGroup | undefined): HandlerGroup {
  return jobs ? { ...handlers, ...jobs } : handlers;
}

/** Shorthand for callers that only need the dispatcher. */
export function createDispatcher(config: AppConfig): Dispatcher {
  return createApp(config).dispatcher;
}
