/**
 * The trainer's public API: `trainHead(options, {signal, onProgress})` trains a hashing head in a
 * worker thread and resolves with the ONNX bytes and metadata. Nothing is written until the caller
 * installs the result (`installTrainedHead`), so a cancelled or failed run leaves the previous head in place.
 */
import { DEFAULT_ARTIFACTS_DIR, installHead, type HeadEntry } from '../../model/backbone/manifest.js';
import { startModuleWorker } from '../../model/module-worker.js';
import type { HeadMetadata } from '../compute/export-head.js';
import { DEFAULT_OPTIONS, type TrainingData, type TrainOptions, type TrainProgress } from './training-options.js';

export type { HeadMetadata } from '../compute/export-head.js';
export type { TrainProgress, TrainingData, TrainOptions } from './training-options.js';

export interface TrainHeadOptions extends Partial<Omit<TrainOptions, 'policy' | 'drlih'>> {
  data: TrainingData;
  /** Recorded in the metadata, e.g. "albums: 1,204 photos in 17 albums". */
  dataDescription: string;
  policy?: Partial<TrainOptions['policy']>;
  drlih?: Partial<TrainOptions['drlih']>;
}

export type TrainerRequest =
  { type: 'start'; data: TrainingData; options: TrainOptions; dataDescription: string } | { type: 'cancel' };

export type TrainerResponse =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'done'; onnx: Uint8Array; metadata: HeadMetadata }
  | { type: 'error'; name: string; message: string };

export function resolveOptions(options: Omit<TrainHeadOptions, 'data' | 'dataDescription'>): TrainOptions {
  return {
    ...DEFAULT_OPTIONS,
    ...options,
    policy: { ...DEFAULT_OPTIONS.policy, ...options.policy },
    drlih: { ...DEFAULT_OPTIONS.drlih, ...options.drlih },
  };
}

export function trainHead(
  options: TrainHeadOptions,
  hooks: { signal?: AbortSignal; onProgress?: (progress: TrainProgress) => void } = {},
): Promise<{ onnx: Uint8Array; metadata: HeadMetadata }> {
  const { data, dataDescription, ...rest } = options;
  const resolved = resolveOptions(rest);
  return new Promise((resolve, reject) => {
    if (hooks.signal?.aborted) {
      reject(new DOMException('training cancelled', 'AbortError'));
      return;
    }
    const worker = startModuleWorker(import.meta.url, 'train-worker');
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      action();
    };
    const onAbort = () => worker.postMessage({ type: 'cancel' } satisfies TrainerRequest);
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: TrainerResponse) => {
      if (message.type === 'progress') hooks.onProgress?.(message.progress);
      else if (message.type === 'done') finish(() => resolve({ onnx: message.onnx, metadata: message.metadata }));
      else
        finish(() =>
          reject(
            message.name === 'AbortError'
              ? new DOMException(message.message, 'AbortError')
              : new Error(`training failed: ${message.message}`),
          ),
        );
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) => finish(() => reject(new Error(`training worker exited early (code ${code})`))));
    worker.postMessage({ type: 'start', data, options: resolved, dataDescription } satisfies TrainerRequest);
  });
}

/**
 * Records a finished run in the model manifest (model/artifacts/manifest.json) as `head-<id>.onnx`,
 * through the manifest's own writer. Call it only with a resolved result: a cancelled or failed run
 * never reaches it, so the previous head stays installed.
 */
export function installTrainedHead(
  result: { onnx: Uint8Array; metadata: HeadMetadata },
  id: string,
  options: { backboneVersion: string; dir?: string; makeDefault?: boolean },
): HeadEntry {
  const { metadata } = result;
  return installHead(
    options.dir ?? DEFAULT_ARTIFACTS_DIR,
    id,
    result.onnx,
    {
      version: metadata.version,
      kind: metadata.method,
      bits: metadata.bits,
      backboneVersion: options.backboneVersion,
      input: { name: 'descriptor', dim: metadata.inputDim },
      output: { name: 'logits' },
      fittedOn: metadata.data,
      metrics: metadata.metrics,
    },
    { makeDefault: options.makeDefault },
  );
}
