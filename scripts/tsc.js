#!/usr/bin/env node
// Run tsc with the given project, adding types/electron-fallback.d.ts only where electron is not installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const p = args.indexOf('-p');
const hasElectronTypes = existsSync(new URL('../node_modules/electron/electron.d.ts', import.meta.url));
if (!hasElectronTypes && p >= 0) args[p + 1] = args[p + 1].replace(/\.json$/, '.fallback.json');
const tsc = require.resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
