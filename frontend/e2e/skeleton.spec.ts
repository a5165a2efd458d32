import { expect, test } from '@playwright/test';
import { CUSTOMER, openCaseOnFirstOrder, signIn, uniqueSuffix, watchConsole } from './helpers';

test('a customer opens a case on an order and finds it in My cases', async ({ page }) => {
  const consoleErrors = watchConsole(page);
  await signIn(page, CUSTOMER);

  await expect(page.getByRole('heading', { level: 1, name: 'My orders' })).toBeVisible();
  await expect(page.getByRole('article').first()).toBeVisible();

  const subject = `Mug arrived broken ${uniqueSuffix()}`;
  const opened = await openCaseOnFirstOrder(
    page,
    subject,
    'One of the two mugs was in pieces when I opened the parcel.',
  );
  expect(opened.number).toMatch(/^C-\d+$/);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My cases' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My cases' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: subject });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('link', { name: opened.number })).toBeVisible();
  await expect(row.getByRole('cell', { name: /^C-\d+$/ })).toHaveText(opened.number);

  expect(consoleErrors).toEqual([]);
});
