/**
 * Which hashing head serves each role ('dup': the duplicate code, 'sim': the similarity code), as the manifest or
 * the caller chooses, the version stored with their codes, and the model's status before it is loaded.
 */
import {
  DEFAULT_ARTIFACTS_DIR,
  readManifest,
  roleHeadId,
  type BackboneEntry,
  type HeadEntry,
  type HeadRole,
  type ModelManifest,
} from './backbone/manifest.js';
import type { ModelStatus } from './types.js';

/** The head of each role, by id (`heads`), or one head for every role left out (`head`); see EncoderOptions. */
export interface HeadChoice {
  heads?: Partial<Record<HeadRole, string | null>>;
  head?: string | null;
}

/** The head one role uses, as the encoder loaded it. */
export interface RoleHead {
  /** The head's id in the manifest. */
  id: string;
  entry: HeadEntry;
  bits: number;
  /** Backbone + head version: stored with every code this head makes. */
  version: string;
}

/** What the model is, without loading it: for `app.info` before the encoder has been opened. */
export function describeModel(artifactsDir = DEFAULT_ARTIFACTS_DIR, options: HeadChoice = {}): ModelStatus {
  const unavailable = (state: 'missing' | 'error', message: string): ModelStatus => ({
    state,
    version: null,
    bits: null,
    heads: { dup: null, sim: null },
    provider: null,
    providerNotes: [],
    message,
  });
  let manifest: ModelManifest | null;
  let roles: Record<HeadRole, RoleHead | null>;
  try {
    manifest = readManifest(artifactsDir);
    if (!manifest) return unavailable('missing', `no model in ${artifactsDir} (run \`npm run build:model\`)`);
    roles = resolveRoleHeads(manifest, options);
  } catch (error) {
    return unavailable('error', String(error));
  }
  return { state: 'not-loaded', ...headStatus(manifest.backbone, roles), provider: null, providerNotes: [] };
}

export function headStatus(
  backbone: BackboneEntry,
  roles: Record<HeadRole, RoleHead | null>,
): Pick<ModelStatus, 'version' | 'bits' | 'heads'> {
  const status = (head: RoleHead | null) => (head ? { version: head.version, bits: head.bits } : null);
  return {
    version: roles.dup?.version ?? backbone.version,
    bits: roles.dup?.bits ?? null,
    heads: { dup: status(roles.dup), sim: status(roles.sim) },
  };
}

/** Each role's head: `options.heads[role]`, else `options.head`, else the manifest's choice for the role. */
export function resolveRoleHeads(manifest: ModelManifest, options: HeadChoice): Record<HeadRole, RoleHead | null> {
  const resolve = (role: HeadRole): RoleHead | null => {
    const requested = options.heads?.[role];
    const id =
      requested !== undefined ? requested : options.head !== undefined ? options.head : roleHeadId(manifest, role);
    if (id === null) return null;
    const entry = manifest.heads[id];
    if (!entry)
      throw new Error(
        `model head ${id} (${role}) is not in the manifest (known: ${Object.keys(manifest.heads).join(', ') || 'none'})`,
      );
    return { id, entry, bits: entry.bits, version: modelVersion(manifest.backbone, entry) };
  };
  return { dup: resolve('dup'), sim: resolve('sim') };
}

/** The version stored with every code: backbone and head together decide the bits. */
export function modelVersion(backbone: BackboneEntry, head: HeadEntry): string {
  return `${backbone.version}+${head.version}`;
}
