import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { editImage, encodeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { expect, test } from './fixtures.js';
import type { ClientMessage, ServerMessage } from '../../electron/api/contract.js';

/** Photo i of a kind: stripes (a striped picture) or rings (concentric circles), each its own colours and layout. */
async function kindPhoto(kind: 'stripes' | 'rings', i: number) {
  const hue = (k: number) => `hsl(${(i * 37 + k * 90) % 360}, 70%, 50%)`;
  const shapes =
    kind === 'stripes'
      ? Array.from(
          { length: 8 },
          (_, k) =>
            `<rect x="${k * 80}" y="0" width="40" height="480" fill="${hue(k)}" transform="rotate(${i * 9} 320 240)"/>`,
        )
      : Array.from(
          { length: 6 },
          (_, k) => `<circle cx="${200 + i * 20}" cy="240" r="${220 - k * 35}" fill="${hue(k)}"/>`,
        );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">${shapes.join('')}</svg>`;
  return editImage(syntheticPhoto({ width: 640, height: 480, seed: 700 + i + (kind === 'rings' ? 50 : 0) }), [
    { op: 'overlay', svg },
  ]);
}

test('browse the library grid, make albums, retrain on them, use the new model and go back', async ({
  page,
  home,
  lookalike,
}, testInfo) => {
  const folder = path.join(lookalike.libraryDir, 'Pictures');
  mkdirSync(folder, { recursive: true });
  const files: Record<'stripes' | 'rings', string[]> = { stripes: [], rings: [] };
  for (const kind of ['stripes', 'rings'] as const) {
    for (let i = 0; i < 12; i++) {
      const file = path.join(folder, `${kind}-${i}.jpg`);
      writeFileSync(file, await encodeImage(await kindPhoto(kind, i), 'jpeg'));
      files[kind].push(file);
    }
  }
  await page.goto(lookalike.url);
  await home.folderInput().fill(folder);
  await home.scanButton().click();
  await expect(page.getByRole('button', { name: 'Duplicates', exact: true })).toHaveAttribute('aria-current', 'page', {
    timeout: 60_000,
  });

  // The library grid: every photo, in the order chosen; a photo opens its details.
  await page.getByRole('button', { name: 'Library' }).click();
  const grid = page.getByTestId('library-grid');
  await expect(page.getByTestId('library')).toContainText('Library · 24 photos');
  await expect(grid.locator('img').first()).toHaveAttribute('alt', 'rings-0.jpg');
  await page.getByTestId('library-sort').selectOption('folder');
  await page.getByTestId('library-sort').selectOption('name');
  await grid.locator('button.thumb').nth(1).click();
  await expect(page.getByTestId('library-detail')).toContainText('rings-1.jpg');
  await expect(page.getByTestId('library-detail')).toContainText(folder);
  await expect(page.getByTestId('library-detail')).toContainText('640×480');
  await page.screenshot({ path: 'test-results/library.png', fullPage: true });

  await page.getByRole('button', { name: 'Albums' }).click();
  await expect(page.getByTestId('no-albums')).toBeVisible();
  // Retraining needs two albums: the button waits for them.
  await expect(page.getByRole('button', { name: 'Retrain' })).toBeDisabled();
  for (const kind of ['stripes', 'rings'] as const) {
    await page.getByLabel('New album name').fill(kind);
    await page.getByRole('button', { name: 'Create album' }).click();
    await page.getByLabel(/Add photos of the library/).fill(files[kind].join('\n'));
    await page.getByRole('button', { name: `Add to “${kind}”` }).click();
    await expect(page.getByTestId('album-photos').locator('li')).toHaveCount(12);
  }
  await expect(page.getByTestId('albums')).toContainText('stripes 12 photos');
  await expect(page.getByTestId('model-in-use')).toContainText('the one Lookalike ships with');

  await page.getByRole('button', { name: 'Retrain' }).click();
  const result = page.getByTestId('train-result');
  await expect(result).toBeVisible({ timeout: 120_000 });
  await expect(result.locator('tbody tr')).toHaveCount(2);
  await expect(result).toContainText('rings');
  await page.screenshot({ path: testInfo.outputPath('albums-retrained.png'), fullPage: true });
  await page.screenshot({ path: 'test-results/albums-retrained.png', fullPage: true });

  await page.getByRole('button', { name: 'Use the new model' }).click();
  await expect(page.getByTestId('model-in-use')).toContainText('retrained', { timeout: 30_000 });
  await expect(page.getByTestId('model-in-use')).toContainText('on 2 albums');
  await page.getByRole('button', { name: 'Go back to the shipped model' }).click();
  await expect(page.getByTestId('model-in-use')).toContainText('the one Lookalike ships with', { timeout: 30_000 });

  // Deleting an album asks first; its photos stay in the library.
  page.once('dialog', (dialog) => void dialog.dismiss());
  await page
    .getByTestId('albums')
    .locator('li', { hasText: 'stripes' })
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(page.getByTestId('albums').locator('li')).toHaveCount(2);
  page.once('dialog', (dialog) => void dialog.accept());
  await page
    .getByTestId('albums')
    .locator('li', { hasText: 'stripes' })
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(page.getByTestId('albums').locator('li')).toHaveCount(1);

  // A bad path is refused in a sentence, where it was typed.
  await page.getByTestId('albums').getByRole('button', { name: 'rings' }).click();
  await page.getByLabel(/Add photos of the library/).fill('/no/such/photo.jpg');
  await page.getByRole('button', { name: 'Add to “rings”' }).click();
  await expect(page.getByTestId('albums-error')).toContainText('/no/such/photo.jpg');
});

test('choose photos in the grid with ctrl- and shift-click and by dragging, add them to an album, and see it in their details', async ({
  page,
  home,
  lookalike,
}) => {
  const folder = path.join(lookalike.libraryDir, 'Pictures');
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < 6; i++)
    writeFileSync(path.join(folder, `stripes-${i}.jpg`), await encodeImage(await kindPhoto('stripes', i), 'jpeg'));
  await page.goto(lookalike.url);
  await home.folderInput().fill(folder);
  await home.scanButton().click();
  await expect(page.getByRole('button', { name: 'Duplicates', exact: true })).toHaveAttribute('aria-current', 'page', {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Albums' }).click();
  await page.getByLabel('New album name').fill('Picked');
  await page.getByRole('button', { name: 'Create album' }).click();
  await page.getByRole('button', { name: 'Library' }).click();
  const thumbs = page.getByTestId('library-grid').locator('button.thumb');
  await expect(thumbs).toHaveCount(6);
  // Shift-click chooses the range from the last click; ctrl-click one more (and again takes it back).
  await thumbs.nth(0).click();
  await thumbs.nth(2).click({ modifiers: ['Shift'] });
  await thumbs.nth(5).click({ modifiers: ['Control'] });
  await expect(page.getByTestId('library-chosen')).toContainText('4 chosen');
  await thumbs.nth(5).click({ modifiers: ['Control'] });
  await expect(page.getByTestId('library-chosen')).toContainText('3 chosen');
  await expect(thumbs.nth(1)).toHaveAttribute('aria-pressed', 'true');
  await expect(thumbs.nth(5)).toHaveAttribute('aria-pressed', 'false');
  await page.screenshot({ path: 'test-results/library-chosen.png' });
  await page.getByRole('button', { name: 'Add to album' }).click();
  await expect(page.getByTestId('library-message')).toHaveText('Added 3 photos to "Picked" (now 3).');
  await expect(page.getByTestId('library-chosen')).toBeHidden();
  // A plain click opens a photo: its details name its albums (after the grid is fetched again).
  await page.getByTestId('library-sort').selectOption('folder');
  await thumbs.nth(1).click();
  await expect(page.getByTestId('library-detail-albums')).toHaveText('Picked');
  await thumbs.nth(4).click();
  await expect(page.getByTestId('library-detail-albums')).toHaveText('none');
  const opened = await page.getByTestId('library-detail').locator('dd').first().textContent();

  // A drag across the grid (a rubber band) chooses every photo its rectangle touches, and opens none of them.
  const [from, to] = [(await thumbs.nth(0).boundingBox())!, (await thumbs.nth(4).boundingBox())!];
  const band = { left: from.x + 20, top: from.y + 20, right: to.x + 30, bottom: to.y + 30 };
  // Where the tiles are as the drag begins (choosing must not move them: the bar above the grid is always there).
  const boxes = [];
  for (let i = 0; i < 6; i++) boxes.push((await thumbs.nth(i).boundingBox())!);
  await page.mouse.move(band.left, band.top);
  await page.mouse.down();
  await page.mouse.move(band.right, band.bottom, { steps: 8 });
  await expect(page.getByTestId('library-band')).toBeVisible();
  await page.screenshot({ path: 'test-results/library-band.png' });
  await page.mouse.up();
  await expect(page.getByTestId('library-band')).toBeHidden();
  const touched = boxes.map(
    (box) =>
      box.x <= band.right && box.x + box.width >= band.left && box.y <= band.bottom && box.y + box.height >= band.top,
  );
  for (let i = 0; i < 6; i++) expect((await thumbs.nth(i).boundingBox())!.y).toBe(boxes[i].y);
  const count = touched.filter(Boolean).length;
  expect(count).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('library-chosen')).toContainText(`${count} chosen`);
  for (let i = 0; i < 6; i++) await expect(thumbs.nth(i)).toHaveAttribute('aria-pressed', String(touched[i]));
  await expect(page.getByTestId('library-detail').locator('dd').first()).toHaveText(opened!);
  // With ctrl, a second drag adds to the choice: the last photo alone.
  const last = (await thumbs.nth(5).boundingBox())!;
  await page.keyboard.down('Control');
  await page.mouse.move(last.x + 10, last.y + 10);
  await page.mouse.down();
  await page.mouse.move(last.x + 40, last.y + 40, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up('Control');
  await expect(page.getByTestId('library-chosen')).toContainText(`${count + (touched[5] ? 0 : 1)} chosen`);
  await expect(thumbs.nth(5)).toHaveAttribute('aria-pressed', 'true');
});

test('an album created while the view is still loading stays open to add photos to', async ({ page, lookalike }) => {
  // Between the page and the server: the album list that opening the view asks for is answered only after the new
  // album's creation (a server busy with a duplicate search answers that late). The view must not let that older
  // answer (no albums yet) close the album just created.
  let listAsked: number | null = null;
  let createAsked: number | null = null;
  let heldList: string | null = null;
  await page.routeWebSocket(/\/api\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((raw) => {
      const message = JSON.parse(String(raw)) as ClientMessage;
      if (message.t === 'req' && message.method === 'album.list' && listAsked === null) listAsked = message.id;
      if (message.t === 'req' && message.method === 'album.create') createAsked = message.id;
      server.send(raw);
    });
    server.onMessage((raw) => {
      const message = JSON.parse(String(raw)) as ServerMessage;
      if (message.t === 'res' && message.id === listAsked && heldList === null) {
        heldList = String(raw);
        return;
      }
      ws.send(raw);
      if (message.t === 'res' && message.id === createAsked && heldList !== null) ws.send(heldList);
    });
  });
  await page.goto(lookalike.url);
  await page.getByRole('button', { name: 'Albums' }).click();
  await page.getByLabel('New album name').fill('Trips');
  await page.getByRole('button', { name: 'Create album' }).click();
  await expect(page.getByTestId('albums')).toContainText('Trips');
  await expect(page.getByTestId('album').getByRole('heading', { name: 'Trips' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add to “Trips”' })).toBeVisible();
  expect(heldList).not.toBeNull();
});
