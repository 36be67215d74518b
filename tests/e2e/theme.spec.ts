import { expect, test } from './fixtures.js';

test('follows the system dark theme, keeps a chosen one, and shows a focus ring for the keyboard', async ({
  page,
  lookalike,
}) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(lookalike.url);
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await expect.poll(background).toBe('rgb(20, 23, 27)');
  await expect(page.getByRole('button', { name: 'Library' })).toBeVisible();
  await page.screenshot({ path: 'test-results/dark.png', fullPage: true });

  // The system turns light: so does the app, while it follows the system.
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(html).toHaveAttribute('data-theme', 'light');
  // A chosen theme (in Settings) stays, across reloads and whatever the system says.
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByLabel('Theme').selectOption('dark');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByLabel('Theme')).toHaveValue('dark');

  // Tabbing to a control draws a visible ring around it.
  await page.keyboard.press('Tab');
  const ring = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement!);
    return { style: style.outlineStyle, width: style.outlineWidth };
  });
  expect(ring).toEqual({ style: 'solid', width: '3px' });
});
