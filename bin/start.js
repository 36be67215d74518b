#!/usr/bin/env node
// `npm start`: the Electron app where Electron is installed, otherwise browser mode (`lookalike serve`).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));

function electronBinary() {
  try {
    return require('electron'); // the electron package exports the path of its binary
  } catch {
    return null;
  }
}

const electron = electronBinary();
const [command, args, note] = electron
  ? [electron, [root], 'Starting the Lookalike desktop app (Electron).']
  : [
      process.execPath,
      [fileURLToPath(new URL('./lookalike.js', import.meta.url)), 'serve', ...process.argv.slice(2)],
      'Electron is not installed here (it is an optional dependency), so Lookalike starts in browser mode: open the URL below in a browser.',
    ];
process.stderr.write(`${note}\n`);
const child = spawn(command, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
