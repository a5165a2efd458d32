import { expect, test } from '@playwright/test';
import { AGENT, CUSTOMER, openCaseOnFirstOrder, signIn, uniqueSuffix, watchConsole } from './helpers';

// The agent console's single-key shortcuts: "/" search, "j"/"k" between cases, Enter opens,
// "a" assigns to me, "r" goes to the message box, "?" lists them; none fire while typing.
test('an agent works the queue with keyboard shortcuts', async ({ browser }) => {
  const suffix = uniqueSuffix();
  const customerContext = await browser.newContext();
  const agentContext = await browser.newContext();
  try {
    const customer = await customerContext.newPage();
    await signIn(customer, CUSTOMER);
    const first = await openCaseOnFirstOrder(customer, `Kettle leaks ${suffix}`, 'Water leaks from the kettle base.');
    const second = await openCaseOnFirstOrder(customer, `Kettle lid ${suffix}`, 'The kettle lid does not close.');

    const page = await agentContext.newPage();
    const errors = watchConsole(page);
    await signIn(page, AGENT);
    await expect(page.getByRole('heading', { level: 1, name: 'Queue' })).toBeFocused();

    // "/" jumps to the search; typing there is typing, not shortcuts.
    await page.keyboard.press('/');
    const search = page.getByLabel('Search subjects and messages');
    await expect(search).toBeFocused();
    await page.keyboard.type(`j k ? ${suffix}`);
    await expect(search).toHaveValue(`j k ? ${suffix}`);
    await expect(page.getByRole('dialog')).toHaveCount(0);

    const results = page.getByRole('table', { name: 'Cases in the queue' });
    const links = results.getByRole('link');
    await expect(async () => {
      await search.fill(suffix);
      await search.press('Enter');
      await expect(links).toHaveCount(2, { timeout: 3_000 });
    }).toPass({ timeout: 30_000 });

    // j / k move between cases (focus, so a screen reader follows); Enter opens.
    await page.getByRole('heading', { level: 1, name: 'Queue' }).focus();
    await page.keyboard.press('j');
    await expect(links.nth(0)).toBeFocused();
    await page.keyboard.press('j');
    await expect(links.nth(1)).toBeFocused();
    await page.keyboard.press('j');
    await expect(links.nth(1)).toBeFocused(); // stays on the last
    await page.keyboard.press('k');
    await expect(links.nth(0)).toBeFocused();
    const number = (await links.nth(0).innerText()).trim();
    const opened = [first, second].find((c) => c.number === number);
    expect(opened, 'the first row is one of the two cases').toBeTruthy();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: opened?.subject })).toBeFocused();

    // "a" assigns the case to me.
    await page.keyboard.press('a');
    await expect(page.getByText('Assigned to you.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Assign to me' })).toHaveCount(0);

    // "r" goes to the message box; "?" typed there is text.
    await page.keyboard.press('r');
    const message = page.getByLabel('Message', { exact: true });
    await expect(message).toBeFocused();
    await page.keyboard.type('?');
    await expect(message).toHaveValue('?');
    await expect(page.getByRole('dialog')).toHaveCount(0);

    // "?" lists the shortcuts; Escape closes the list and gives focus back.
    await page.getByRole('heading', { level: 1 }).focus();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(help).toBeVisible();
    await expect(help).toContainText('Assign the case to me');
    await page.keyboard.press('Escape');
    await expect(help).toHaveCount(0);
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();

    // Shortcuts can be turned off (WCAG 2.1.4), from the header's Shortcuts button.
    await page.getByRole('button', { name: 'Keyboard shortcuts', exact: true }).click();
    await help.getByText('Use single-key shortcuts').click();
    await expect(help.getByRole('checkbox', { name: 'Use single-key shortcuts' })).not.toBeChecked();
    await help.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('heading', { level: 1 }).focus();
    await page.keyboard.press('?');
    await expect(help).toHaveCount(0);
    expect(errors).toEqual([]);
  } finally {
    await customerContext.close();
    await agentContext.close();
  }
});
