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
  await expect(page.getByTestId('provider')).toContainText(/cpu|not started yet/);
  // The preset duplicate searches start from: kept in the library, and the Duplicates view starts there.
  await expect(page.getByTestId('default-preset')).toHaveValue('close');
  await page.getByTestId('default-preset').selectOption('very-close');
  await expect(page.getByTestId('settings-saved')).toContainText('will start from “Very close”');
  await page.reload();
  await page.getByRole('button', { name: 'Duplicates' }).click();
  await expect(page.getByTestId('threshold')).toHaveValue('very-close');
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.screenshot({ path: 'test-results/settings.png', fullPage: true });
});
