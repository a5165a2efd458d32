import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Answers "who is signed in?" with 401, so that a page needs no backend to show signed out. */
export async function stubSignedOut(page: Page): Promise<void> {
  await page.route('**/api/session', (route) =>
    route.fulfill({
      status: 401,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Please sign in.' }),
    }),
  );
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

// --- refunds ------------------------------------------------------------------------------------

export interface Money {
  amountMinor: number;
  currency: string;
}
export interface QuoteLine {
  lineId: string;
  productTitle: string;
  quantityBought: number;
  quantityRefundable: number;
  amountPaid: Money;
  amountRefundable: Money;
}
export interface Quote {
  orderId: string;
  windowOpen: boolean;
  lines: QuoteLine[];
}

/** The refund limits of the system (DESIGN.md): at or below 50.00 approved at once, above 500.00 a lead. */
export const AUTO_APPROVE_LIMIT_MINOR = 5000;
export const LEAD_LIMIT_MINOR = 50000;

/** What `quantity` units of a line are worth, as the refund service prices them. */
export function unitsAmount(line: QuoteLine, quantity: number): number {
  if (quantity >= line.quantityRefundable) return line.amountRefundable.amountMinor;
  return Math.floor((line.amountRefundable.amountMinor * quantity) / line.quantityRefundable);
}

/** The signed-in customer's orders (newest first, as My orders shows them) with their refund quotes. */
export async function ordersWithQuotes(page: Page): Promise<{ orderId: string; quote: Quote }[]> {
  const orders = await page.request.get('/api/orders');
  expect(orders.ok(), 'GET /api/orders').toBeTruthy();
  const { orders: list } = (await orders.json()) as { orders: { id: string }[] };
  const result: { orderId: string; quote: Quote }[] = [];
  for (const order of list) {
    const response = await page.request.get(`/api/orders/${encodeURIComponent(order.id)}/refund-quote`);
    expect(response.ok(), `the refund quote of an order`).toBeTruthy();
    result.push({ orderId: order.id, quote: (await response.json()) as Quote });
  }
  return result;
}

export interface RefundPick {
  title: string;
  quantity: number;
}

export interface RefundPlan {
  orderId: string;
  picks: RefundPick[];
  totalMinor: number;
}

const refundable = (quote: Quote) => (quote.windowOpen ? quote.lines.filter((l) => l.quantityRefundable > 0) : []);

/**
 * A refund that will wait for a decision (more than the auto-approve limit), so that a spec can
 * cancel or reject it afterwards and leave the data as it found it: one unit of the cheapest
 * line worth more than the limit. Null when no order has one.
 */
export function planPendingRefund(orders: { orderId: string; quote: Quote }[]): RefundPlan | null {
  let best: RefundPlan | null = null;
  for (const { orderId, quote } of orders) {
    for (const line of refundable(quote)) {
      const amount = unitsAmount(line, 1);
      if (amount <= AUTO_APPROVE_LIMIT_MINOR) continue;
      if (!best || amount < best.totalMinor) best = { orderId, picks: [{ title: line.productTitle, quantity: 1 }], totalMinor: amount };
    }
  }
  return best;
}

/** One unit of the first line that still has something to refund, on the first order that has one. */
export function planAnyRefund(orders: { orderId: string; quote: Quote }[]): RefundPlan | null {
  for (const { orderId, quote } of orders) {
    const line = refundable(quote)[0];
    if (line) return { orderId, picks: [{ title: line.productTitle, quantity: 1 }], totalMinor: unitsAmount(line, 1) };
  }
  return null;
}

/**
 * A partial refund for the workflow: one unit of a line bought two or more times, plus, when that
 * alone would be approved automatically, another whole line that takes the total above the
 * auto-approve limit (but not above the lead limit), so that an agent has to approve it. When no
 * order allows that, the partial refund alone (approved automatically); failing that, any refund.
 */
export function planPartialRefund(orders: { orderId: string; quote: Quote }[]): RefundPlan | null {
  let partialOnly: RefundPlan | null = null;
  for (const { orderId, quote } of orders) {
    const lines = refundable(quote);
    const partial = lines.find((l) => l.quantityRefundable >= 2);
    if (!partial) continue;
    const first = unitsAmount(partial, 1);
    const plan: RefundPlan = { orderId, picks: [{ title: partial.productTitle, quantity: 1 }], totalMinor: first };
    if (first > AUTO_APPROVE_LIMIT_MINOR) return plan;
    const extra = lines.find((l) => {
      if (l === partial) return false;
      const total = first + l.amountRefundable.amountMinor;
      return total > AUTO_APPROVE_LIMIT_MINOR && total <= LEAD_LIMIT_MINOR;
    });
    if (extra) {
      return {
        orderId,
        picks: [...plan.picks, { title: extra.productTitle, quantity: extra.quantityRefundable }],
        totalMinor: first + extra.amountRefundable.amountMinor,
      };
    }
    partialOnly ??= plan;
  }
  return partialOnly ?? planAnyRefund(orders);
}

/** As a signed-in customer: opens a case on the given order and waits for its page. */
export async function openCaseOnOrder(
  page: Page,
  orderId: string,
  subject: string,
  description: string,
  category = 'Damaged item',
): Promise<OpenedCase> {
  await page.goto(`/orders/${encodeURIComponent(orderId)}/new-case`);
  await expect(page.getByRole('heading', { level: 1, name: 'Open a case' })).toBeVisible();
  await chooseOption(page, 'What is the problem about?', category);
  await page.getByLabel('Subject', { exact: true }).fill(subject);
  await page.getByLabel('Describe the problem').fill(description);
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  const number = /C-\d+/.exec(await page.locator('.page__lead').innerText())?.[0];
  expect(number, 'the case page shows the case number').toBeTruthy();
  return { subject, number: number as string, url: page.url() };
}

/** The quantity field of an item on the refund form. */
export const quantityField = (page: Page, title: string) =>
  page.getByRole('spinbutton', { name: new RegExp(`^How many to refund\\s*: ${escapeRegExp(title)}$`) });

/** On the refund form: ticks the items and sets their quantities (by mouse and typing). */
export async function chooseRefundItems(page: Page, picks: RefundPick[]): Promise<void> {
  for (const pick of picks) {
    // The real checkbox is drawn over by its label (React Aria): click the label's text.
    await page.getByRole('group', { name: 'Items' }).getByText(pick.title, { exact: true }).click();
    await expect(page.getByRole('checkbox', { name: new RegExp(`^${escapeRegExp(pick.title)}`) })).toBeChecked();
    await quantityField(page, pick.title).fill(String(pick.quantity));
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * As a signed-in customer on a case page: asks for the refund in `picks` through the whole form
 * (items, reason, review, send) and returns its number, read from the confirmation.
 */
export async function requestRefund(
  page: Page,
  picks: RefundPick[],
  { reason = 'It arrived damaged or does not work', onReview }: { reason?: string; onReview?: () => Promise<void> } = {},
): Promise<string> {
  await page.getByRole('link', { name: 'Ask for a refund' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Ask for a refund' })).toBeVisible();
  await chooseRefundItems(page, picks);
  await chooseOption(page, 'Why are you asking for a refund?', reason);
  await page.getByRole('button', { name: 'Continue to review' }).click();
  await expect(page.getByRole('heading', { name: 'Check your refund request' })).toBeFocused();
  await onReview?.();
  await page.getByRole('button', { name: 'Send refund request' }).click();
  const flash = page.getByText(/(We have your refund request|Your refund) R-\d+/);
  await expect(flash).toBeVisible();
  const number = /R-\d+/.exec(await flash.innerText())?.[0];
  expect(number, 'the confirmation names the refund').toBeTruthy();
  return number as string;
}

/** The card of refund `number` in the customer's Refunds section of a case page. */
export const customerRefundCard = (page: Page, number: string) =>
  page.getByRole('list', { name: 'Your refund requests, newest first' }).getByRole('article', { name: `Refund ${number}` });

/** As support staff: opens refund `number` from the approvals queue (or its failed payouts). */
export async function openRefundFromApprovals(page: Page, number: string, view: 'pending' | 'failed' = 'pending'): Promise<void> {
  await navigateTo(page, 'Approvals');
  await expect(page.getByRole('heading', { level: 1, name: 'Approvals' })).toBeVisible();
  if (view === 'failed') await chooseOption(page, 'Show', 'Failed payouts');
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('link', { name: number, exact: true })).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  await page.getByRole('link', { name: number, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Refund ${number}` })).toBeVisible();
}

/** Presses Tab until `target` has focus (at most `max` times): keyboard-only navigation. */
export async function tabTo(page: Page, target: Locator, max = 40): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target, `reached by Tab within ${max} presses`).toBeFocused();
}

/**
 * Runs `work` while no other spec on this machine is between reading what can be refunded and
 * asking for it. The demo orders are shared by all specs, and each item can be refunded only once:
 * two specs that both saw an item as free would otherwise race for it. Once a refund is created,
 * the refund quotes show its items as taken, so holding the lock that long is enough.
 */
export async function withRefundLock<T>(work: () => Promise<T>): Promise<T> {
  const target = process.env.E2E_BASE_URL ?? (process.env.E2E_MOCK_BFF === '1' ? 'mock' : 'default');
  const lock = join(tmpdir(), `acme-e2e-refund-lock-${target.replace(/[^a-z0-9]+/gi, '-')}`);
  const deadline = Date.now() + 150_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        // A lock left behind by a run that was killed.
        if (Date.now() - statSync(lock).mtimeMs > 90_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Gone in the meantime.
      }
      if (Date.now() > deadline) throw new Error('Waited too long for another spec to finish asking for a refund.');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
