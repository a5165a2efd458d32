import { devices, expect, test, type Page } from '@playwright/test';
import { stubSignedOut, watchConsole } from './helpers';

// On iPhones and iPads, React Aria locks the page's scrolling behind a menu, popover or dialog
// with a <style> element it adds to <head>. The CSP allows no inline style but that one text, by
// its hash (bff/middleware.py). Here Chromium poses as an iPhone (React Aria tells by the user
// agent and navigator.platform), opens the Theme menu and checks the style took effect with no
// CSP violation. Needs only the built app: the session is stubbed, as in smoke.spec.ts.
test.use({
  userAgent: devices['iPhone 13'].userAgent,
  viewport: devices['iPhone 13'].viewport,
  hasTouch: true,
  isMobile: true,
});

async function poseAsIPhone(page: Page): Promise<void> {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'platform', { get: () => 'iPhone' });
    Object.defineProperty(Navigator.prototype, 'userAgentData', { get: () => undefined });
    const violations: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = violations;
    document.addEventListener('securitypolicyviolation', (event) => {
      violations.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sample}`);
    });
  });
}

test("React Aria's scroll lock for iOS is allowed by the CSP", async ({ page }) => {
  const errors = watchConsole(page);
  await poseAsIPhone(page);
  await stubSignedOut(page);
  const response = await page.goto('/sign-in');
  expect(response?.headers()['content-security-policy']).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/]+=*'/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();

  const html = page.locator('html');
  await expect(html).not.toHaveCSS('overscroll-behavior-y', 'contain');
  await page.getByRole('button', { name: /Theme/ }).tap();
  await expect(page.getByRole('menu')).toBeVisible();
  // React Aria's <style> is in <head>, and the browser applied it (a blocked one has no sheet).
  const applied = await page.evaluate(() =>
    Array.from(document.head.querySelectorAll('style')).some(
      (style) => style.textContent?.includes('overscroll-behavior: contain') && style.sheet !== null,
    ),
  );
  expect(applied).toBe(true);
  await expect(html).toHaveCSS('overscroll-behavior-y', 'contain');

  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
  await expect(html).not.toHaveCSS('overscroll-behavior-y', 'contain');
  expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
  expect(errors).toEqual([]);
});
