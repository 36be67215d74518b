/**
 * Where the model's own files live: `model/artifacts` (ONNX files and manifest.json) of the lookalike package,
 * found from source or from dist/. It is only the default: the app passes the folder it uses
 * (electron/core/paths.ts takes its package root from here), and every reader of artifacts takes a folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (the folder holding lookalike's package.json), from source or from dist/. */
export const packageRoot: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'lookalike'
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the lookalike package root');
    dir = parent;
  }
})();

/** The shipped model artifacts. */
export const DEFAULT_ARTIFACTS_DIR = path.join(packageRoot, 'model', 'artifacts');
