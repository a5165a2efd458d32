import { expect, test } from '@playwright/test';
import { watchConsole } from './helpers';

// Needs only the built app, served by the BFF, `vite preview` or the mock BFF: the answer to
// "who is signed in?" is stubbed, so no backend is needed. The sign-in page renders, is
// keyboard-ready and logs no errors.
test('the sign-in page renders without console errors', async ({ page }) => {
  const errors = watchConsole(page);
  await page.route('**/api/session', (route) =>
    route.fulfill({
      status: 401,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Please sign in.' }),
    }),
  );
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
