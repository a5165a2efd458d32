import { expect, test } from '@playwright/test';
import {
  AGENT,
  CUSTOMER,
  LEAD,
  THEMES,
  chooseOption,
  chooseRefundItems,
  customerRefundCard,
  expectNoAxeViolations,
  expectTheme,
  navigateTo,
  openCaseOnFirstOrder,
  openCaseOnOrder,
  openRefundFromApprovals,
  ordersWithQuotes,
  planPendingRefund,
  quantityField,
  requestRefund,
  signIn,
  uniqueSuffix,
  watchConsole,
  withRefundLock,
} from './helpers';

// Every screen, for a customer, an agent and a lead, in the light and the dark theme, against
// axe's WCAG 2.1 A/AA rules. The theme comes from the device setting (prefers-color-scheme),
// which is what the app follows by default. Screenshots go to test-results/screenshots/.
for (const theme of THEMES) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme, reducedMotion: 'reduce' });

    test(`customer pages meet WCAG 2.1 AA (${theme})`, async ({ page }) => {
      test.setTimeout(180_000);
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

      // Asking for a refund: the form, its errors, the reason list, the review, and the request
      // on a case with its confirmation to cancel. A refund that waits for approval is asked for
      // (on a case of its own order) and cancelled again, so the spec uses nothing up.
      const caseUrl = page.url();
      const number = await withRefundLock(async () => {
        const plan = planPendingRefund(await ordersWithQuotes(page));
        if (!plan) return null;
        await openCaseOnOrder(page, plan.orderId, `Refund check ${uniqueSuffix()}`, 'Checking the refund pages.');
        await page.getByRole('link', { name: 'Ask for a refund' }).click();
        await expect(page.getByRole('group', { name: 'Items' })).toBeVisible();
        await expectNoAxeViolations(page, 'the refund form', `${theme}-refund-form`);
        await page.getByRole('button', { name: 'Continue to review' }).click();
        await expect(page.getByRole('alert').filter({ hasText: 'There is a problem' })).toBeFocused();
        await chooseRefundItems(page, plan.picks);
        const first = plan.picks[0]!.title;
        await quantityField(page, first).fill('99');
        await expect(quantityField(page, first)).toHaveAttribute('aria-invalid', 'true');
        await expectNoAxeViolations(page, 'the refund form with errors', `${theme}-refund-form-errors`);
        await quantityField(page, first).fill('1');
        await page.getByRole('button', { name: /Why are you asking for a refund/ }).click();
        await expect(page.getByRole('listbox')).toBeVisible();
        await expectNoAxeViolations(page, 'the refund reasons, open');
        await page.keyboard.press('Escape');
        await page.getByRole('link', { name: 'Back to your case' }).click();
        return requestRefund(page, plan.picks, {
          onReview: () => expectNoAxeViolations(page, 'the refund review', `${theme}-refund-review`),
        });
      });
      if (number) {
        const card = customerRefundCard(page, number);
        await expect(card).toContainText('Waiting for approval');
        await expectNoAxeViolations(page, 'the customer case page with a refund', `${theme}-customer-case-refund`);
        await card.getByRole('button', { name: 'Cancel this request' }).click();
        const dialog = page.getByRole('alertdialog', { name: `Cancel refund request ${number}?` });
        await expect(dialog).toBeVisible();
        await expectNoAxeViolations(page, 'the cancel-refund confirmation', `${theme}-confirm-cancel-refund`);
        await dialog.getByRole('button', { name: 'Cancel request' }).click();
        await expect(card.locator('.badge')).toHaveText('Cancelled');
        await expectNoAxeViolations(page, 'the customer case page with a cancelled refund');
      } else {
        // Nothing could be asked for without using it up: the form (or its "nothing left") only.
        await page.goto(caseUrl);
        await page.getByRole('link', { name: 'Ask for a refund' }).click();
        await expect(page.getByRole('heading', { level: 1, name: 'Ask for a refund' })).toBeVisible();
        await expect(page.getByRole('status')).toHaveCount(0);
        await expectNoAxeViolations(page, 'the refund page', `${theme}-refund-form`);
      }

      await navigateTo(page, 'My cases');
      await expect(page.getByRole('row').filter({ hasText: subject })).toHaveCount(1);
      await expectNoAxeViolations(page, 'My cases', `${theme}-my-cases`);

      await page.goto('/no-such-page');
      await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
      await expectNoAxeViolations(page, 'the not-found page', `${theme}-not-found`);
      expect(errors).toEqual([]);
    });

    test(`agent pages meet WCAG 2.1 AA (${theme})`, async ({ page, browser }) => {
      test.setTimeout(180_000);
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

        // The approvals queue, both views.
        await navigateTo(page, 'Approvals');
        await expect(page.getByRole('heading', { level: 1, name: 'Approvals' })).toBeVisible();
        await expect(page.getByRole('status')).toHaveCount(0); // loaded
        await expectNoAxeViolations(page, 'the approvals queue', `${theme}-approvals`);
        await chooseOption(page, 'Show', 'Failed payouts');
        await expect(page.getByRole('status')).toHaveCount(0);
        await expectNoAxeViolations(page, 'the failed payouts', `${theme}-approvals-failed`);

        // A refund the customer asks for on the case: its page, the decisions, their checks.
        // (One that waits for approval, on a case of its own order; rejected again below.)
        const number = await withRefundLock(async () => {
          const plan = planPendingRefund(await ordersWithQuotes(customer));
          if (!plan) return null;
          await openCaseOnOrder(customer, plan.orderId, `Refund check ${uniqueSuffix()}`, 'Checking the refund pages.');
          return requestRefund(customer, plan.picks);
        });
        if (number) {
          await openRefundFromApprovals(page, number);
          await expectNoAxeViolations(page, 'the refund page (agent)', `${theme}-agent-refund`);
          const reject = page.getByRole('button', { name: 'Reject refund' });
          if (await reject.count()) {
            await reject.click();
            await expect(page.getByLabel('Reason for rejecting')).toHaveAttribute('aria-invalid', 'true');
            await expectNoAxeViolations(page, 'the refund page with a missing reason', `${theme}-agent-refund-errors`);
          }
          const approve = page.getByRole('button', { name: 'Approve refund' });
          if (await approve.count()) {
            // By keyboard: right after a full-page screenshot the page may still be settling.
            await approve.focus();
            await page.keyboard.press('Enter');
            await expect(page.getByRole('alertdialog', { name: `Approve refund ${number}?` })).toBeVisible();
            await expectNoAxeViolations(page, 'the approve confirmation', `${theme}-confirm-approve`);
            await page.keyboard.press('Escape');
          }
          if (await reject.count()) {
            // Rejecting gives the items back, so the data is as the spec found it.
            await page.getByLabel('Reason for rejecting').fill('Checked by the accessibility spec: not refunded.');
            await reject.click();
            await page.getByRole('alertdialog', { name: `Reject refund ${number}?` }).getByRole('button', { name: 'Reject refund' }).click();
            await expect(page.getByText(`Refund ${number} is rejected. The customer will see your reason.`)).toBeVisible();
            await expectNoAxeViolations(page, 'the refund page after a decision');
          }
        }
        expect(errors).toEqual([]);
      } finally {
        await customerContext.close();
      }
    });

    test(`lead pages meet WCAG 2.1 AA (${theme})`, async ({ page, browser }) => {
      test.setTimeout(120_000);
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

        await navigateTo(page, 'Approvals');
        await expect(page.getByRole('heading', { level: 1, name: 'Approvals' })).toBeVisible();
        await expect(page.getByRole('status')).toHaveCount(0);
        await expectNoAxeViolations(page, 'the approvals queue (lead)', `${theme}-lead-approvals`);

        await navigateTo(page, 'Dashboard');
        await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
        await expect(page.getByRole('table', { name: 'Refunds: the numbers' })).toBeVisible();
        await expect(page.getByRole('img', { name: /^Open cases by status:/ })).toBeVisible();
        await expectNoAxeViolations(page, 'the dashboard', `${theme}-dashboard`);
        await page.getByRole('button', { name: /Period/ }).click();
        await expect(page.getByRole('listbox')).toBeVisible();
        await expectNoAxeViolations(page, 'the period list, open');
        await page.getByRole('option', { name: 'Last 7 days' }).click();
        await expect(page.getByRole('button', { name: /Period/ })).toContainText('Last 7 days');
        await expectNoAxeViolations(page, 'the dashboard for 7 days');
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
