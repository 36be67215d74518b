import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { expect, test } from './fixtures.js';

test('a folder that does not exist, a file or a relative path is refused where it was typed', async ({
  page,
  home,
  lookalike,
}, testInfo) => {
  await page.goto(lookalike.url);
  const missing = path.join(lookalike.libraryDir, 'no-such-folder');
  await home.folderInput().fill(missing);
  await home.scanButton().click();
  await expect(page.getByRole('alert')).toHaveText(`${missing} does not exist.`);
  // Still on the scan view: nothing pretends the scan worked.
  await expect(home.folderInput()).toBeVisible();
  await expect(home.groups()).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('scan-refused.png'), fullPage: true });

  const file = path.join(lookalike.libraryDir, 'photo.jpg');
  writeFileSync(file, 'x');
  await home.folderInput().fill(file);
  await home.scanButton().click();
  await expect(page.getByRole('alert')).toHaveText(`${file} is a file, not a folder.`);

  await home.folderInput().fill('Pictures');
  await home.scanButton().click();
  await expect(page.getByRole('alert')).toHaveText(`"Pictures" is not a full path: give the folder's full path.`);
});

test('a scan with unreadable files stays on the scan view and lists them', async ({ page, home, lookalike }) => {
  const folder = path.join(lookalike.libraryDir, 'Mixed');
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    path.join(folder, 'good.jpg'),
    await encodeImage(syntheticPhoto({ width: 160, height: 120, seed: 3 }), 'jpeg'),
  );
  writeFileSync(path.join(folder, 'broken.jpg'), 'not a picture');
  await page.goto(lookalike.url);
  await home.folderInput().fill(folder);
  await home.scanButton().click();
  await expect(home.scanSummary()).toContainText('1 added', { timeout: 30_000 });
  await expect(page.getByTestId('scan-failures')).toContainText('1 file(s) could not be read');
  await expect(page.getByTestId('scan-failures')).toContainText(path.join(folder, 'broken.jpg'));
  await expect(home.folderInput()).toBeVisible();
  // The library keeps a list of them, with the reason, until they can be read.
  await page.getByRole('button', { name: 'Library' }).click();
  const failures = page.getByTestId('library-failures');
  await expect(failures).toContainText('1 file could not be read');
  await failures.locator('summary').click();
  await expect(failures).toContainText(`${path.join(folder, 'broken.jpg')}: not an image Lookalike can read`);
});
