import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeImage } from '../../model/image/decode.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { expect, test } from './fixtures.js';

test('settings: the library, turned copies on and off and the starting preset (kept in the library), the model and the theme', async ({
  page,
  lookalike,
}) => {
  await page.goto(lookalike.url);
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByTestId('settings-db')).toHaveText(lookalike.dbPath);
  const geometric = page.getByTestId('geometric');
  await expect(geometric).toBeChecked();
  await geometric.uncheck();
  await expect(page.getByTestId('settings-saved')).toContainText('no longer count');
  await page.reload();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByTestId('geometric')).not.toBeChecked();
  await page.getByTestId('geometric').check();
  await expect(page.getByTestId('settings-saved')).toContainText('will count as duplicates');
  await expect(page.getByTestId('provider')).toContainText(/In use now: (cpu|not started yet)/);
  await expect(page.getByTestId('provider-choice')).toHaveValue('auto');
  await page.getByTestId('provider-choice').selectOption('cpu');
  await expect(page.getByTestId('settings-saved')).toHaveText(
    'Lookalike runs the model on the CPU from its next start.',
  );
  // The preset duplicate searches start from: kept in the library, and the Duplicates view starts there.
  await expect(page.getByTestId('default-preset')).toHaveValue('close');
  await page.getByTestId('default-preset').selectOption('very-close');
  await expect(page.getByTestId('settings-saved')).toContainText('will start from “Very close”');
  await page.reload();
  await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
  await expect(page.getByTestId('threshold')).toHaveValue('very-close');
  await page.getByRole('button', { name: 'Settings' }).click();
  // The copy to keep: kept in the library, and the Duplicates view starts with it.
  await page.getByTestId('settings-keep-rule').selectOption('preferred-folder');
  await page.getByLabel('Folder whose copies to keep').fill('/home/me/Best');
  await page.getByLabel('Folder whose copies to keep').press('Enter');
  await expect(page.getByTestId('settings-saved')).toContainText(
    'Each group will propose keeping the copy in a folder /home/me/Best',
  );
  await page.reload();
  await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
  await expect(page.getByTestId('keep-rule')).toHaveValue('preferred-folder');
  await expect(page.getByLabel('Folder to keep copies in')).toHaveValue('/home/me/Best');
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.screenshot({ path: 'test-results/settings.png', fullPage: true });
});

test('settings: the library moves to another folder from the next start, and a folder that will not do is refused in a sentence', async ({
  page,
  lookalike,
}) => {
  await page.goto(lookalike.url);
  await page.getByRole('button', { name: 'Settings' }).click();
  // The test's server was started with --db: Settings says so, and that it wins over a place chosen here.
  await expect(page.getByTestId('library-location')).toContainText('Given with --db');
  const folder = page.getByTestId('library-folder');
  await folder.fill(path.join(lookalike.libraryDir, 'no-such-folder'));
  await page.getByTestId('move-library').click();
  await expect(page.getByRole('alert')).toContainText('There is no folder');
  const empty = path.join(lookalike.libraryDir, 'empty');
  mkdirSync(empty);
  await folder.fill(empty);
  await page.getByTestId('use-library').click();
  await expect(page.getByRole('alert')).toContainText('There is no Lookalike library (library.db) in');
  const disk = path.join(lookalike.libraryDir, 'external-disk');
  mkdirSync(disk);
  await folder.fill(disk);
  await page.getByTestId('move-library').click();
  await expect(page.getByTestId('settings-saved')).toContainText(
    `Lookalike moves the library to ${path.join(disk, 'library.db')} when it starts next, except where it is started with --db, which this one was.`,
  );
  await page.screenshot({ path: 'test-results/settings-library.png', fullPage: true });
});

test('settings: with watch folders on, a photo copied into a library folder appears in the library without a scan', async ({
  page,
  home,
  lookalike,
}) => {
  const folder = path.join(lookalike.libraryDir, 'Pictures');
  mkdirSync(folder);
  const photo = async (name: string, seed: number) =>
    writeFileSync(
      path.join(folder, name),
      await encodeImage(syntheticPhoto({ width: 320, height: 240, seed }), 'jpeg'),
    );
  await photo('first.jpg', 1);
  await page.goto(lookalike.url);
  await home.folderInput().fill(folder);
  await home.scanButton().click();
  await expect(page.getByRole('button', { name: 'Duplicates', exact: true })).toHaveAttribute('aria-current', 'page', {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByTestId('watch')).not.toBeChecked();
  await page.getByTestId('watch').check();
  await expect(page.getByTestId('settings-saved')).toContainText('are watched');
  await page.getByRole('button', { name: 'Library', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Library · 1 photo' })).toBeVisible();
  await photo('second.jpg', 2);
  await expect(page.getByTestId('watch-note')).toContainText(`${folder} changed and was scanned again: 1 new.`, {
    timeout: 30_000,
  });
  await expect(page.getByRole('heading', { name: 'Library · 2 photos' })).toBeVisible();
  await page.screenshot({ path: 'test-results/watch.png', fullPage: true });
});
