import { expect, type Page } from '@playwright/test';

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
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
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
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My orders' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My orders' })).toBeVisible();
  await page.getByRole('link', { name: /Open a case/ }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Open a case' })).toBeVisible();
  await page.getByLabel('What is the problem about?').selectOption({ label: category });
  await page.getByLabel('Subject', { exact: true }).fill(subject);
  await page.getByLabel('Describe the problem').fill(description);
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  const lead = await page.locator('.page__lead').innerText();
  const number = /C-\d+/.exec(lead)?.[0];
  expect(number, 'the case page shows the case number').toBeTruthy();
  return { subject, number: number as string, url: page.url() };
}
