import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../electron/api/contract.js';
import { readManifest, roleHeadId } from '../../model/backbone/manifest.js';
import { encodeImage } from '../../model/image.js';
import { syntheticPhoto } from '../../model/image-synthetic.js';
import { tempDir } from '../helpers/temp-dir.js';

// Runs the built CLI exactly as a user would (`npm run build:ts` must have run; `npm test` does it first).
const bin = path.resolve('bin/lookalike.js');
const db = path.join(tempDir('cli'), 'library.db');

function lookalike(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOOKALIKE_DB: db },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('lookalike CLI', () => {
  it('prints usage with --help and exits 0', () => {
    const r = lookalike('--help');
    expect(r.code).toBe(0);
    for (const command of ['scan', 'dupes', 'similar', 'album', 'train', 'serve']) expect(r.stdout).toContain(command);
    expect(lookalike('serve', '--help').stdout).toContain('lookalike serve [--port N]');
  });

  it('prints one JSON document with --json and honours LOOKALIKE_DB and --db', () => {
    const r = lookalike('info', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'Lookalike', dbPath: db });
    const other = path.join(path.dirname(db), 'other.db');
    expect(JSON.parse(lookalike('info', '--json', '--db', other).stdout).dbPath).toBe(other);
  });

  it('encode --json prints both codes of one image (duplicate and similarity) with their model versions', async () => {
    const file = path.join(path.dirname(db), 'photo.jpg');
    writeFileSync(file, await encodeImage(syntheticPhoto({ width: 320, height: 240, seed: 3 }), 'jpeg'));
    const r = lookalike('encode', file, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Result<'model.encode'>;
    const manifest = readManifest()!;
    const version = (role: 'dup' | 'sim') =>
      `${manifest.backbone.version}+${manifest.heads[roleHeadId(manifest, role)!].version}`;
    expect(out).toMatchObject({
      path: file,
      descriptorDim: manifest.backbone.output.dim,
      codes: { dup: { bits: 64, model: version('dup') }, sim: { bits: 64, model: version('sim') } },
    });
    expect(out.codes.dup.code).toMatch(/^[0-9a-f]{16}$/);
    expect(out.codes.sim.code).toMatch(/^[0-9a-f]{16}$/);
    const human = lookalike('encode', file).stdout;
    expect(human).toContain(`duplicate  ${out.codes.dup.code}`);
    expect(human).toContain(`similarity ${out.codes.sim.code}`);
  });

  it('exits 2 with a clear message for an unknown command or option', () => {
    const r = lookalike('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
    const bad = lookalike('info', '--bogus');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bogus/);
  });
});
