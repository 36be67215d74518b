/**
 * Which onnxruntime execution providers to try on this machine, best first, and why the others are left out —
 * decided without starting any (model/encoder.ts starts them, in this order).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ProviderName } from './types.js';

export interface ProviderPlan {
  /** Providers worth trying, best first, ending with 'cpu'. */
  candidates: ProviderName[];
  /** Why the others were left out. */
  notes: string[];
}

/** Where the CUDA provider library would be: next to the native binding, if the install step fetched it. */
function cudaProviderLibrary(platform: string, arch: string): string | null {
  const file =
    platform === 'win32'
      ? 'onnxruntime_providers_cuda.dll'
      : platform === 'linux'
        ? 'libonnxruntime_providers_cuda.so'
        : null;
  if (!file) return null;
  try {
    const require = createRequire(import.meta.url);
    const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
    return path.join(root, 'bin', 'napi-v6', platform, arch, file);
  } catch {
    return null;
  }
}

/**
 * Decides which providers to try on this machine without starting any of them.
 * Pure apart from the file check (injectable for tests).
 */
export function planProviders(
  requested: ProviderName[] | undefined,
  env: { platform: string; arch: string; fileExists: (p: string) => boolean; nvidiaGpu?: boolean } = {
    platform: process.platform,
    arch: process.arch,
    fileExists: existsSync,
    nvidiaGpu: process.platform === 'linux' && existsSync('/proc/driver/nvidia/version'),
  },
): ProviderPlan {
  const notes: string[] = [];
  const candidates: ProviderName[] = [];
  const wanted = requested ?? (['cuda', 'dml', 'coreml', 'cpu'] as ProviderName[]);
  for (const provider of wanted) {
    if (provider === 'cpu') continue;
    if (provider === 'cuda') {
      const lib = cudaProviderLibrary(env.platform, env.arch);
      if (!lib || env.arch !== 'x64') notes.push(`cuda: not available for ${env.platform}/${env.arch}`);
      else if (!env.fileExists(lib))
        notes.push(
          env.nvidiaGpu
            ? `cuda: this machine has an NVIDIA GPU but the CUDA provider is not installed (${path.basename(lib)} missing): run \`npm run setup:cuda\` to use it`
            : `cuda: the CUDA provider is not installed (${path.basename(lib)} missing; \`npm run setup:cuda\` adds it)`,
        );
      else candidates.push('cuda');
    } else if (provider === 'dml') {
      if (env.platform !== 'win32') notes.push('dml: DirectML runs on Windows only');
      else candidates.push('dml');
    } else if (provider === 'coreml') {
      if (env.platform !== 'darwin') notes.push('coreml: CoreML runs on macOS only');
      else candidates.push('coreml');
    }
  }
  candidates.push('cpu');
  return { candidates, notes };
}
