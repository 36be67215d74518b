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
import { ModelHost } from './model-host.js';
import { modelHandlers } from './model-handlers.js';

export interface AppConfig {
  dbPath: string;
  /** Override the query network (tests); default: the model artifacts under model/artifacts. */
  loadEncoder?: (options: { geometric: boolean }) => Promise<PhotoEncoder>;
  /** How files go to the OS trash (Electron passes shell.trashItem); default: the `trash` package. */
  trashFile?: TrashFile;
  /** Handlers only one front end can offer (the desktop app's folder picker). */
  extraHandlers?: HandlerGroup;
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
  const model = new ModelHost();
  const library = new Library(
    config.dbPath,
    config.loadEncoder ?? ((options) => model.photoEncoder(options)),
    config.trashFile,
  );
  const search = SearchService.of(library, () => model.presetRules());
  const jobsHere = config.jobs === 'here' || (config.jobs === undefined && config.loadEncoder !== undefined);
  const thread = jobsHere
    ? null
    : new JobThread(
        () => startModuleWorker(import.meta.url, 'job-worker', { workerData: { dbPath: config.dbPath } }),
        (event) => {
          // The worker changed the library: what this thread cached of it is stale.
          if (event.type === 'library.changed') library.touch();
          dispatcher.broadcast(event);
        },
        { trashFile: (file) => library.trashFile(file) },
      );
  const dispatcher: Dispatcher = new Dispatcher(
    withJobs(
      mergeHandlers(
        appHandlers({
          dbPath: config.dbPath,
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
  );
  const previews = new Previews(library);
  return {
    dispatcher,
    library,
    search,
    model,
    thumbnail: (photoId) => library.get().thumbnail(photoId)?.webp,
    preview: (photoId) => previews.get(photoId),
    close: async () => {
      await thread?.close();
      library.close();
      await model.close();
    },
  };
}

/** `handlers` with the jobs' methods replaced by `jobs` (when jobs run on a thread). */
function withJobs(handlers: HandlerGroup, jobs: HandlerGroup | undefined): HandlerGroup {
  return jobs ? { ...handlers, ...jobs } : handlers;
}

/** Shorthand for callers that only need the dispatcher. */
export function createDispatcher(config: AppConfig): Dispatcher {
  return createApp(config).dispatcher;
}
