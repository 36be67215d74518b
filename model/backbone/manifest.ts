/**
 * model/artifacts/manifest.json: what the model files are, how to feed them, and their SHA-256.
 * The build (model/build.ts) writes the backbone entry; head entries come from the head fitters
 * (ITQ here, the trainer later). The encoder refuses files whose hash does not match.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_ARTIFACTS_DIR } from '../artifacts-dir.js';
import type { DescriptorPart, InputRange } from './convert.js';

export const MANIFEST_FILE = 'manifest.json';
export { DEFAULT_ARTIFACTS_DIR };

export interface BackboneEntry {
  version: string;
  file: string;
  sha256: string;
  /** `pixels`: uint8 [N, size, size, 3], RGB (sRGB), NHWC, resized to size×size with `fit`. */
  input: { name: 'pixels'; dtype: 'uint8'; layout: 'NHWC'; size: number; channels: 3; fit: 'fill'; range: InputRange };
  parts: DescriptorPart[];
  /** `descriptor`: float32 [N, descriptorDim], unit L2 norm. */
  output: { name: 'descriptor'; dim: number };
  source: { package: string; version: string; model: string; sha256: Record<string, string> };
}

export interface HeadEntry {
  version: string;
  file: string;
  sha256: string;
  kind: string;
  bits: number;
  /** The backbone version whose descriptors the head was fitted on. */
  backboneVersion: string;
  /** Input `descriptor` float32 [N, dim] → output `logits` float32 [N, bits]; bit k = logits[k] > 0. */
  input: { name: string; dim: number };
  output: { name: string };
  fittedOn?: string;
  metrics?: Record<string, number>;
  evaluatedOn?: string;
  /** The duplicate-threshold presets' match rules, measured for this head by `npm run bench:dedup`. */
  presets?: HeadPresets;
}

/**
 * One preset: a Hamming radius, the minimum cosine of the duplicate embeddings a candidate pair must reach
 * (null: none) and the pixel check it must pass (absent or null: none), or, as older manifests record it, a
 * plain number: a radius alone.
 */
export type PresetEntry =
  | number
  | {
      radius: number;
      minCosine: number | null;
      pixels?: { minCoverage: number; minCorrelation: number; sureCorrelation: number; maxLocalShift: number } | null;
    };

export interface HeadPresets {
  'very-close': PresetEntry;
  close: PresetEntry;
  loose: PresetEntry;
  /** How they were measured (benchmark, set, rule). */
  calibratedOn: string;
}

/** What a head's codes are for: finding duplicates ('dup') or similar photos ('sim'). */
export type HeadRole = 'dup' | 'sim';
export const HEAD_ROLES: readonly HeadRole[] = ['dup', 'sim'];

export interface ModelManifest {
  formatVersion: 1;
  backbone: BackboneEntry;
  heads: Record<string, HeadEntry>;
  /** The head of every role that `roles` does not name (older manifests have no `roles`). */
  defaultHead: string | null;
  /** The head id per role; a role left out uses `defaultHead`. */
  roles?: Partial<Record<HeadRole, string>>;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readManifest(dir = DEFAULT_ARTIFACTS_DIR): ModelManifest | null {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as ModelManifest;
}

/** Stable formatting (2-space JSON + newline) so rewriting an unchanged manifest changes no byte. */
export function formatManifest(manifest: ModelManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function writeManifest(manifest: ModelManifest, dir = DEFAULT_ARTIFACTS_DIR): void {
  writeFileSync(path.join(dir, MANIFEST_FILE), formatManifest(manifest));
}

/** The head id a role uses: `roles[role]`, else `defaultHead` (null: no head, descriptors only). */
export function roleHeadId(manifest: ModelManifest, role: HeadRole): string | null {
  return manifest.roles?.[role] ?? manifest.defaultHead;
}

/** The duplicate head's recorded threshold presets (without how they were measured) and code length, if any. */
export function dupHeadPresets(
  manifest: ModelManifest,
): { bits: number; rules: Omit<HeadPresets, 'calibratedOn'> } | undefined {
  const id = roleHeadId(manifest, 'dup');
  const head = id ? manifest.heads[id] : undefined;
  if (!head?.presets) return undefined;
  const { calibratedOn: _, ...rules } = head.presets;
  return { bits: head.bits, rules };
}

/**
 * Makes head `id` (already installed) the one `role` uses, or with `null` lets the role fall back to
 * `defaultHead`. Rewrites the manifest in `dir`; returns it.
 */
export function setRoleHead(role: HeadRole, id: string | null, dir = DEFAULT_ARTIFACTS_DIR): ModelManifest {
  const manifest = readManifest(dir);
  if (!manifest) throw new Error(`no manifest in ${dir}; run \`npm run build:model\` first`);
  if (id !== null && !manifest.heads[id]) throw new Error(`head ${id} is not in the manifest; install it first`);
  const wanted = { ...manifest.roles, [role]: id ?? undefined };
  // In HEAD_ROLES order, so the file does not depend on the order roles were set in.
  const roles: Partial<Record<HeadRole, string>> = {};
  for (const r of HEAD_ROLES) if (wanted[r] !== undefined) roles[r] = wanted[r];
  if (Object.keys(roles).length > 0) manifest.roles = roles;
  else delete manifest.roles;
  writeManifest(manifest, dir);
  return manifest;
}

/** Reads an artifact and checks it against the hash the manifest recorded. */
export function readVerifiedArtifact(dir: string, entry: { file: string; sha256: string }): Uint8Array {
  const file = path.join(dir, entry.file);
  if (!existsSync(file)) throw new Error(`model file ${file} is missing (run \`npm run build:model\`)`);
  const bytes = readFileSync(file);
  const actual = sha256(bytes);
  if (actual !== entry.sha256) {
    throw new Error(
      `model file ${file} does not match manifest.json (sha256 ${actual}, expected ${entry.sha256}); rebuild with \`npm run build:model\``,
    );
  }
  return bytes;
}

/**
 * Writes a head's ONNX bytes as `head-<id>.onnx` and records it in the manifest (which must exist:
 * build the backbone first). Used by the ITQ fitter and available to the trainer.
 */
export function installHead(
  dir: string,
  id: string,
  bytes: Uint8Array,
  entry: Omit<HeadEntry, 'file' | 'sha256'>,
  options: { makeDefault?: boolean } = {},
): HeadEntry {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(id)) throw new Error(`head id ${id}: use lowercase letters, digits, '.' and '-'`);
  const manifest = readManifest(dir);
  if (!manifest) throw new Error(`no manifest in ${dir}; run \`npm run build:model\` first`);
  const file = `head-${id}.onnx`;
  writeFileSync(path.join(dir, file), bytes);
  const full: HeadEntry = { ...entry, file, sha256: sha256(bytes) };
  manifest.heads[id] = full;
  if (options.makeDefault) manifest.defaultHead = id;
  writeManifest(manifest, dir);
  return full;
}
