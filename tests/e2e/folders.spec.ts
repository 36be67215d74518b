import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { expect, test } from './fixtures.js';

test("the library's folders: a typed folder is completed, each folder is listed with its photos, and one is removed without touching its files", async ({
  page,
  home,
  lookalike,
}) => {
  const folder = path.join(lookalike.libraryDir, 'Holiday Photos');
  mkdirSync(folder);
  mkdirSync(path.join(lookalike.libraryDir, 'Home videos'));
  const files: string[] = [];
  for (let i = 0; i < 3; i++) {
    files.push(path.join(folder, `p${i}.jpg`));
    writeFileSync(files[i], await encodeImage(syntheticPhoto({ width: 320, height: 240, seed: 40 + i }), 'jpeg'));
  }
  // A byte-identical copy: one group of duplicates.
  files.push(path.join(folder, 'p0 copy.jpg'));
  copyFileSync(files[0], files[3]);
  await page.goto(lookalike.url);
  // Browser mode has no folder dialog: what is typed is completed from the folders there.
  await home.folderInput().pressSequentially(path.join(lookalike.libraryDir, 'ho'));
  const options = page.getByTestId('folder-completions').locator('option');
  await expect(options).toHaveCount(2);
  await expect(options.first()).toHaveAttribute('value', folder);
  await home.folderInput().fill(folder);
  await home.scanButton().click();
  await expect(page.getByRole('button', { name: 'Duplicates', exact: true })).toHaveAttribute('aria-current', 'page', {
    timeout: 60_000,
  });
  await expect(home.groups()).toHaveCount(1);
  await page.getByRole('button', { name: 'Library', exact: true }).click();
  const folders = page.getByTestId('library-folders');
  await expect(folders).toContainText(`${folder} · 4 photos`);
  await folders.getByRole('button', { name: 'Remove…' }).click();
  const confirm = page.getByTestId('confirm-forget');
  await expect(confirm).toContainText('Its 4 photos leave the library and their albums; the files stay where they are');
  await page.screenshot({ path: 'test-results/folders.png', fullPage: true });
  await confirm.getByRole('button', { name: 'Remove from the library' }).click();
  await expect(page.getByTestId('folders-message')).toHaveText(
    `${folder} left the library with its 4 photos; the files are where they were.`,
  );
  await expect(page.getByTestId('library-empty')).toBeVisible();
  await expect(folders).toBeHidden();
  for (const file of files) expect(existsSync(file)).toBe(true);
  // The duplicate search (a job on its own thread, with its own caches) no longer finds the folder's photos.
  await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
  await expect(page.getByTestId('no-duplicates')).toBeVisible({ timeout: 30_000 });
  await expect(home.groups()).toHaveCount(0);
});
