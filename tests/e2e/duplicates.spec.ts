import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { editImage, encodeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { orientPixels } from '../../model/image/orientation.js';
import type { Page } from '@playwright/test';
import type { ClientMessage } from '../../electron/api/contract.js';
import { expect, type HomePage, type LookalikeServer, test } from './fixtures.js';

const COLOURS = ['#c0392b', '#2980b9', '#27ae60', '#8e44ad', '#f39c12', '#16a085'];

/**
 * Photo i: a synthetic photo under its own stripes (count, angle, colours) and a large letter, so the six
 * pictures differ in layout, not only in noise (plain synthetic photos all look alike to the trained
 * duplicate head, which was never shown such blobs).
 */
async function distinctPhoto(i: number) {
  const stripes = Array.from({ length: 3 + i * 2 }, (_, k) => {
    const width = 640 / (3 + i * 2);
    return `<rect x="${k * width}" y="0" width="${width / 2}" height="480" fill="${COLOURS[(i + k) % 6]}" transform="rotate(${i * 30} 320 240)"/>`;
  }).join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">${stripes}` +
    `<text x="${100 + i * 40}" y="${300 - i * 20}" font-size="${160 + i * 10}" font-family="sans-serif" font-weight="bold" fill="${COLOURS[(i + 3) % 6]}">${'QZMKWH'[i]}</text></svg>`;
  return editImage(syntheticPhoto({ width: 640, height: 480, seed: 40 + i }), [{ op: 'overlay', svg }]);
}

/** A small library: distinct photos, an identical copy and a turned copy of one of them. */
async function writeLibrary(folder: string): Promise<void> {
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < 6; i++) {
    writeFileSync(path.join(folder, `photo-${i}.jpg`), await encodeImage(await distinctPhoto(i), 'jpeg'));
  }
  copyFileSync(path.join(folder, 'photo-0.jpg'), path.join(folder, 'photo-0 copy.jpg'));
  const turned = orientPixels(await distinctPhoto(2), 6);
  writeFileSync(path.join(folder, 'photo-2-turned.jpg'), await encodeImage(turned, 'jpeg'));
}

/** Write the library, open the app, scan it and show the duplicates at the tight preset. */
async function scanLibrary(page: Page, home: HomePage, lookalike: LookalikeServer): Promise<string> {
  const folder = path.join(lookalike.libraryDir, 'Pictures');
  await writeLibrary(folder);
  await page.goto(lookalike.url);
  await home.folderInput().fill(folder);
  await home.scanButton().click();
  // The view switches to the duplicates once the scan is done. Generated pictures are far from the photos the
  // duplicate head was calibrated on, so the tight preset keeps them apart.
  await page.getByTestId('threshold').selectOption('very-close', { timeout: 30_000 });
  await expect(home.groups()).toHaveCount(2, { timeout: 30_000 });
  return folder;
}

test('scan a folder, review duplicates with thumbnails, and move the extra copies to the trash', async ({
  page,
  home,
  lookalike,
}, testInfo) => {
  const folder = await scanLibrary(page, home, lookalike);
  // Every thumbnail decodes (they load lazily and one by one, so wait for all of them, not only the first).
  const images = home.groups().locator('img');
  await expect(images).toHaveCount(4);
  for (const image of await images.all()) await image.scrollIntoViewIfNeeded();
  await expect
    .poll(() => images.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth > 0)), {
      timeout: 15_000,
    })
    .toEqual([true, true, true, true]);
  await page.screenshot({ path: testInfo.outputPath('duplicates.png'), fullPage: true });
  await page.screenshot({ path: 'test-results/duplicates.png', fullPage: true });

  await expect(home.trashSelected()).toHaveText(/^Move 2 selected \([\d.]+ [KM]B\) to trash$/);
  await home.trashSelected().click();
  await home.confirmTrash().click();
  await expect(home.trashResult()).toHaveText(/^Moved 2 photo\(s\) \([\d.]+ [KM]B\) to the trash\.$/);
  await expect(home.groups()).toHaveCount(0);
  const left = readdirSync(folder).sort();
  expect(left).toHaveLength(6);
  expect(readdirSync(path.join(lookalike.libraryDir, 'xdg', 'Trash', 'files'))).toHaveLength(2);
  // One of each pair is kept: the original name rather than its identical "copy", and photo-2 or its turned copy.
  expect(left).toContain('photo-0.jpg');
  expect(left).not.toContain('photo-0 copy.jpg');
  expect(existsSync(path.join(folder, 'photo-2.jpg')) || existsSync(path.join(folder, 'photo-2-turned.jpg'))).toBe(
    true,
  );

  // Undo puts both back from the OS trash, and the groups come back.
  await page.screenshot({ path: 'test-results/trash-undo.png', fullPage: true });
  await page.getByTestId('undo-trash').click();
  await expect(page.getByTestId('undo-result')).toHaveText('Put back 2 photos.');
  await expect(home.groups()).toHaveCount(2);
  expect(readdirSync(folder)).toHaveLength(8);
  expect(readdirSync(path.join(lookalike.libraryDir, 'xdg', 'Trash', 'files'))).toHaveLength(0);
  await expect(page.getByTestId('undo-trash')).toBeHidden();
});

test('the UI will not let every copy of a group be selected for the trash', async ({ page, home, lookalike }) => {
  await scanLibrary(page, home, lookalike);
  // Select the proposed keeper of the first group too: every copy of it would go.
  await home.groups().first().getByRole('button', { name: /photo/ }).filter({ hasText: 'Keep' }).first().click();
  await expect(home.trashSelected()).toBeDisabled();
  await expect(page.getByText('Keep at least one photo in every group.')).toBeVisible();
});

test('find photos similar to one of the library, and add them to an album', async ({ page, home, lookalike }) => {
  const folder = await scanLibrary(page, home, lookalike);
  // Each copy shows its folder, not only in a tooltip.
  await expect(home.groups().first().locator('.folder').first()).toHaveText(folder);
  await page.getByRole('button', { name: 'Albums' }).click();
  await page.getByLabel('New album name').fill('picked');
  await page.getByRole('button', { name: 'Create album' }).click();
  await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
  await home.groups().first().getByRole('button', { name: 'Find similar' }).first().click();
  await expect(home.similarResults().locator('li')).toHaveCount(7);
  // The query is shown above its results, and each result says how alike it is in words.
  await expect(page.getByTestId('similar-query')).toContainText('Photos like photo-');
  await expect(page.getByTestId('similar-query').locator('img')).toBeVisible();
  // Its copy (the other photo of its group) comes first, marked as a copy; the others say how alike they are.
  await expect(home.similarResults().locator('li').first()).toContainText('a copy of it');
  await expect(home.similarResults().locator('li').nth(1)).toContainText(/alike \(\d+\)/);
  await page.getByLabel('How many').selectOption('12');
  await page.getByRole('button', { name: 'Add to album' }).click();
  await expect(page.getByTestId('similar-added')).toHaveText('Added 7 photos to “picked” (now 7).');
  await page.screenshot({ path: 'test-results/similar.png', fullPage: true });

  // A photo from outside the library, picked (the page sees its bytes, not its path): a PNG copy of photo-3 finds
  // photo-3 first, marked as a copy of it, and the picked photo is shown as the query.
  const outside = path.join(lookalike.libraryDir, 'outside.png');
  writeFileSync(outside, await encodeImage(await distinctPhoto(3), 'png'));
  await page.getByTestId('similar-file').setInputFiles(outside);
  await expect(page.getByTestId('similar-query')).toContainText('Photos like outside.png');
  await expect(home.similarResults().locator('li').first()).toContainText('photo-3.jpg');
  await expect(home.similarResults().locator('li').first()).toContainText('a copy of it');
  await expect(page.getByTestId('similar-query').locator('img')).toHaveJSProperty('complete', true);
  // Dropped on the view: a file that is no image is refused in a sentence.
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['just text'], 'notes.jpg', { type: 'image/jpeg' }));
    const view = document.querySelector('section[aria-label="Find similar photos"]')!;
    view.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await expect(page.getByRole('alert')).toContainText('notes.jpg is not an image this window can read');
});

test('the duplicate search shows its progress and can be cancelled', async ({ page, home, lookalike }) => {
  // Between the page and the server: once asked to, the next duplicate search is held back, the page is told of
  // its progress, and its cancellation is answered as the server answers one (a real search of this small
  // library ends before a click could cancel it).
  let hold = false;
  let held: number | null = null;
  await page.routeWebSocket(/\/api\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((raw) => {
      const message = JSON.parse(String(raw)) as ClientMessage;
      if (hold && message.t === 'req' && message.method === 'dupes.find') {
        held = message.id;
        const progress = { phase: 'verify', done: 120, total: 480 };
        ws.send(JSON.stringify({ t: 'event', event: { type: 'progress', requestId: message.id, progress } }));
        return;
      }
      if (message.t === 'cancel' && message.id === held) {
        const error = { code: 'CANCELLED', message: 'The operation was cancelled.' };
        ws.send(JSON.stringify({ t: 'res', id: message.id, ok: false, error }));
        return;
      }
      server.send(raw);
    });
  });
  await scanLibrary(page, home, lookalike);
  hold = true;
  await page.getByTestId('threshold').selectOption('loose');
  await expect(page.getByTestId('search-progress')).toHaveText('Comparing pixels of candidate pairs: 120 of 480');
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '25');
  await page.getByTestId('cancel-search').click();
  await expect(page.getByRole('alert')).toHaveText('Search cancelled.');
  // No groups of the previous threshold stay on screen, no trash button, and nothing claims there are no duplicates.
  await expect(home.groups()).toHaveCount(0);
  await expect(page.getByTestId('no-duplicates')).toHaveCount(0);
  await expect(home.trashSelected()).toHaveCount(0);
  await expect(page.getByTestId('cancel-search')).toHaveCount(0);
});

test('review the duplicates with the keyboard alone, and choose per group', async ({ page, home, lookalike }) => {
  await scanLibrary(page, home, lookalike);
  const focusedPhoto = () =>
    page.evaluate(() => {
      const active = document.activeElement as HTMLElement | null;
      return active?.matches('button.thumb') ? (active.querySelector('img')?.alt ?? null) : null;
    });
  const alts = (group: number) =>
    home
      .groups()
      .nth(group)
      .locator('img')
      .evaluateAll((imgs) => imgs.map((i) => i.getAttribute('alt')));
  // Tab to the first photo.
  for (let i = 0; i < 40 && !(await focusedPhoto()); i++) await page.keyboard.press('Tab');
  const firstGroup = await alts(0);
  expect(await focusedPhoto()).toBe(firstGroup[0]);
  await page.keyboard.press('ArrowRight');
  expect(await focusedPhoto()).toBe(firstGroup[1]);
  // Space changes whether the focused photo goes to the trash.
  const badge = home.groups().first().locator('.badge').nth(1);
  const before = await badge.textContent();
  await page.keyboard.press('Space');
  await expect(badge).not.toHaveText(before!);
  await page.keyboard.press('Space');
  await expect(badge).toHaveText(before!);
  // Down to the next group; Delete asks, Escape takes it back.
  await page.keyboard.press('ArrowDown');
  expect(await alts(1)).toContain(await focusedPhoto());
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('confirm-trash')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('confirm-trash')).toBeHidden();

  // Per group: keep only one copy, or keep them all.
  await home.groups().nth(1).getByRole('button', { name: 'Keep only this' }).nth(1).click();
  await expect(home.groups().nth(1).locator('.badge')).toHaveText(['Trash', 'Keep']);
  await home.groups().first().getByRole('button', { name: 'Keep all' }).click();
  await expect(home.groups().first().locator('.badge')).toHaveText(['Keep', 'Keep']);
  await expect(page.getByTestId('trash-selected')).toHaveText(/^Move 1 selected \([\d.]+ [KM]B\) to trash$/);

  // Another rule for every group at once: the proposal is made again (the per-group choices go).
  await page.getByTestId('keep-rule').selectOption('newest');
  await expect(page.getByText('is the newest by capture date')).toBeVisible();
  await expect(home.groups()).toHaveCount(2);
  await expect(page.getByTestId('trash-selected')).toHaveText(/^Move 2 selected \([\d.]+ [KM]B\) to trash$/);
  await page.getByTestId('keep-rule').selectOption('preferred-folder');
  await page.getByLabel('Folder to keep copies in').fill(path.join(lookalike.libraryDir, 'Pictures'));
  await page.getByLabel('Folder to keep copies in').press('Enter');
  await expect(page.getByText('is one in the folder you name')).toBeVisible();
  await expect(home.groups()).toHaveCount(2);
});

test('"Not duplicates" hides a group for good, can be undone, and is forgotten from Settings', async ({
  page,
  home,
  lookalike,
}) => {
  await scanLibrary(page, home, lookalike);
  const first = await home.groups().first().locator('.name').allTextContents();
  await home.groups().first().getByTestId('not-duplicates').click();
  await expect(home.groups()).toHaveCount(1);
  await expect(page.getByTestId('apart-bar')).toContainText('2 photos marked as not duplicates');
  // Undo brings it back; marked again, it stays hidden after a reload of the page (kept in the library).
  await page.getByTestId('apart-undo').click();
  await expect(home.groups()).toHaveCount(2);
  await home.groups().first().getByTestId('not-duplicates').click();
  await expect(home.groups()).toHaveCount(1);
  await page.reload();
  await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
  await page.getByTestId('threshold').selectOption('very-close');
  await expect(home.groups()).toHaveCount(1);
  await expect(home.groups().first().locator('.name')).not.toHaveText(first);
  // Settings counts the mark and forgets it: the group is found again.
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByTestId('apart-pairs')).toContainText('1 pair of photos you marked as not duplicates');
  await page.getByTestId('forget-apart').click();
  await expect(page.getByTestId('settings-saved')).toContainText('Forgot 1 "not duplicates" mark');
  await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
  await page.getByTestId('threshold').selectOption('close');
  await page.getByTestId('threshold').selectOption('very-close');
  await expect(home.groups()).toHaveCount(2);
});

test('compare two copies side by side: large previews, one zoom and pan for both, a difference overlay', async ({
  page,
  home,
  lookalike,
}) => {
  await scanLibrary(page, home, lookalike);
  // The identical pair: the previews load large, and their difference is nothing.
  const identical = home.groups().filter({ hasText: 'identical files' });
  await identical.getByTestId('compare-open').click();
  const compare = page.getByTestId('compare');
  await expect(compare).toBeVisible();
  const images = compare.locator('.pane img');
  await expect(images).toHaveCount(2);
  await expect
    .poll(() => images.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth)))
    .toEqual([640, 640]); // the photo's own size, not the 256 px thumbnail
  // The wheel over the left picture zooms both, about the pointer; a drag moves both.
  const pane = compare.getByTestId('compare-pane').first();
  const box = (await pane.boundingBox())!;
  await page.mouse.move(box.x + box.width / 3, box.y + box.height / 3);
  await page.mouse.wheel(0, -400);
  const transforms = () => images.evaluateAll((imgs) => imgs.map((i) => (i as HTMLElement).style.transform));
  await expect.poll(async () => (await transforms())[0]).toMatch(/scale\(2\.\d+\)/);
  const [zoomedA, zoomedB] = await transforms();
  expect(zoomedA).toBe(zoomedB);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 3 + 60, box.y + box.height / 3 + 30);
  await page.mouse.up();
  const [movedA, movedB] = await transforms();
  expect(movedA).toBe(movedB);
  expect(movedA).not.toBe(zoomedA);
  await page.keyboard.press('0');
  expect((await transforms())[0]).toBe('translate(0px, 0px) scale(1)');
  await compare.getByTestId('show-difference').check();
  await expect(page.getByTestId('difference-summary')).toContainText('No visible difference');
  await page.screenshot({ path: 'test-results/compare.png' });
  // Escape closes it, and the list is as it was.
  await page.keyboard.press('Escape');
  await expect(compare).toBeHidden();
  await expect(home.groups()).toHaveCount(2);

  // The turned copy against its photo: framed differently, and much of it differs.
  await home.groups().filter({ hasText: 'copies of one photo' }).getByTestId('compare-open').click();
  await compare.getByTestId('show-difference').check();
  await expect(page.getByTestId('difference-summary')).toContainText('framed differently');
  await expect(page.getByTestId('difference-summary')).toContainText('% of the picture differs');
  // Keep only this, from the compare view: the other copy goes to the trash.
  await compare.getByRole('button', { name: 'Keep only this' }).last().click();
  await expect(compare.locator('.badge-inline')).toHaveText(['Trash', 'Keep']); // each pane keeps its copy
  await compare.getByTestId('compare-close').click();
});
