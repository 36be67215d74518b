import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ARTIFACTS_DIR, packageRoot } from '../../model/artifacts-dir.js';

export { packageRoot };

export const packageVersion: string = (
  JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;

/** The built renderer (vite output). */
export const rendererDir = path.join(packageRoot, 'dist', 'renderer');

/** Model artifacts (ONNX files and manifest.json). */
export const modelDir = DEFAULT_ARTIFACTS_DIR;

/** The per-user data folder: XDG on Linux, Application Support on macOS, %APPDATA% on Windows. */
export function userDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = env.HOME ?? os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Lookalike');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Lookalike');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'lookalike');
}
