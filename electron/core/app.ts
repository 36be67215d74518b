import { Dispatcher, type HandlerGroup, mergeHandlers } from '../api/dispatch.js';
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
}

export interface App {
  dispatcher: Dispatcher;
  library: Library;
  search: SearchService;
  model: ModelHost;
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
  const dispatcher = new Dispatcher(
    mergeHandlers(
      appHandlers({
        dbPath: config.dbPath,
        // Loading the model is what tells which provider runs it; a model that cannot load reports why.
        modelStatus: async () => {
          await model.encoder().catch(() => undefined);
          return model.status();
        },
      }),
      modelHandlers(model),
      libraryHandlers(library),
      duplicateHandlers(library, search),
      similarHandlers(library, search),
      config.extraHandlers ?? {},
    ),
  );
  return {
    dispatcher,
    library,
    search,
    model,
    close: async () => {
      library.close();
      await model.close();
    },
  };
}

/** Shorthand for callers that only need the dispatcher. */
export function createDispatcher(config: AppConfig): Dispatcher {
  return createApp(config).dispatcher;
}
