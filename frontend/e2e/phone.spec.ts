import { expect, test } from '@playwright/test';
import {
  AGENT,
  CUSTOMER,
  THEMES,
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  navigateTo,
  openCaseOnFirstOrder,
  signIn,
  uniqueSuffix,
  watchConsole,
} from './helpers';

// The main pages on a 360-pixel-wide phone: navigation folds into a menu, the queue becomes a
// list of cards, nothing scrolls sideways, and axe finds no WCAG 2.1 A/AA violation.
const PHONE = { width: 360, height: 740 };

for (const theme of THEMES) {
  test(`the main pages work on a phone (${theme})`, async ({ browser }) => {
    const options = { viewport: PHONE, colorScheme: theme, reducedMotion: 'reduce', hasTouch: true } as const;
    const customerContext = await browser.newContext(options);
    const agentContext = await browser.newContext(options);
    try {
      const customer = await customerContext.newPage();
      const errors = watchConsole(customer);
      await customer.goto('/sign-in');
      await expect(customer.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
      await expectNoSidewaysScroll(customer, 'the sign-in page');
      await expectNoAxeViolations(customer, 'the sign-in page (phone)', `phone-${theme}-sign-in`);

      await signIn(customer, CUSTOMER);
      // The navigation is behind the menu button.
      const menuButton = customer.getByRole('button', { name: 'Menu' });
      await expect(menuButton).toHaveAttribute('aria-expanded', 'false');
      await expect(customer.getByRole('navigation', { name: 'Main' })).toBeHidden();
      await expectNoSidewaysScroll(customer, 'My orders');
      await expectNoAxeViolations(customer, 'My orders (phone)', `phone-${theme}-my-orders`);
      await menuButton.click();
      await expect(menuButton).toHaveAttribute('aria-expanded', 'true');
      await expect(customer.getByRole('navigation', { name: 'Main' })).toBeVisible();
      await expect(customer.getByRole('button', { name: 'Sign out' })).toBeVisible();
      await expectNoAxeViolations(customer, 'the phone menu', `phone-${theme}-menu`);
      await customer.keyboard.press('Escape');
      await expect(menuButton).toHaveAttribute('aria-expanded', 'false');
      await expect(menuButton).toBeFocused();

      const subject = `Blender stops ${uniqueSuffix()}`;
      await customer.getByRole('link', { name: /Open a case/ }).first().click();
      await expect(customer.getByRole('heading', { level: 1, name: 'Open a case' })).toBeVisible();
      await expectNoSidewaysScroll(customer, 'the open-case form');
      await expectNoAxeViolations(customer, 'the open-case form (phone)', `phone-${theme}-open-case`);
      await openCaseOnFirstOrder(customer, subject, 'The blender stops after a few seconds.');
      await expectNoSidewaysScroll(customer, 'the customer case page');
      await expectNoAxeViolations(customer, 'the customer case page (phone)', `phone-${theme}-customer-case`);

      await navigateTo(customer, 'My cases');
      await expect(customer.getByRole('heading', { level: 1, name: 'My cases' })).toBeVisible();
      await expect(customer.getByRole('list', { name: 'Your cases, newest first' })).toContainText(subject);
      await expectNoSidewaysScroll(customer, 'My cases');
      await expectNoAxeViolations(customer, 'My cases (phone)', `phone-${theme}-my-cases`);
      expect(errors).toEqual([]);

      const agent = await agentContext.newPage();
      const agentErrors = watchConsole(agent);
      await signIn(agent, AGENT);
      await expect(agent.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
      const cards = agent.getByRole('list', { name: 'Cases in the queue' });
      await expect(cards.getByRole('listitem').first()).toBeVisible();
      await expect(agent.getByRole('table')).toHaveCount(0);
      await expectNoSidewaysScroll(agent, 'the queue');
      await expectNoAxeViolations(agent, 'the queue (phone)', `phone-${theme}-queue`);
      const filtersButton = agent.getByRole('button', { name: /Show filters/ });
      await filtersButton.click();
      await expect(agent.getByRole('button', { name: /^Hide filters/ })).toHaveAttribute('aria-expanded', 'true');
      await expect(agent.getByLabel('Sort by')).toBeVisible();
      await expectNoAxeViolations(agent, 'the queue filters (phone)');

      await agent.getByLabel('Search subjects and messages').fill(subject);
      await agent.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(async () => {
        await agent.getByRole('button', { name: 'Search', exact: true }).click();
        await expect(cards.getByRole('link', { name: new RegExp(subject) })).toBeVisible({ timeout: 3_000 });
      }).toPass({ timeout: 30_000 });
      await cards.getByRole('link', { name: new RegExp(subject) }).click();
      await expect(agent.getByRole('heading', { level: 1, name: subject })).toBeVisible();
      await expectNoSidewaysScroll(agent, 'the agent case page');
      await expectNoAxeViolations(agent, 'the agent case page (phone)', `phone-${theme}-agent-case`);
      expect(agentErrors).toEqual([]);
    } finally {
      await customerContext.close();
      await agentContext.close();
    }
  });
}
