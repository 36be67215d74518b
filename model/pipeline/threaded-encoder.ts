/**
 * The query network on its own thread, for the encode pipeline (pipeline.ts). onnxruntime-node runs a session
 * synchronously on the thread that calls it: in the scan's thread a backbone run of a batch (tens of milliseconds)
 * held up every decode that finished meanwhile, leaving a core idle (measured: 1.4 of 2 cores busy). Here the
 * scan's thread only hands over pixels and takes back descriptors and codes, which are transferred, not copied.
 * The app's scan runs the network here (electron/core/model-host.ts); `bench:encode` measures it beside the scan's
 * own thread. The thread is closed, never terminated, while it may be running the network: onnxruntime-node aborts
 * the process when a thread is terminated mid-run.
 */
import type { Worker } from 'node:worker_threads';
import type { EncodedImage, EncodeOptions, EncoderOptions, HashedCode, HeadRole } from '../encoder.js';
import { startModuleWorker } from '../module-worker.js';
import { addStage, type StageTotal } from '../stage-clock.js';
import type { RawImage } from '../types.js';
import type { PipelineEncoder } from './pipeline.js';

type RoleVersions = Record<HeadRole, { version: string; bits: number } | null>;

export type EncoderRequest =
  | { type: 'encode'; id: number; images: RawImage[]; roles: (readonly HeadRole[])[] }
  | { type: 'hash'; id: number; role: HeadRole; descriptors: Float32Array[] }
  | { type: 'close' };

export type EncoderReply =
  | { type: 'ready'; decodeOptions: PipelineEncoder['decodeOptions']; roles: RoleVersions; backboneVersion: string }
  | { type: 'failed'; message: string }
  | { type: 'encoded'; id: number; encoded: EncodedImage[]; stages: Record<string, StageTotal> }
  | { type: 'hashed'; id: number; hashed: HashedCode[] }
  | { type: 'error'; id: number; message: string };

const ALL_ROLES: readonly HeadRole[] = ['dup', 'sim'];

export class ThreadedEncoder implements PipelineEncoder {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (e: never) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly decodeOptions: PipelineEncoder['decodeOptions'],
    readonly roles: Readonly<RoleVersions>,
    /** The version stored with descriptors (`Encoder.backboneVersion`). */
    readonly backboneVersion: string,
  ) {
    worker.on('message', (reply: EncoderReply) => {
      if (reply.type !== 'encoded' && reply.type !== 'hashed' && reply.type !== 'error') return;
      const call = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.type === 'error') return call?.reject(new Error(reply.message));
      if (reply.type === 'hashed') return call?.resolve(reply.hashed as never);
      // The backbone's and heads' time, measured there, counted here (the stage clock is per thread).
      for (const [stage, { ms, count }] of Object.entries(reply.stages)) addStage(stage, ms, count);
      call?.resolve(reply.encoded as never);
    });
    const lost = (error: Error) => {
      this.failure = error;
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the encoder thread stopped (exit code ${code})`)));
  }

  /** Starts the thread and opens the query network in it; rejects as `Encoder.open` would. */
  static open(options: EncoderOptions = {}): Promise<ThreadedEncoder> {
    const worker = startModuleWorker(import.meta.url, 'encoder-thread', { workerData: options });
    return new Promise((resolve, reject) => {
      const onMessage = (reply: EncoderReply) => {
        if (reply.type === 'ready') {
          cleanUp();
          resolve(new ThreadedEncoder(worker, reply.decodeOptions, reply.roles, reply.backboneVersion));
        } else if (reply.type === 'failed') {
          cleanUp();
          void worker.terminate();
          reject(new Error(reply.message));
        }
      };
      const onError = (error: Error) => {
        cleanUp();
        reject(error);
      };
      const cleanUp = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
  }

  encode(images: RawImage[], options: EncodeOptions = {}): Promise<EncodedImage[]> {
    const roles = images.map((_, i) => options.roles?.(i) ?? ALL_ROLES);
    return this.call<EncodedImage[]>((id) => ({ type: 'encode', id, images, roles }));
  }

  /** One role's codes of descriptors (`Encoder.hash`): how a new head catches up without decoding. */
  hash(role: HeadRole, descriptors: Float32Array[]): Promise<HashedCode[]> {
    return this.call<HashedCode[]>((id) => ({ type: 'hash', id, role, descriptors }));
  }

  private call<T>(request: (id: number) => EncoderRequest): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (e: never) => void, reject });
      this.worker.postMessage(request(id));
    });
  }

  /** Closes the network and ends the thread. */
  async close(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'close' } satisfies EncoderRequest);
    await exited;
  }
}
