import { expect, test } from '@playwright/test';
import {
  AGENT,
  CUSTOMER,
  LEAD,
  THEMES,
  chooseOption,
  expectNoAxeViolations,
  expectTheme,
  navigateTo,
  openCaseOnFirstOrder,
  signIn,
  uniqueSuffix,
  watchConsole,
} from './helpers';

// Every screen, for a customer, an agent and a lead, in the light and the dark theme, against
// axe's WCAG 2.1 A/AA rules. The theme comes from the device setting (prefers-color-scheme),
// which is what the app follows by default. Screenshots go to test-results/screenshots/.
for (const theme of THEMES) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme, reducedMotion: 'reduce' });

    test(`customer pages meet WCAG 2.1 AA (${theme})`, async ({ page }) => {
      const errors = watchConsole(page);
      await page.goto('/sign-in');
      await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
      await expectTheme(page, theme);
      await expectNoAxeViolations(page, 'the sign-in page', `${theme}-sign-in`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByLabel('Email address')).toHaveAttribute('aria-invalid', 'true');
      await expectNoAxeViolations(page, 'the sign-in page with errors', `${theme}-sign-in-errors`);
      await page.getByRole('button', { name: /^Theme/ }).click();
      await expect(page.getByRole('menu', { name: 'Theme' })).toBeVisible();
      await expectNoAxeViolations(page, 'the theme menu');
      await page.keyboard.press('Escape');

      await signIn(page, CUSTOMER);
      await expect(page.getByRole('heading', { level: 1, name: 'My orders' })).toBeVisible();
      await expectNoAxeViolations(page, 'My orders', `${theme}-my-orders`);

      await page.getByRole('link', { name: /Open a case/ }).first().click();
      await page.getByRole('button', { name: 'Open case' }).click();
      await expect(page.getByLabel('Subject', { exact: true })).toHaveAttribute('aria-invalid', 'true');
      await expectNoAxeViolations(page, 'the open-case form with errors', `${theme}-open-case-errors`);
      await page.getByRole('button', { name: /What is the problem about/ }).click();
      await expect(page.getByRole('listbox')).toBeVisible();
      await expectNoAxeViolations(page, 'the category list, open');
      await page.keyboard.press('Escape');

      const subject = `Lamp flickers ${uniqueSuffix()}`;
      await openCaseOnFirstOrder(page, subject, 'The lamp flickers when it is switched on.');
      await expectNoAxeViolations(page, 'the customer case page', `${theme}-customer-case`);
      await page.getByLabel('Your reply').fill('It also buzzes a little.');
      await page.getByRole('button', { name: 'Send reply' }).click();
      await expect(page.getByText('Your message was sent.')).toBeVisible();
      await expectNoAxeViolations(page, 'the customer case page after a reply (with a notification)');

      await navigateTo(page, 'My cases');
      await expect(page.getByRole('row').filter({ hasText: subject })).toHaveCount(1);
      await expectNoAxeViolations(page, 'My cases', `${theme}-my-cases`);

      await page.goto('/no-such-page');
      await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
      await expectNoAxeViolations(page, 'the not-found page', `${theme}-not-found`);
      expect(errors).toEqual([]);
    });

    test(`agent pages meet WCAG 2.1 AA (${theme})`, async ({ page, browser }) => {
      const customerContext = await browser.newContext({ colorScheme: theme });
      try {
        const customer = await customerContext.newPage();
        await signIn(customer, CUSTOMER);
        const opened = await openCaseOnFirstOrder(
          customer,
          `Kettle leaks ${uniqueSuffix()}`,
          'Water leaks from the bottom of the kettle.',
        );

        const errors = watchConsole(page);
        await signIn(page, AGENT);
        await expect(page.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
        await expectTheme(page, theme);
        await expect(page.getByRole('table', { name: 'Cases in the queue' })).toBeVisible();
        await expectNoAxeViolations(page, 'the queue', `${theme}-queue`);
        await chooseOption(page, 'Status', 'Any status');
        await expectNoAxeViolations(page, 'the queue with a filter');

        await page.goto(opened.url);
        await expect(page.getByRole('heading', { level: 1, name: opened.subject })).toBeVisible();
        await page.getByRole('button', { name: 'Assign to me' }).click();
        await expect(page.getByText('Assigned to you.')).toBeVisible();
        await page.getByLabel('Message', { exact: true }).fill('Internal check: batch 42.');
        await page.getByRole('button', { name: 'Add internal note' }).click();
        await expect(page.getByText('Your internal note was added.')).toBeVisible();
        await expectNoAxeViolations(page, 'the agent case page', `${theme}-agent-case`);

        await page.getByRole('button', { name: 'Resolve case' }).click();
        await expect(page.getByRole('alertdialog', { name: 'Resolve this case?' })).toBeVisible();
        await expectNoAxeViolations(page, 'the resolve confirmation', `${theme}-confirm-resolve`);
        await page.keyboard.press('Escape');

        await page.getByRole('heading', { level: 1 }).click(); // away from any field
        await page.keyboard.press('?');
        await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
        await expectNoAxeViolations(page, 'the keyboard shortcuts dialog', `${theme}-shortcuts`);
        await page.keyboard.press('Escape');
        expect(errors).toEqual([]);
      } finally {
        await customerContext.close();
      }
    });

    test(`lead pages meet WCAG 2.1 AA (${theme})`, async ({ page, browser }) => {
      const customerContext = await browser.newContext({ colorScheme: theme });
      try {
        const customer = await customerContext.newPage();
        await signIn(customer, CUSTOMER);
        const opened = await openCaseOnFirstOrder(
          customer,
          `Toaster sparks ${uniqueSuffix()}`,
          'The toaster sparks when I plug it in.',
        );

        const errors = watchConsole(page);
        await signIn(page, LEAD);
        await expect(page.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
        await expect(page.getByRole('banner')).toContainText('Support lead');
        await expectNoAxeViolations(page, 'the queue (lead)', `${theme}-lead-queue`);
        await page.goto(opened.url);
        await expect(page.getByRole('heading', { level: 1, name: opened.subject })).toBeVisible();
        await chooseOption(page, 'Set priority', 'Urgent');
        await page.getByRole('button', { name: 'Change priority' }).click();
        await expect(page.getByText('Priority is now urgent.')).toBeVisible();
        await expectNoAxeViolations(page, 'the case page (lead)', `${theme}-lead-case`);
        expect(errors).toEqual([]);
      } finally {
        await customerContext.close();
      }
    });
  });
}

test('the theme switch overrides the device setting and is remembered', async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: 'light' });
  try {
    const page = await context.newPage();
    await page.goto('/sign-in');
    await expectTheme(page, 'light');
    await page.getByRole('button', { name: /^Theme/ }).click();
    await page.getByRole('menuitemradio', { name: 'Dark' }).click();
    await expectTheme(page, 'dark');
    await expect(page.getByRole('button', { name: 'Theme: Dark' })).toBeFocused();
    await page.reload();
    await expectTheme(page, 'dark');
    // Back to following the device, which now says dark, then light.
    await page.getByRole('button', { name: /^Theme/ }).click();
    await page.getByRole('menuitemradio', { name: 'Match my device' }).click();
    await expectTheme(page, 'light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectTheme(page, 'dark');
  } finally {
    await context.close();
  }
});

test('the app can be used by keyboard, with focus moved to each new page heading', async ({ page }) => {
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeFocused();

  // The skip link leads into the main content.
  await page.getByRole('link', { name: 'Skip to main content' }).focus();
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();

  // From the heading, Tab goes through the form in reading order.
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Email address')).toBeFocused();
  await page.keyboard.type(CUSTOMER);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
  await page.keyboard.type('demo-password');
  await page.keyboard.press('Enter');

  const orders = page.getByRole('heading', { level: 1, name: 'My orders' });
  await expect(orders).toBeFocused();

  // Navigating with the keyboard moves focus to the new page's heading.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My cases' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'My cases' })).toBeFocused();

  // The theme menu works from the keyboard and gives focus back.
  const themeButton = page.getByRole('button', { name: /^Theme/ });
  await themeButton.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menu', { name: 'Theme' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(themeButton).toBeFocused();

  // Focus is visible: the focused control gets a focus ring.
  await page.getByRole('button', { name: 'Sign out' }).focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  const ring = await page
    .getByRole('button', { name: 'Sign out' })
    .evaluate((el) => getComputedStyle(el).boxShadow);
  expect(ring).not.toBe('none');

  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeFocused();
  await expect(page.getByText('You have signed out.')).toBeVisible();
});
