import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelStatus } from '../api/contract.js';
import { Dispatcher, mergeHandlers } from '../api/dispatch.js';
import { AppError } from '../api/errors.js';
import type { CodeEncoder } from '../library/analyzer.js';
import { Library, libraryHandlers } from '../library/handlers.js';
import type { TrashFile } from '../library/trash.js';
import { duplicateHandlers } from '../search/handlers.js';
import { appHandlers } from './app-handlers.js';
import { modelDir } from './paths.js';

export interface AppConfig {
  dbPath: string;
  /** Override the query network (tests); default: the model artifacts under model/artifacts. */
  loadEncoder?: () => Promise<CodeEncoder>;
  /** How files go to the OS trash (Electron passes shell.trashItem); default: the `trash` package. */
  trashFile?: TrashFile;
}

export interface App {
  dispatcher: Dispatcher;
  library: Library;
  close(): void;
}

/** What the model artifacts on disk say, before anything is loaded. */
export function readModelStatus(dir = modelDir): ModelStatus {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    return {
      state: 'missing',
      version: null,
      bits: null,
      provider: null,
      providerNotes: [],
      message: 'No model artifacts: run `npm run build:model`.',
    };
  }
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version?: string; bits?: number };
    return {
      state: 'not-loaded',
      version: manifest.version ?? null,
      bits: manifest.bits ?? null,
      provider: null,
      providerNotes: [],
    };
  } catch (error) {
    return {
      state: 'error',
      version: null,
      bits: null,
      provider: null,
      providerNotes: [],
      message: `Unreadable manifest: ${String(error)}`,
    };
  }
}

function modelEncoderLoader(): () => Promise<CodeEncoder> {
  return () => Promise.reject(new AppError('MODEL_ERROR', 'The query network is not available yet.'));
}

/** The composition root: every domain's handlers behind one dispatcher. */
export function createApp(config: AppConfig): App {
  const library = new Library(config.dbPath, config.loadEncoder ?? modelEncoderLoader(), config.trashFile);
  const dispatcher = new Dispatcher(
    mergeHandlers(
      appHandlers({ dbPath: config.dbPath, modelStatus: () => readModelStatus() }),
      libraryHandlers(library),
      duplicateHandlers(library),
    ),
  );
  return { dispatcher, library, close: () => library.close() };
}

/** Shorthand for callers that only need the dispatcher. */
export function createDispatcher(config: AppConfig): Dispatcher {
  return createApp(config).dispatcher;
}
