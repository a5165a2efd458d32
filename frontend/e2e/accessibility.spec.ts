import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { AGENT, CUSTOMER, openCaseOnFirstOrder, signIn, uniqueSuffix, watchConsole } from './helpers';

/** Runs axe with the WCAG 2.1 A and AA rules and fails on any violation, naming each. */
async function expectNoAxeViolations(page: Page, where: string) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, `axe violations on ${where}`).toEqual([]);
}

test('customer and agent pages meet WCAG 2.1 AA as far as axe can tell', async ({ browser }) => {
  const suffix = uniqueSuffix();
  const subject = `Lamp flickers ${suffix}`;
  const customerContext = await browser.newContext();
  const agentContext = await browser.newContext();
  try {
    const customer = await customerContext.newPage();
    const errors = watchConsole(customer);

    await customer.goto('/sign-in');
    await expect(customer.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await expectNoAxeViolations(customer, 'the sign-in page');
    await customer.getByRole('button', { name: 'Sign in' }).click();
    await expect(customer.getByLabel('Email address')).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolations(customer, 'the sign-in page with errors');

    await signIn(customer, CUSTOMER);
    await expect(customer.getByRole('heading', { level: 1, name: 'My orders' })).toBeVisible();
    await expectNoAxeViolations(customer, 'My orders');

    await customer.getByRole('link', { name: /Open a case/ }).first().click();
    await customer.getByRole('button', { name: 'Open case' }).click();
    await expect(customer.getByLabel('Subject', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolations(customer, 'the open-case form with errors');

    const opened = await openCaseOnFirstOrder(customer, subject, 'The lamp flickers when it is switched on.');
    await expectNoAxeViolations(customer, 'the customer case page');

    await customer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My cases' }).click();
    await expect(customer.getByRole('row').filter({ hasText: subject })).toHaveCount(1);
    await expectNoAxeViolations(customer, 'My cases');

    const agent = await agentContext.newPage();
    await signIn(agent, AGENT);
    await expect(agent.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
    await expectNoAxeViolations(agent, 'the queue');
    await agent.goto(opened.url);
    await expect(agent.getByRole('heading', { level: 1, name: subject })).toBeVisible();
    await agent.getByLabel('Message', { exact: true }).fill(`Internal check ${suffix}`);
    await agent.getByRole('button', { name: 'Add internal note' }).click();
    await expect(agent.getByText('Your internal note was added.')).toBeVisible();
    await expectNoAxeViolations(agent, 'the agent case page');

    expect(errors).toEqual([]);
  } finally {
    await customerContext.close();
    await agentContext.close();
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
