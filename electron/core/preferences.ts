/**
 * Choices of this machine rather than of a library (`preferences.json` in the user data folder): which execution
 * provider runs the model. A library may live on a disk that moves between machines; a GPU does not.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ProviderName } from '../../model/types.js';
import { userDataDir } from './paths.js';

/** `auto`: the best provider this machine can start (CUDA, DirectML, CoreML, then the CPU). */
export type ProviderChoice = 'auto' | ProviderName;

export interface Preferences {
  provider: ProviderChoice;
}

const PROVIDERS: readonly ProviderChoice[] = ['auto', 'cuda', 'dml', 'coreml', 'cpu'];

export function preferencesFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userDataDir(env), 'preferences.json');
}

export function readPreferences(env: NodeJS.ProcessEnv = process.env): Preferences {
  try {
    const value = JSON.parse(readFileSync(preferencesFile(env), 'utf8')) as { provider?: unknown };
    const provider = PROVIDERS.find((p) => p === value.provider);
    return { provider: provider ?? 'auto' };
  } catch {
    return { provider: 'auto' }; // none saved, or a file this build cannot read
  }
}

export function writePreferences(change: Partial<Preferences>, env: NodeJS.ProcessEnv = process.env): Preferences {
  const next = { ...readPreferences(env), ...change };
  const file = preferencesFile(env);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.new`, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(`${file}.new`, file);
  return next;
}

/** The providers to try for a choice, best first (undefined: every one this machine may have). */
export function providersFor(choice: ProviderChoice): ProviderName[] | undefined {
  return choice === 'auto' ? undefined : choice === 'cpu' ? ['cpu'] : [choice, 'cpu'];
}
