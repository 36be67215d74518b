/**
 * The onnxruntime-node adapter: the only module that imports onnxruntime-node.
 *
 * Low level: `openSession` runs any ONNX model (the trainer uses it for its compute graphs) with plain
 * `Tensor`s in and out. The execution provider is chosen explicitly, in order — CUDA where the CUDA
 * provider library is installed, DirectML on Windows, CoreML on macOS, else CPU — and every provider
 * that was skipped is reported with the reason, so `app.info` can say what runs the model and why.
 *
 * High level: `Encoder` is the query network — the backbone (pixels → descriptor) and one hashing head
 * per role (descriptor → K logits, bit k = logit k > 0): 'dup' makes the duplicate code, 'sim' the
 * similarity code, both from the same backbone run. Heads are separate sessions, so a new head can
 * re-encode cached descriptors without running the backbone again. Artifacts and their hashes come from
 * model/artifacts/manifest.json (which head serves which role: `roles`, else `defaultHead`).
 */
import * as ort from 'onnxruntime-node';
import type { ModelStatus, ProviderName } from './types.js';
import {
  DEFAULT_ARTIFACTS_DIR,
  HEAD_ROLES,
  readManifest,
  readVerifiedArtifact,
  type HeadEntry,
  type HeadRole,
  type ModelManifest,
} from './backbone/manifest.js';
import type { RawImage, Tensor } from './types.js';
import { describeModel, type HeadChoice, headStatus, resolveRoleHeads, type RoleHead } from './heads.js';
import { planProviders, type ProviderPlan } from './providers.js';
import { timeStage } from './stage-clock.js';

export type { HeadRole, ProviderName };
export { describeModel, planProviders, type ProviderPlan, type RoleHead };

/** An int64 tensor, for graphs that take indices or shapes as inputs. */
export interface Int64Tensor {
  data: BigInt64Array;
  dims: number[];
}

/** Raw pixels (uint8), the backbone's input: decoded images go in without a float copy. */
export interface Uint8Tensor {
  data: Uint8Array;
  dims: number[];
}

export type Feed = Tensor | Int64Tensor | Uint8Tensor;

export interface SessionOptions {
  /** Providers to try, in order; CPU is always appended as the last resort. Default: `defaultProviders()`. */
  providers?: ProviderName[];
  /** Intra-op threads; default lets onnxruntime use every core. */
  threads?: number;
}

export interface TensorSession {
  readonly provider: ProviderName;
  /** One line per provider that was tried or considered and not used, with the reason. */
  readonly providerNotes: string[];
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the graph; float32 outputs come back as they are, integer/bool outputs converted to float32. */
  run(feeds: Record<string, Feed>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

function toOrtTensor(feed: Feed): ort.Tensor {
  if (feed.data instanceof BigInt64Array) return new ort.Tensor('int64', feed.data, feed.dims);
  if (feed.data instanceof Uint8Array) return new ort.Tensor('uint8', feed.data, feed.dims);
  return new ort.Tensor('float32', feed.data, feed.dims);
}

function fromOrtTensor(name: string, t: ort.Tensor): Tensor {
  const dims = [...t.dims];
  if (t.type === 'float32') return { data: t.data as Float32Array, dims };
  if (t.type === 'int64' || t.type === 'int32' || t.type === 'uint8' || t.type === 'bool') {
    const src = t.data as ArrayLike<number | bigint>;
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
    return { data: out, dims };
  }
  throw new Error(`output ${name}: unsupported tensor type ${t.type}`);
}

const GRAPH_OPTIONS = { graphOptimizationLevel: 'all' as const, enableCpuMemArena: true };

/** Opens a model (bytes or a file path) on the best provider that starts, falling back towards CPU. */
export async function openSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<TensorSession> {
  const plan = planProviders(options.providers);
  const notes = [...plan.notes];
  let lastError: unknown = null;
  for (const provider of plan.candidates) {
    try {
      const sessionOptions: ort.InferenceSession.SessionOptions = {
        ...GRAPH_OPTIONS,
        executionProviders: [provider],
        ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      };
      const session =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, sessionOptions)
          : await ort.InferenceSession.create(model, sessionOptions);
      return wrapSession(session, provider, notes);
    } catch (error) {
      lastError = error;
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      notes.push(`${provider}: failed to start (${message})`);
    }
  }
  throw new Error(`no execution provider could load the model: ${notes.join('; ')}`, { cause: lastError });
}

function wrapSession(session: ort.InferenceSession, provider: ProviderName, notes: string[]): TensorSession {
  return {
    provider,
    providerNotes: notes,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, feed] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(feed);
      const results = await session.run(ortFeeds);
      const out: Record<string, Tensor> = {};
      for (const [name, value] of Object.entries(results)) out[name] = fromOrtTensor(name, value as ort.Tensor);
      return out;
    },
    release: () => session.release(),
  };
}

export interface EncoderOptions extends HeadChoice {
  /** Folder holding manifest.json and the ONNX files (default model/artifacts). */
  artifactsDir?: string;
  /**
   * The head of each role, by id: 'dup' makes the duplicate code, 'sim' the similarity code. A role left
   * out uses the manifest's (`roles[role]`, else `defaultHead`); `null`: no code of that role.
   */
  heads?: Partial<Record<HeadRole, string | null>>;
  /** Shorthand: this head for every role `heads` leaves out; `null` for descriptors only (the head fitters). */
  head?: string | null;
  providers?: ProviderName[];
  threads?: number;
  /**
   * Images per backbone run. Default: 2 on the CPU with one thread, where a larger batch gains nothing and its
   * activations cost memory (the mixed library through the encode pipeline, the network on its own thread: batch 16,
   * 12.3 s and 473 MB; batch 2, 11.3 s and 357 MB),
   * else 16 (a GPU, or several threads that split a batch's work).
   */
  batchSize?: number;
}

export interface HashedCode {
  /** Head outputs. */
  logits: Float32Array;
  /** Packed code: bit k = logits[k] > 0, bit k in word k >> 5 at bit k & 31 (little-endian bit vector). */
  code: Uint32Array;
}

export interface EncodedImage {
  /** Unit-norm backbone descriptor (cache it: a new head re-encodes from it). */
  descriptor: Float32Array;
  /** Per role; null when the encoder has no head for the role or the role was not asked for. */
  codes: Record<HeadRole, HashedCode | null>;
}

export interface EncodeOptions {
  /** The roles image `index` is hashed for (default every role with a head), e.g. only 'dup' for rotated copies. */
  roles?: (index: number) => readonly HeadRole[];
}

/** Packs one row of logits into a little-endian bit vector of 32-bit words. */
export function packLogits(logits: ArrayLike<number>): Uint32Array {
  const words = new Uint32Array(Math.ceil(logits.length / 32));
  for (let k = 0; k < logits.length; k++) if (logits[k] > 0) words[k >>> 5] |= 1 << (k & 31);
  return words;
}

/** The code as a fixed-width hex number (bit k of the code is bit k of the number), e.g. for JSON. */
export function codeToHex(code: Uint32Array, bits: number): string {
  let hex = '';
  for (let w = code.length - 1; w >= 0; w--) hex += (code[w] >>> 0).toString(16).padStart(8, '0');
  return hex.slice(hex.length - Math.ceil(bits / 4));
}

/**
 * The query network on onnxruntime: RawImage → descriptor (one backbone run) → a code per role (one run
 * of each distinct head on the same descriptors; roles that name the same head share its session and run).
 */
export class Encoder {
  readonly manifest: ModelManifest;
  /** The head of each role; null: the encoder makes no code of that role. */
  readonly roles: Readonly<Record<HeadRole, RoleHead | null>>;
  private readonly batchSize: number;
  private readonly counters = { backbone: 0, heads: 0 };

  private constructor(
    manifest: ModelManifest,
    roles: Record<HeadRole, RoleHead | null>,
    private readonly backboneSession: TensorSession,
    /** One session per distinct head id. */
    private readonly headSessions: Map<string, TensorSession>,
    batchSize: number,
  ) {
    this.manifest = manifest;
    this.roles = roles;
    this.batchSize = batchSize;
  }

  static async open(options: EncoderOptions = {}): Promise<Encoder> {
    const dir = options.artifactsDir ?? DEFAULT_ARTIFACTS_DIR;
    const manifest = readManifest(dir);
    if (!manifest) throw new Error(`no model in ${dir} (run \`npm run build:model\`)`);
    const roles = resolveRoleHeads(manifest, options);
    const heads = new Map<string, HeadEntry>();
    for (const head of Object.values(roles)) {
      if (!head) continue;
      if (head.entry.input.dim !== manifest.backbone.output.dim) {
        throw new Error(
          `head ${head.entry.version} reads ${head.entry.input.dim}-d descriptors but the backbone makes ${manifest.backbone.output.dim}-d ones`,
        );
      }
      heads.set(head.id, head.entry);
    }
    const sessionOptions = { providers: options.providers, threads: options.threads };
    const backbone = await openSession(readVerifiedArtifact(dir, manifest.backbone), sessionOptions);
    const headSessions = new Map<string, TensorSession>();
    try {
      // A head is a few kilo-flops per image: CPU always, no device transfer.
      for (const [id, entry] of heads)
        headSessions.set(id, await openSession(readVerifiedArtifact(dir, entry), { providers: ['cpu'], threads: 1 }));
    } catch (error) {
      await Promise.all([backbone.release(), ...[...headSessions.values()].map((s) => s.release())]);
      throw error;
    }
    const oneCore = backbone.provider === 'cpu' && options.threads === 1;
    return new Encoder(manifest, roles, backbone, headSessions, options.batchSize ?? (oneCore ? 2 : 16));
  }

  /** How to decode images for `encode` (size × size RGB, aspect ratio not kept). */
  get decodeOptions(): { size: number; fit: 'fill'; channels: 3 } {
    return { size: this.manifest.backbone.input.size, fit: 'fill', channels: 3 };
  }

  get descriptorDim(): number {
    return this.manifest.backbone.output.dim;
  }

  /** The version stored with cached descriptors: a head re-hashes only descriptors of this backbone. */
  get backboneVersion(): string {
    return this.manifest.backbone.version;
  }

  get provider(): ProviderName {
    return this.backboneSession.provider;
  }

  /** Session runs so far: backbone runs (one per batch of images) and head runs (one per distinct head per call). */
  runs(): { backbone: number; heads: number } {
    return { ...this.counters };
  }

  status(): ModelStatus {
    return {
      state: 'ready',
      ...headStatus(this.manifest.backbone, this.roles),
      provider: this.provider,
      providerNotes: [...this.backboneSession.providerNotes],
    };
  }

  /** Backbone descriptors of decoded images (each size × size, as `decodeOptions` gives). */
  async describe(images: RawImage[]): Promise<Float32Array[]> {
    const size = this.manifest.backbone.input.size;
    const perImage = size * size * 3;
    const out: Float32Array[] = [];
    for (let start = 0; start < images.length; start += this.batchSize) {
      const batch = images.slice(start, start + this.batchSize);
      const pixels = new Uint8Array(batch.length * perImage);
      batch.forEach((image, i) => pixels.set(rgbPixels(image, size), i * perImage));
      this.counters.backbone++;
      const result = await timeStage(
        'backbone',
        () => this.backboneSession.run({ pixels: { data: pixels, dims: [batch.length, size, size, 3] } }),
        batch.length,
      );
      const { data } = result[this.manifest.backbone.output.name];
      const dim = this.descriptorDim;
      for (let i = 0; i < batch.length; i++) out.push(data.slice(i * dim, (i + 1) * dim));
    }
    return out;
  }

  /** One role's head outputs and codes for descriptors (fresh or cached ones). */
  async hash(role: HeadRole, descriptors: Float32Array[]): Promise<HashedCode[]> {
    const head = this.roles[role];
    if (!head) throw new Error(`this encoder has no hashing head for '${role}'`);
    return this.runHead(head, descriptors);
  }

  private async runHead(head: RoleHead, descriptors: Float32Array[]): Promise<HashedCode[]> {
    if (descriptors.length === 0) return [];
    const dim = this.descriptorDim;
    const input = new Float32Array(descriptors.length * dim);
    descriptors.forEach((d, i) => {
      if (d.length !== dim) throw new Error(`descriptor ${i} has ${d.length} values, expected ${dim}`);
      input.set(d, i * dim);
    });
    this.counters.heads++;
    const result = await timeStage(
      'heads',
      () =>
        this.headSessions
          .get(head.id)!
          .run({ [head.entry.input.name]: { data: input, dims: [descriptors.length, dim] } }),
      descriptors.length,
    );
    const logits = result[head.entry.output.name].data;
    const bits = head.bits;
    return descriptors.map((_, i) => {
      const row = logits.slice(i * bits, (i + 1) * bits);
      return { logits: row, code: packLogits(row) };
    });
  }

  /** Descriptors and codes: the backbone runs once per image, each distinct head once over the images that want it. */
  async encode(images: RawImage[], options: EncodeOptions = {}): Promise<EncodedImage[]> {
    const descriptors = await this.describe(images);
    const encoded: EncodedImage[] = descriptors.map((descriptor) => ({ descriptor, codes: { dup: null, sim: null } }));
    const all = HEAD_ROLES.filter((role) => this.roles[role]);
    const wanted = descriptors.map((_, i) => options.roles?.(i) ?? all);
    const byHead = new Map<string, { head: RoleHead; roles: HeadRole[] }>();
    for (const role of all) {
      const head = this.roles[role]!;
      const group = byHead.get(head.id) ?? { head, roles: [] };
      group.roles.push(role);
      byHead.set(head.id, group);
    }
    for (const { head, roles } of byHead.values()) {
      const indices = wanted.flatMap((want, i) => (roles.some((role) => want.includes(role)) ? [i] : []));
      const hashed = await this.runHead(
        head,
        indices.map((i) => descriptors[i]),
      );
      indices.forEach((i, j) => {
        for (const role of roles) if (wanted[i].includes(role)) encoded[i].codes[role] = hashed[j];
      });
    }
    return encoded;
  }

  async close(): Promise<void> {
    await Promise.all([this.backboneSession.release(), ...[...this.headSessions.values()].map((s) => s.release())]);
  }
}

/** The image's pixels as size × size RGB; greyscale is expanded and alpha dropped (decodeImage already flattens it). */
function rgbPixels(image: RawImage, size: number): Uint8Array {
  if (image.width !== size || image.height !== size) {
    throw new Error(
      `image is ${image.width}×${image.height}; the encoder takes ${size}×${size} (decode with encoder.decodeOptions)`,
    );
  }
  if (image.channels === 3) return image.data;
  const out = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = image.data[i * image.channels + (image.channels === 1 ? 0 : c)];
  }
  return out;
}
