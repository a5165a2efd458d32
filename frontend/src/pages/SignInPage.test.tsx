import { http, HttpResponse } from 'msw';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { server } from '../test/server';
import { ana, problem } from '../test/fixtures';
import { renderApp } from '../test/render';

async function fillAndSubmit(user: ReturnType<typeof renderApp>['user'], email: string, password: string) {
  if (email) await user.type(screen.getByLabelText('Email address'), email);
  if (password) await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('Sign-in page', () => {
  it('sends people who are not signed in to the sign-in page, focused on its heading', async () => {
    renderApp('/orders', null);
    const heading = await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    expect(heading).toHaveFocus();
  });

  it('explains empty fields next to each field', async () => {
    const { user } = renderApp('/sign-in', null);
    await fillAndSubmit(user, '', '');
    const email = screen.getByLabelText('Email address');
    const password = screen.getByLabelText('Password');
    expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(email).toHaveAccessibleDescription('Error: Enter your email address.');
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAccessibleDescription('Error: Enter your password.');
    const summary = screen.getByRole('alert');
    expect(summary).toHaveFocus();
    expect(within(summary).getByRole('link', { name: 'Enter your email address.' })).toHaveAttribute(
      'href',
      '#sign-in-email',
    );
  });

  it('asks for an email address in the right format', async () => {
    const { user } = renderApp('/sign-in', null);
    await fillAndSubmit(user, 'ana.example.com', 'secret');
    expect(screen.getByLabelText('Email address')).toHaveAccessibleDescription(/right format/);
  });

  it('says plainly when the email or password is wrong', async () => {
    server.use(http.post('/api/session', () => problem(401, 'UNAUTHENTICATED: bad credentials')));
    const { user } = renderApp('/sign-in', null);
    await fillAndSubmit(user, 'ana@example.com', 'wrong');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The email address or password is not right. Check them and try again.');
    expect(alert).not.toHaveTextContent('UNAUTHENTICATED');
  });

  it('says how long to wait after too many attempts', async () => {
    server.use(http.post('/api/session', () => problem(429, 'Rate limited', undefined, { 'Retry-After': '300' })));
    const { user } = renderApp('/sign-in', null);
    await fillAndSubmit(user, 'ana@example.com', 'wrong');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'There have been too many attempts to sign in. Please wait 5 minutes and try again.',
    );
  });

  it('says so when the service cannot be reached', async () => {
    server.use(http.post('/api/session', () => HttpResponse.error()));
    const { user } = renderApp('/sign-in', null);
    await fillAndSubmit(user, 'ana@example.com', 'demo-password');
    expect(await screen.findByRole('alert')).toHaveTextContent(/could not reach the server/);
  });

  it('signs a customer in and shows their orders and name', async () => {
    server.use(
      http.post('/api/session', () => HttpResponse.json({ user: ana })),
      http.get('/api/orders', () => HttpResponse.json({ orders: [] })),
    );
    const { user } = renderApp('/sign-in', null);
    await fillAndSubmit(user, 'ana@example.com', 'demo-password');
    expect(await screen.findByRole('heading', { level: 1, name: 'My orders' })).toBeInTheDocument();
    expect(screen.getByRole('banner')).toHaveTextContent('Ana Example');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'My cases' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'Queue' })).not.toBeInTheDocument();
  });
});
