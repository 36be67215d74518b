/**
 * `npm run build:model` (after `tsc`, so also on `npm ci` through `prepare`): converts the nsfwjs
 * MobileNetV2 into model/artifacts/backbone.onnx and records it in model/artifacts/manifest.json.
 *
 * Deterministic: the same nsfwjs files give the same bytes, so the recorded SHA-256 normally stays
 * put. If it changes (a converter or spec change) the manifest is refreshed and the build says so;
 * `--check` turns that into a failure instead (for CI). Heads listed in the manifest are committed
 * files: they are verified here and reported stale when they were fitted on another backbone version.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertBackbone } from './backbone/convert.js';
import { loadNsfwjsKerasModel, nsfwjsModelDir, nsfwjsSourceFiles } from './backbone/keras.js';
import {
  DEFAULT_ARTIFACTS_DIR,
  formatManifest,
  readManifest,
  sha256,
  writeManifest,
  type BackboneEntry,
  type ModelManifest,
} from './backbone/manifest.js';
import { BACKBONE_VERSION, DEFAULT_BACKBONE_SPEC } from './backbone/spec.js';

export const BACKBONE_FILE = 'backbone.onnx';

function nsfwjsVersion(): string {
  const pkg = path.resolve(nsfwjsModelDir('mobilenet_v2'), '..', '..', '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

export interface BuildResult {
  manifest: ModelManifest;
  changed: boolean;
  notes: string[];
}

export function buildModel(dir = DEFAULT_ARTIFACTS_DIR): BuildResult {
  mkdirSync(dir, { recursive: true });
  const spec = DEFAULT_BACKBONE_SPEC;
  const converted = convertBackbone(loadNsfwjsKerasModel('mobilenet_v2'), spec, {
    metadata: { version: BACKBONE_VERSION, source: 'nsfwjs mobilenet_v2 (Keras), converted by lookalike' },
  });
  writeFileSync(path.join(dir, BACKBONE_FILE), converted.bytes);
  const backbone: BackboneEntry = {
    version: BACKBONE_VERSION,
    file: BACKBONE_FILE,
    sha256: sha256(converted.bytes),
    input: {
      name: 'pixels',
      dtype: 'uint8',
      layout: 'NHWC',
      size: spec.inputSize,
      channels: 3,
      fit: 'fill',
      range: spec.inputRange,
    },
    parts: spec.parts,
    output: { name: 'descriptor', dim: converted.descriptorDim },
    source: {
      package: 'nsfwjs',
      version: nsfwjsVersion(),
      model: 'mobilenet_v2',
      sha256: Object.fromEntries(nsfwjsSourceFiles('mobilenet_v2').map((f) => [f.path, sha256(f.bytes)])),
    },
  };
  const previous = readManifest(dir);
  const manifest: ModelManifest = {
    formatVersion: 1,
    backbone,
    heads: previous?.heads ?? {},
    defaultHead: previous?.defaultHead ?? null,
    ...(previous?.roles ? { roles: previous.roles } : {}),
  };
  const notes: string[] = [];
  if (previous && previous.backbone.sha256 !== backbone.sha256) {
    notes.push(`backbone sha256 changed: ${previous.backbone.sha256} → ${backbone.sha256}`);
  }
  for (const [id, head] of Object.entries(manifest.heads)) {
    const file = path.join(dir, head.file);
    if (!existsSync(file)) notes.push(`head ${id}: ${head.file} is missing`);
    else if (sha256(readFileSync(file)) !== head.sha256)
      notes.push(`head ${id}: ${head.file} does not match its recorded sha256`);
    if (head.backboneVersion !== backbone.version || head.input.dim !== backbone.output.dim) {
      notes.push(
        `head ${id}: fitted on backbone ${head.backboneVersion} (dim ${head.input.dim}), now ${backbone.version} (dim ${backbone.output.dim}); refit it`,
      );
    }
  }
  const changed = !previous || formatManifest(previous) !== formatManifest(manifest);
  if (changed) writeManifest(manifest, dir);
  return { manifest, changed, notes };
}

function main(): void {
  const check = process.argv.includes('--check');
  const started = performance.now();
  const { manifest, changed, notes } = buildModel();
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    `model: ${manifest.backbone.file} ${manifest.backbone.version} (descriptor ${manifest.backbone.output.dim}-d, sha256 ${manifest.backbone.sha256.slice(0, 12)}…) in ${ms} ms\n`,
  );
  for (const note of notes) process.stdout.write(`model: ${note}\n`);
  if (changed) process.stdout.write('model: manifest.json updated\n');
  if (check && (changed || notes.length > 0)) {
    process.stderr.write('model: artifacts are out of date with the committed manifest (--check)\n');
    process.exit(1);
  }
}

// Run only as a script, not when imported (tests import buildModel).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
