import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../electron/api/contract.js';
import { readManifest, roleHeadId } from '../../model/backbone/manifest.js';
import { encodeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
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

  it('names what is wrong with a bad usage in one sentence before the usage line, and exits 2', () => {
    const cases: [string[], string][] = [
      [['scan'], 'lookalike scan: name at least one folder to scan.'],
      [['dupes', '--keep', 'biggest'], 'lookalike dupes: --keep takes best, newest or oldest, not "biggest".'],
      [['similar'], 'lookalike similar: name one image to compare.'],
      [['album', 'create'], 'lookalike album: "album create" takes one album name (quote a name with spaces).'],
      [['album', 'add', 'Test'], 'lookalike album: "album add" takes an album name and at least one file.'],
      [
        ['album', 'frobnicate'],
        'lookalike album: "frobnicate" is not an album command: use list, show, create, rename, delete, add or remove.',
      ],
    ];
    for (const [args, sentence] of cases) {
      const r = lookalike(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(sentence);
      expect(r.stderr.split('\n')[1]).toMatch(/^Usage: lookalike /);
    }
  });

  it('refuses a scan of a folder that does not exist with exit 1, and names a missing image once', () => {
    const missing = path.join(tempDir('cli-missing'), 'no-such-folder');
    const scan = lookalike('scan', missing);
    expect(scan.code).toBe(1);
    expect(scan.stderr.trim()).toBe(`lookalike: ${missing} does not exist.`);
    const image = path.join(path.dirname(missing), 'nope.jpg');
    const similar = lookalike('similar', image);
    expect(similar.code).toBe(1);
    expect(similar.stderr.trim()).toBe(`lookalike: ${image} does not exist.`);
  });

  it('makes and fills albums with files named relative to the shell, and refuses bad input with exit 2', () => {
    const dir = tempDir('cli-albums');
    const other = path.join(dir, 'albums.db');
    const run = (...args: string[]) => {
      const r = spawnSync(process.execPath, [bin, ...args, '--db', other], { encoding: 'utf8', cwd: dir });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    writeFileSync(path.join(dir, 'not-scanned.jpg'), 'x');
    expect(run('album', 'create', 'Road trip')).toMatchObject({ code: 0, stdout: 'Created the album "Road trip".\n' });
    expect(run('album', 'create', 'Road trip')).toMatchObject({
      code: 2,
      stderr: 'lookalike: There is already an album named "Road trip".\n',
    });
    expect(run('album', 'add', 'Road trip', 'not-scanned.jpg')).toMatchObject({
      code: 2,
      stderr: `lookalike: ${path.join(dir, 'not-scanned.jpg')} is not in the library: scan its folder first.\n`,
    });
    expect(run('album', 'show', 'Nowhere').stderr).toBe('lookalike: There is no album named "Nowhere".\n');
    expect(JSON.parse(run('album', 'list', '--json').stdout)).toEqual({
      albums: [{ id: 1, name: 'Road trip', count: 0 }],
    });
  });

  it('prints settings and albums as sentences, and ends --json output with a newline', () => {
    expect(lookalike('settings').stdout).toBe(
      [
        'Rotated and mirrored copies count as duplicates: on.',
        'Duplicate searches use the close preset unless told another (--threshold).',
        'The copy proposed to keep: the likeliest original (best quality) unless told another (--keep).',
        'Folders are watched and scanned again when photos change (while the app or lookalike serve runs): off.',
        '',
      ].join('\n'),
    );
    expect(lookalike('settings', '--preset', 'roughly').stderr).toContain(
      '--preset takes exact, very-close, close, loose',
    );
    expect(lookalike('settings', '--keep', 'prettiest').stderr).toContain('--keep takes best, newest or oldest');
    expect(lookalike('settings', '--preset', 'very-close').stdout).toContain('use the very-close preset');
    expect(lookalike('settings', '--keep', 'newest', '--watch', 'on').stdout).toContain(
      'The copy proposed to keep: the newest unless',
    );
    expect(JSON.parse(lookalike('settings', '--json').stdout)).toEqual({
      geometric: true,
      preset: 'very-close',
      keepRule: { kind: 'newest' },
      watch: true,
    });
    expect(lookalike('album').stdout).toBe('No albums yet.\n');
    expect(lookalike('settings', '--json').stdout.endsWith('}\n')).toBe(true);
  });

  it('says what duplicate groups are in plain words, and the technical rule only with --verbose', async () => {
    const folder = tempDir('cli-dupes');
    const bytes = await encodeImage(syntheticPhoto({ width: 96, height: 72, seed: 9 }), 'jpeg');
    writeFileSync(path.join(folder, 'a.jpg'), bytes);
    writeFileSync(path.join(folder, 'a copy.jpg'), bytes);
    const dbFile = path.join(folder, 'lib.db');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args, '--db', dbFile], { encoding: 'utf8' }).stdout;
    run('scan', folder);
    const plain = run('dupes', '--threshold', 'exact');
    expect(plain).toContain('1 duplicate group(s) at exact (identical files only).');
    expect(plain).toContain('Group 1 · 2 identical files');
    expect(plain).not.toContain('Hamming');
    const close = run('dupes', '--verbose');
    expect(close).toContain('copies of one photo');
    expect(close).toMatch(/Rule: Hamming radius \d+/);
  });
});
