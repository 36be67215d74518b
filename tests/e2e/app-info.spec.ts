import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures.js';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

test('the start page shows app.info fetched over the WebSocket transport', async ({
  page,
  home,
  lookalike,
}, testInfo) => {
  await page.goto(lookalike.url);
  await home.nav('About').click();
  await expect(home.info()).toBeVisible();
  await expect(home.version()).toHaveText(version);
  await expect(home.dbPath()).toHaveText(lookalike.dbPath);
  await expect(home.transport()).toHaveText('websocket');
  await page.screenshot({ path: testInfo.outputPath('app-info.png'), fullPage: true });
  await page.screenshot({ path: 'test-results/app-info.png', fullPage: true });
});

test('the page and the API refuse a request without the token', async ({ request, lookalike }) => {
  const origin = `http://127.0.0.1:${lookalike.port}`;
  expect((await request.get(`${origin}/`)).status()).toBe(403);
  expect((await request.post(`${origin}/api/app.info`, { data: {} })).status()).toBe(403);
  const ok = await request.get(lookalike.url);
  expect(ok.status()).toBe(200);
});

test('opening the address without the token shows a page saying where the link is, not the token', async ({
  page,
  lookalike,
}) => {
  const response = await page.goto(`http://127.0.0.1:${lookalike.port}/`);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading')).toHaveText('Open Lookalike with its link');
  await expect(page.getByText('lookalike serve')).toBeVisible();
  const token = new URL(lookalike.url).searchParams.get('token') ?? lookalike.url.split('/').pop()!;
  expect(await page.content()).not.toContain(token);
});

test('a lost connection shows a banner, is retried, and the app works again once it is back', async ({
  page,
  home,
  lookalike,
}) => {
  // The first connection is dropped by the network once the page has loaded; later ones go through.
  let connections = 0;
  let drop: (() => void) | null = null;
  await page.routeWebSocket(/\/api\/ws/, (ws) => {
    const server = ws.connectToServer();
    if (++connections === 1) drop = () => ws.close({ code: 1001, reason: 'network lost' });
    ws.onMessage((raw) => server.send(raw));
  });
  await page.goto(lookalike.url);
  await home.nav('About').click();
  await expect(home.version()).toBeVisible();
  drop!();
  await expect(page.getByTestId('disconnected')).toContainText('Disconnected from Lookalike — retrying');
  await expect(page.getByTestId('disconnected')).toHaveCount(0, { timeout: 15_000 });
  expect(connections).toBeGreaterThan(1);
  await home.nav('Library').click();
  await expect(home.folderInput()).toBeVisible();
});
