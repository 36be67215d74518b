/**
 * Starts a worker thread on a module that sits beside the caller: `<name>.js` when built; from sources (tsx,
 * vitest) a tiny bootstrap registers tsx's loader inside the worker first, since loader flags do not reach
 * workers. Used by the decode pool, the trainer and the pixel check.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * `callerUrl` is the caller's `import.meta.url`; `name` the worker module's file name without extension;
 * `options.workerData` reaches the worker as `workerData`.
 */
export function startModuleWorker(
  callerUrl: string,
  name: string,
  workerOptions: Pick<WorkerOptions, 'workerData'> = {},
): Worker {
  // A worker inherits the process's flags, but `--input-type` (a process started with `node -e`) stops it starting.
  const options = { ...workerOptions, execArgv: process.execArgv.filter((flag) => !flag.startsWith('--input-type')) };
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), options);
  const tsxRoot = path.dirname(createRequire(callerUrl).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
