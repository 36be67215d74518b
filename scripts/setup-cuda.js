#!/usr/bin/env node
// `npm run setup:cuda`: adds onnxruntime-node's CUDA 12 execution provider, which its install script downloads
// from outside npm. package.json's `allowScripts` denies that script (so that `npm ci` works offline and npm
// warns of no unknown setting); this runs onnxruntime-node's own installer with the CUDA flag.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const installer = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'script', 'install.js');
if (process.platform !== 'linux') {
  console.error('setup:cuda: the CUDA provider is for Linux; on Windows DirectML ships inside onnxruntime-node.');
  process.exit(1);
}
const result = spawnSync(process.execPath, [installer], {
  stdio: 'inherit',
  env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12' },
});
if (result.status !== 0) {
  console.error('setup:cuda: the CUDA provider could not be installed (the download needs internet access).');
}
process.exit(result.status ?? 1);
