import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelStatus } from '../api/contract.js';
import type { HandlerGroup } from '../api/dispatch.js';
import { packageVersion } from './paths.js';

export interface AppContext {
  dbPath: string;
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
      platform: `${process.platform}-${process.arch}`,
      node: process.versions.node,
      model: await ctx.modelStatus(),
    }),
    'app.ping': async ({ message, delayMs = 0, steps = 1 }, { signal, onProgress }) => {
      for (let step = 1; step <= steps; step++) {
        await sleep(delayMs / steps, undefined, { signal });
        onProgress({ phase: 'group', done: step, total: steps });
      }
      return { message, receivedAt: new Date().toISOString() };
    },
  };
}
