import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../tests/helpers/temp-dir.js';

describe('startModuleWorker', () => {
  it('starts a built worker from a process run with `node --input-type=module -e` (the flag is not passed on)', () => {
    const dir = tempDir('module-worker');
    // A built module beside its caller, as in dist/: the worker answers once it runs.
    writeFileSync(
      path.join(dir, 'echo-worker.js'),
      "import { parentPort } from 'node:worker_threads'; parentPort.postMessage('running');",
    );
    const caller = pathToFileURL(path.join(dir, 'caller.js')).href;
    const moduleWorker = new URL('./module-worker.ts', import.meta.url).href;
    const script = `
      const { startModuleWorker } = await import(${JSON.stringify(moduleWorker)});
      const worker = startModuleWorker(${JSON.stringify(caller)}, 'echo-worker');
      const said = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
      await worker.terminate();
      console.log(said);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('running');
  });
});
