import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectWebSocket } from '../../renderer/src/lib/api/client.js';
import { writeFixtureLibrary } from '../helpers/fixture-encoder.js';
import { startServe } from '../helpers/serve.js';
import { rescan } from '../helpers/rescan.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dir.js';

// `lookalike serve` stopped (SIGTERM, as a closing window or Ctrl+C stops the app) while a scan runs the query
// network on the job thread. onnxruntime-node aborts the whole process when a thread is terminated while it runs a
// session: the server used to die with SIGABRT here ("terminate called after throwing an instance of
// 'Napi::Error'"). It must stop cleanly, leave the library sound, and the next scan must finish the job.
const PHOTOS = 160;

afterAll(removeTempDirs);

describe('lookalike serve stopped during a scan', () => {
  it('exits cleanly at any moment of the encoding, and the next scan finishes the library', async () => {
    const dir = tempDir('serve-stop');
    const folder = path.join(dir, 'photos');
    const db = path.join(dir, 'library.db');
    await writeFixtureLibrary(folder, PHOTOS, { size: 320 });
    // Two stops: just after the network starts, and a little later.
    for (const afterEncoded of [1, 25]) {
      const serve = await startServe(db, { env: { ...process.env, XDG_DATA_HOME: path.join(dir, 'xdg') } });
      const client = await connectWebSocket(serve.url, WebSocket as never);
      let encoded = 0;
      let reached: () => void = () => {};
      const encoding = new Promise<void>((resolve) => (reached = resolve));
      const scan = client
        .invoke(
          'scan.run',
          { folders: [folder] },
          {
            onProgress: (p) => {
              if (p.phase === 'encode' && ++encoded >= afterEncoded) reached();
            },
          },
        )
        .catch((error: unknown) => error);
      await encoding;
      const exited = new Promise<[number | null, string | null]>((resolve) =>
        serve.child.once('exit', (code, signal) => resolve([code, signal])),
      );
      serve.child.kill('SIGTERM');
      const [code, signal] = await exited;
      client.close();
      await scan;
      expect(serve.stderr()).not.toContain('terminate called');
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      const conn = new Database(db, { readonly: true });
      try {
        expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        conn.close();
      }
    }
    const final = rescan(folder, db);
    expect(final.status, final.stderr).toBe(0);
    expect(final.failed).toEqual([]);
    // Every photo the library holds is accounted for: analysed now (added or resumed) or unchanged.
    expect(final.photos).toBe(PHOTOS);
  }, 180_000);
});
