import { delay, http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { server } from '../test/server';
import { ana, makeCase, order, problem } from '../test/fixtures';
import { renderApp } from '../test/render';
import { setDevice } from '../test/media';

describe('My cases', () => {
  it('says it is loading while the cases come', async () => {
    server.use(
      http.get('/api/cases', async () => {
        await delay('infinite');
        return HttpResponse.json({ cases: [], nextPageToken: null });
      }),
    );
    renderApp('/cases', ana);
    // (after the page's own code has loaded: "Loading the page…" comes first)
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Loading your cases…'));
  });

  it('explains what to do when there are no cases', async () => {
    server.use(http.get('/api/cases', () => HttpResponse.json({ cases: [], nextPageToken: null })));
    renderApp('/cases', ana);
    expect(await screen.findByText('You have no cases yet.')).toBeInTheDocument();
    expect(within(screen.getByRole('main')).getByRole('link', { name: 'My orders' })).toHaveAttribute('href', '/orders');
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows a plain error with a way to try again, then the cases', async () => {
    let calls = 0;
    server.use(
      http.get('/api/cases', () => {
        calls += 1;
        if (calls === 1) return problem(503, 'UNAVAILABLE: connection refused to support_svc:50051');
        return HttpResponse.json({ cases: [makeCase()], nextPageToken: null });
      }),
    );
    const { user } = renderApp('/cases', ana);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('We could not load your cases');
    expect(alert).not.toHaveTextContent(/UNAVAILABLE|50051/);
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'C-10482' })).toBeInTheDocument();
  });

  it('lists cases with their number, subject, a human status and the update time', async () => {
    server.use(
      http.get('/api/cases', () =>
        HttpResponse.json({
          cases: [
            makeCase(),
            makeCase({ id: 'case-2', number: 'C-10483', subject: 'Wrong colour', status: 'waiting_on_customer' }),
          ],
          nextPageToken: null,
        }),
      ),
    );
    renderApp('/cases', ana);
    const rows = await screen.findAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('C-10482');
    expect(rows[1]).toHaveTextContent('Mug arrived broken');
    expect(rows[1]).toHaveTextContent('Received');
    expect(rows[1]).toHaveTextContent('5 Mar 2025');
    expect(rows[2]).toHaveTextContent('Waiting for your reply');
    expect(screen.getByRole('link', { name: 'C-10483' })).toHaveAttribute('href', '/cases/case-2');
    // No internal ids or codes on the page.
    expect(document.body).not.toHaveTextContent('case-2');
    expect(document.body).not.toHaveTextContent('waiting_on_customer');
  });

  it('loads more cases with the next page token', async () => {
    const seen: (string | null)[] = [];
    server.use(
      http.get('/api/cases', ({ request }) => {
        const token = new URL(request.url).searchParams.get('pageToken');
        seen.push(token);
        return token
          ? HttpResponse.json({ cases: [makeCase({ id: 'case-9', number: 'C-10001' })], nextPageToken: null })
          : HttpResponse.json({ cases: [makeCase()], nextPageToken: 'tok-2' });
      }),
    );
    const { user } = renderApp('/cases', ana);
    await user.click(await screen.findByRole('button', { name: 'Show more cases' }));
    expect(await screen.findByRole('link', { name: 'C-10001' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'C-10482' })).toBeInTheDocument();
    expect(seen).toEqual([null, 'tok-2']);
  });
});

describe('My cases on a phone', () => {
  it('lists the cases as cards', async () => {
    setDevice({ phone: true });
    server.use(http.get('/api/cases', () => HttpResponse.json({ cases: [makeCase()], nextPageToken: null })));
    renderApp('/cases', ana);
    const list = await screen.findByRole('list', { name: 'Your cases, newest first' });
    const link = within(list).getByRole('link', { name: /C-10482.*Mug arrived broken/ });
    expect(link).toHaveAttribute('href', '/cases/case-1');
    expect(within(list).getByText('Received')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });
});

describe('My orders', () => {
  it('shows placeholders while the orders load', async () => {
    server.use(
      http.get('/api/orders', async () => {
        await delay('infinite');
        return HttpResponse.json({ orders: [] });
      }),
    );
    renderApp('/orders', ana);
    // (after the page's own code has loaded: "Loading the page…" comes first)
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Loading your orders…'));
  });

  it('tells customers who are not allowed in the queue where to go, and unknown pages say so', async () => {
    server.use(http.get('/api/orders', () => HttpResponse.json({ orders: [] })));
    renderApp('/no-such-page', ana);
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toHaveFocus();
    expect(screen.getByRole('link', { name: 'Go to the start page' })).toHaveAttribute('href', '/');
  });

  it('shows each order with its items, money in euros and the delivery date', async () => {
    server.use(http.get('/api/orders', () => HttpResponse.json({ orders: [order] })));
    renderApp('/orders', ana);
    const article = await screen.findByRole('article', { name: 'Order placed on 1 March 2025' });
    expect(article).toHaveTextContent('Delivered on 4 March 2025');
    expect(within(article).getByRole('row', { name: /Ceramic mug 2 €12.50 €25.00/ })).toBeInTheDocument();
    expect(within(article).getByRole('row', { name: /Total €44.99/ })).toBeInTheDocument();
    expect(within(article).getByRole('link', { name: 'Open a case about the order placed on 1 March 2025' })).toHaveAttribute(
      'href',
      '/orders/ord_1001/new-case',
    );
    expect(document.body).not.toHaveTextContent('ord_1001');
  });

  it('says so when there are no orders', async () => {
    server.use(http.get('/api/orders', () => HttpResponse.json({ orders: [] })));
    renderApp('/orders', ana);
    expect(await screen.findByText(/You have no orders yet/)).toBeInTheDocument();
  });

  it('shows a plain error when orders cannot be loaded', async () => {
    server.use(http.get('/api/orders', () => HttpResponse.error()));
    renderApp('/orders', ana);
    expect(await screen.findByRole('alert')).toHaveTextContent('We could not load your orders');
  });
});
