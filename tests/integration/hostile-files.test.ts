import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { type HostileFile, writeHostileCorpus } from '../helpers/hostile-corpus.js';
import { tempDir } from '../helpers/temp-dir.js';

// Scanning a folder of hostile files (tests/helpers/hostile-corpus.ts, generated here): no crash, no hang (the
// test's time limit), every picture indexed however odd its wrapping, every file that is not one listed with a
// sentence, and no file lost between the two.
let app: App | null = null;
afterAll(() => app?.close());

describe('a scan of hostile files', () => {
  it('indexes every picture, lists every bad file with a sentence, and loses none', { timeout: 120_000 }, async () => {
    const dir = tempDir('hostile');
    const corpus = path.join(dir, 'corpus');
    const { files } = await writeHostileCorpus(corpus);
    app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
    const summary = await app.dispatcher.call('scan.run', { folders: [corpus] });
    const catalog = app.library.get();
    const failed = new Map(summary.failed.map((f) => [f.path, f.error]));
    // A name that is not UTF-8 reaches the app with U+FFFD in place of its bad bytes.
    const shown = (f: HostileFile) => (typeof f.path === 'string' ? f.path : f.path.toString('utf8'));
    const outcome = (f: HostileFile): 'indexed' | 'failed' | 'lost' => {
      if (catalog.photoByPath(shown(f))?.status === 'ready') return 'indexed';
      return failed.has(shown(f)) ? 'failed' : 'lost';
    };
    const wrong = files
      .map((f) => ({ kind: f.kind, expect: f.expect, got: outcome(f) }))
      .filter((r) => r.got === 'lost' || (r.expect !== 'either' && r.got !== r.expect));
    expect(wrong).toEqual([]);
    for (const [file, error] of failed) {
      expect(error, file).toMatch(/^\S.*[^\n]$/s);
      expect(error, file).not.toMatch(/\n\s+at /); // a sentence, not a stack trace
    }
    expect(summary.added).toBe(files.filter((f) => outcome(f) === 'indexed').length);
    const badName = files.find((f) => typeof f.path !== 'string')!;
    expect(failed.get(shown(badName))).toBe('its name is not valid UTF-8, so it cannot be opened: rename it');
    // The picture beside the symlink loops is indexed once, at its real path.
    expect(catalog.photosUnder(corpus).filter((p) => p.path.endsWith(`${path.sep}photo.jpg`))).toHaveLength(1);
  });
});
