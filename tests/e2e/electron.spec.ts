import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** The Electron binary, where `npm ci` could install it (it is an optional dependency), else null. */
function electronBinary(): string | null {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

// The desktop window itself. Its settings are also checked without Electron (tests/integration/electron-shell.test.ts);
// this runs where Electron's binary is installed.
test('the desktop window loads the app with no Node in the page, sandboxed and isolated', async () => {
  const binary = electronBinary();
  test.skip(!binary, "Electron's binary is not installed here (npm ci could not download it); this runs where it is");
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-electron-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: [path.resolve('dist/electron/main/index.js'), `--user-data-dir=${dir}`],
    env: { ...process.env, LOOKALIKE_DB: path.join(dir, 'library.db') },
  });
  try {
    const page = await app.firstWindow();
    await expect(page).toHaveTitle('Lookalike');
    await expect(page.getByRole('button', { name: 'Library' })).toBeVisible({ timeout: 30_000 });
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    const preferences = await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows()[0]!.webContents.getLastWebPreferences(),
    );
    expect(preferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
