/**
 * `lookalike serve --port 0 --json --db DB` in a child process, as the end-to-end tests and the browser-mode
 * benchmarks start it: resolves with its URL (token included) and port once it prints them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** What the server wrote to stderr so far (when `stderr` was 'pipe'). */
  stderr: () => string;
}

export async function startServe(
  db: string,
  options: { env?: NodeJS.ProcessEnv; stderr?: 'pipe' | 'inherit' } = {},
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin', 'lookalike.js'), 'serve', '--port', '0', '--json', '--db', db],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', options.stderr ?? 'pipe'],
      env: options.env ?? process.env,
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`lookalike serve exited with ${code}: ${stderr}`)));
  });
  const { url, port } = JSON.parse(line) as { url: string; port: number };
  return { child, url, port, stderr: () => stderr };
}
