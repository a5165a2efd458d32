import { act, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from './test/server';
import { ana, sam } from './test/fixtures';
import { setDevice } from './test/media';
import { renderApp } from './test/render';

describe('Header', () => {
  it('folds the navigation into a menu button that Escape closes', async () => {
    server.use(http.get('/api/orders', () => HttpResponse.json({ orders: [] })), http.get('/api/cases', () => HttpResponse.json({ cases: [], nextPageToken: null })));
    const { user } = renderApp('/orders', ana);
    const menu = screen.getByRole('button', { name: 'Menu' });
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(menu).toHaveAttribute('aria-controls', 'site-menu');
    await user.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    await user.keyboard('{Escape}');
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(menu).toHaveFocus();
    // Choosing a page closes the menu.
    await user.click(menu);
    await user.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'My cases' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'My cases' })).toHaveFocus();
    expect(menu).toHaveAttribute('aria-expanded', 'false');
  });

  it('offers keyboard shortcuts to the support team only', async () => {
    server.use(
      http.get('/api/orders', () => HttpResponse.json({ orders: [] })),
      http.get('/api/cases', () => HttpResponse.json({ cases: [], nextPageToken: null })),
    );
    const first = renderApp('/orders', ana);
    await screen.findByRole('heading', { level: 1, name: 'My orders' });
    expect(screen.queryByRole('button', { name: /Shortcuts/ })).not.toBeInTheDocument();
    first.unmount();
    const { user } = renderApp('/queue', sam);
    await user.click(screen.getByRole('button', { name: 'Keyboard shortcuts' }));
    expect(await screen.findByRole('dialog', { name: 'Keyboard shortcuts' })).toBeInTheDocument();
  });

  it('has a theme switch that follows the device until a theme is chosen', async () => {
    const { user } = renderApp('/sign-in', null);
    // The menu loads right after the page paints; until then its button shows, disabled.
    const trigger = await screen.findByRole('button', { name: 'Theme: Match my device' });
    await user.click(trigger);
    const menu = await screen.findByRole('menu', { name: /^Theme/ });
    expect(within(menu).getByRole('menuitemradio', { name: 'Match my device' })).toHaveAttribute('aria-checked', 'true');
    await user.click(within(menu).getByRole('menuitemradio', { name: 'Dark' }));
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(window.localStorage.getItem('acme-theme')).toBe('dark');
    expect(screen.getByRole('button', { name: 'Theme: Dark' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Theme: Dark' })).toHaveFocus());

    await user.click(screen.getByRole('button', { name: 'Theme: Dark' }));
    await user.click(await screen.findByRole('menuitemradio', { name: 'Match my device' }));
    expect(document.documentElement.dataset.theme).toBe('light');
    act(() => setDevice({ dark: true }));
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
