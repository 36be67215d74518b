import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelStatus } from '../api/contract.js';
import type { HandlerGroup } from '../api/dispatch.js';
import { isLibraryFile } from '../library/db.js';
import { chooseLocation, type LibrarySource, readLocation } from './location.js';
import { packageVersion } from './paths.js';
import { readPreferences, writePreferences } from './preferences.js';

export interface AppContext {
  dbPath: string;
  dbSource: LibrarySource;
  /** The model's status, after loading it if it can be (so the execution provider and its reasons are known). */
  modelStatus(): Promise<ModelStatus>;
}

/** `app.*`: what the app is and whether it is alive. */
export function appHandlers(ctx: AppContext): HandlerGroup {
  return {
    'app.info': async () => ({
      name: 'Lookalike',
      version: packageVersion,
      dbPath: ctx.dbPath,
      dbSource: ctx.dbSource,
      libraryNote: libraryNote(ctx),
      providerChoice: readPreferences().provider,
      platform: `${process.platform}-${process.arch}`,
      node: process.versions.node,
      model: await ctx.modelStatus(),
    }),
    'app.chooseLibraryLocation': async ({ folder, move }) => {
      const { path } = chooseLocation({ folder, move, current: ctx.dbPath }, isLibraryFile);
      const when = move
        ? `Lookalike moves the library to ${path} when it starts next`
        : `Lookalike opens ${path} when it starts next`;
      const overridden =
        ctx.dbSource === 'flag' || ctx.dbSource === 'env'
          ? `, except where it is started with ${ctx.dbSource === 'flag' ? '--db' : 'LOOKALIKE_DB'}, which this one was`
          : '';
      return { path, note: `${when}${overridden}. The library here is kept as it is.` };
    },
    'app.setProvider': async ({ provider }) => {
      writePreferences({ provider });
      const words = {
        auto: 'the best provider this machine can start',
        cuda: 'CUDA',
        dml: 'DirectML',
        coreml: 'CoreML',
        cpu: 'the CPU',
      };
      return {
        provider,
        note: `Lookalike runs the model on ${words[provider]} from its next start${provider === 'auto' || provider === 'cpu' ? '' : ', or on the CPU where that cannot start'}.`,
      };
    },
    'app.ping': async ({ message, delayMs = 0, steps = 1 }, { signal, onProgress }) => {
      for (let step = 1; step <= steps; step++) {
        await sleep(delayMs / steps, undefined, { signal });
        onProgress({ phase: 'group', done: step, total: steps });
      }
      return { message, receivedAt: new Date().toISOString() };
    },
  };
}

/** A move chosen in Settings that waits for the next start, or why the last one failed. */
function libraryNote(ctx: AppContext): string | null {
  if (ctx.dbSource === 'flag' || ctx.dbSource === 'env') return null;
  const chosen = readLocation();
  if (chosen.moveFrom && chosen.library) return `Moves to ${chosen.library} when Lookalike starts next.`;
  return chosen.failed ?? null;
}
