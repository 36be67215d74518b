import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp-dir.js';
import { type App, createApp } from './app.js';
import { preferencesFile, providersFor, readPreferences, writePreferences } from './preferences.js';

let app: App | null = null;
const saved = { HOME: process.env.HOME, XDG_DATA_HOME: process.env.XDG_DATA_HOME };
afterEach(async () => {
  await app?.close();
  app = null;
  for (const [key, value] of Object.entries(saved))
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
});

describe("this machine's preferences", () => {
  it('are kept in the user data folder; none saved, or one that cannot be read, is "auto"', () => {
    const dir = tempDir('prefs');
    const env = { HOME: dir, XDG_DATA_HOME: path.join(dir, 'data') };
    expect(readPreferences(env)).toEqual({ provider: 'auto' });
    expect(writePreferences({ provider: 'cpu' }, env)).toEqual({ provider: 'cpu' });
    expect(readPreferences(env)).toEqual({ provider: 'cpu' });
    writeFileSync(preferencesFile(env), JSON.stringify({ provider: 'quantum' }));
    expect(readPreferences(env)).toEqual({ provider: 'auto' });
    writeFileSync(preferencesFile(env), '{');
    expect(readPreferences(env)).toEqual({ provider: 'auto' });
  });

  it('name the providers to try: every one, the CPU alone, or one with the CPU behind it', () => {
    expect(providersFor('auto')).toBeUndefined();
    expect(providersFor('cpu')).toEqual(['cpu']);
    expect(providersFor('cuda')).toEqual(['cuda', 'cpu']);
  });

  it('run the model on the provider chosen, from the next start, and say so', async () => {
    const dir = tempDir('prefs-app');
    Object.assign(process.env, { HOME: dir, XDG_DATA_HOME: path.join(dir, 'data') });
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    app = createApp({ dbPath: path.join(dir, 'library.db') });
    const before = await app.dispatcher.call('app.info', {});
    expect(before.providerChoice).toBe('auto');
    // On this machine "auto" tries CUDA and the others first, and says why each was left out.
    expect(before.model.providerNotes.length).toBeGreaterThan(0);
    const chosen = await app.dispatcher.call('app.setProvider', { provider: 'cpu' });
    expect(chosen.note).toBe('Lookalike runs the model on the CPU from its next start.');
    expect((await app.dispatcher.call('app.info', {})).model.providerNotes).toEqual(before.model.providerNotes);
    await app.close();
    app = createApp({ dbPath: path.join(dir, 'library.db') });
    const after = await app.dispatcher.call('app.info', {});
    expect(after).toMatchObject({ providerChoice: 'cpu', model: { provider: 'cpu', providerNotes: [] } });
  });
});
