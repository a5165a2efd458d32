import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PASSWORD = 'demo-password';
export const CUSTOMER = 'ana@example.com';
export const AGENT = 'sam@example.com';

/** A suffix that makes each run's data its own: letters and digits only (safe for full-text search). */
export function uniqueSuffix(): string {
  return `e2e${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Collects console errors and uncaught exceptions, except the expected 401 of "who am I?". */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    // Chromium logs every failed fetch; a 401 from GET /api/session only means "not signed in".
    if (/Failed to load resource: the server responded with a status of 401/.test(text)) return;
    errors.push(text);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signed in: the home page's heading (the header's "Sign out" may sit in the phone menu).
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^(My orders|Queue)$/);
}

/** Picks `option` in the select labelled `label` (a button that opens a list box). */
export async function chooseOption(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('button', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
  await expect(page.getByRole('listbox')).toHaveCount(0);
}

/** Goes to a page through the main navigation, opening the phone menu first if there is one. */
export async function navigateTo(page: Page, linkName: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: linkName }).click();
}

export interface OpenedCase {
  subject: string;
  number: string;
  url: string;
}

/** As a signed-in customer: opens a case on the first order and waits for its page. */
export async function openCaseOnFirstOrder(
  page: Page,
  subject: string,
  description: string,
  category = 'Damaged item',
): Promise<OpenedCase> {
  await navigateTo(page, 'My orders');
  await expect(page.getByRole('heading', { level: 1, name: 'My orders' })).toBeVisible();
  await page.getByRole('link', { name: /Open a case/ }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Open a case' })).toBeVisible();
  await chooseOption(page, 'What is the problem about?', category);
  await page.getByLabel('Subject', { exact: true }).fill(subject);
  await page.getByLabel('Describe the problem').fill(description);
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  const lead = await page.locator('.page__lead').innerText();
  const number = /C-\d+/.exec(lead)?.[0];
  expect(number, 'the case page shows the case number').toBeTruthy();
  return { subject, number: number as string, url: page.url() };
}

export const LEAD = 'lee@example.com';
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** test-results/screenshots/: pictures of the main pages, for people to look at (not committed). */
const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));

/**
 * Saves a screenshot as test-results/screenshots/<name>.png: the whole page, or just the
 * viewport while a dialog is open (a full-page capture misplaces the fixed overlay).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const dialogOpen = (await page.locator('[role="dialog"], [role="alertdialog"]').count()) > 0;
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: !dialogOpen, animations: 'disabled' });
}

/**
 * Runs axe with the WCAG 2.1 A and AA rules and fails on any violation, naming each. With
 * `shot`, also saves a screenshot of the page under that name.
 */
export async function expectNoAxeViolations(page: Page, where: string, shot?: string): Promise<void> {
  // Let entry animations finish (contrast is measured on what is painted).
  await expect(page.locator('[data-entering]')).toHaveCount(0);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, `axe violations on ${where}`).toEqual([]);
  if (shot) await screenshot(page, shot);
}

/** The page is in `theme` (tokens.css reads <html data-theme>). */
export async function expectTheme(page: Page, theme: Theme): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

/** Nothing sticks out sideways: no horizontal scrolling at the current viewport. */
export async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), {
      message: `${where} scrolls sideways`,
    })
    .toBeLessThanOrEqual(0);
}
