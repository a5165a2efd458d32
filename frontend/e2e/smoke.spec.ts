import { expect, test } from '@playwright/test';
import { stubSignedOut, watchConsole } from './helpers';

// Needs only the built app, served by the BFF, `vite preview` or the mock BFF: the answer to
// "who is signed in?" is stubbed, so no backend is needed. The sign-in page renders, is
// keyboard-ready and logs no errors.
test('the sign-in page renders without console errors', async ({ page }) => {
  const errors = watchConsole(page);
  await stubSignedOut(page);
  await page.goto('/sign-in');
  const heading = page.getByRole('heading', { level: 1, name: 'Sign in' });
  await expect(heading).toBeVisible();
  await expect(heading).toBeFocused();
  await expect(page.getByRole('main')).toBeVisible();
  await expect(page.getByRole('banner')).toBeVisible();
  await expect(page.getByLabel('Email address')).toBeVisible();
  await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
  await expect(page).toHaveTitle(/Sign in/);

  // Submitting empty shows errors tied to their fields.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Email address')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Email address')).toHaveAccessibleDescription(/Enter your email address/);
  expect(errors).toEqual([]);
});

// What the browser must fetch before it can paint (index.html's scripts and module preloads) holds
// no menu or popover code: the theme menu, React Aria's heaviest part on the first screen, loads
// right after (its button is disabled until then). ~36 kB gzip less on the first load.
test('the first load carries no menu code, and the theme menu comes right after', async ({ page, request }) => {
  const html = await (await request.get('/sign-in')).text();
  const first = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
  expect(first.length).toBeGreaterThan(0);
  for (const path of first) {
    const code = await (await request.get(path)).text();
    expect(code.includes('menuitemradio'), `${path} holds the menu's code`).toBe(false);
  }

  await stubSignedOut(page);
  await page.goto('/sign-in');
  await page.getByRole('button', { name: /^Theme/ }).click();
  await expect(page.getByRole('menu', { name: 'Theme' })).toBeVisible();
});
