import { test as base, expect, type Page } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe } from '../helpers/serve.js';

export interface LookalikeServer {
  url: string;
  port: number;
  dbPath: string;
  libraryDir: string;
}

/** Start `lookalike serve --port 0` on a fresh temporary library and wait for its URL. */
async function startServeHere(): Promise<{ server: LookalikeServer; child: ChildProcess; tmp: string }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-e2e-'));
  const dbPath = path.join(tmp, 'library.db');
  // The OS trash of this test run lives in its temporary folder (freedesktop trash under XDG_DATA_HOME).
  const { child, url, port } = await startServe(dbPath, {
    env: { ...process.env, XDG_DATA_HOME: path.join(tmp, 'xdg') },
  });
  return { server: { url, port, dbPath, libraryDir: tmp }, child, tmp };
}

/** Page object for the app's views. */
export class HomePage {
  constructor(readonly page: Page) {}
  readonly nav = (label: string) =>
    this.page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: label });
  readonly folderInput = () => this.page.getByLabel('Photo folder');
  readonly scanButton = () => this.page.getByRole('button', { name: 'Scan', exact: true });
  readonly scanSummary = () => this.page.getByTestId('scan-summary');
  readonly groups = () => this.page.getByTestId('duplicate-group');
  readonly trashSelected = () => this.page.getByTestId('trash-selected');
  readonly confirmTrash = () => this.page.getByTestId('confirm-trash');
  readonly trashResult = () => this.page.getByTestId('trash-result');
  readonly similarResults = () => this.page.getByTestId('similar-results');
  readonly info = () => this.page.getByTestId('app-info');
  readonly version = () => this.page.getByTestId('version');
  readonly dbPath = () => this.page.getByTestId('db-path');
  readonly transport = () => this.page.getByTestId('transport');
}

export const test = base.extend<{ lookalike: LookalikeServer; home: HomePage }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies by destructuring
  lookalike: async ({}, use) => {
    const { server, child, tmp } = await startServeHere();
    await use(server);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(tmp, { recursive: true, force: true });
  },
  home: async ({ page }, use) => use(new HomePage(page)),
});

export { expect };
