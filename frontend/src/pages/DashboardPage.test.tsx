import { http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Dashboard } from '../api/types';
import { server } from '../test/server';
import { eur, lee, sam } from '../test/fixtures';
import { renderApp } from '../test/render';
import { chooseOption } from '../test/select';
import { periodRange } from './DashboardPage';

const DATA: Dashboard = {
  from: '2025-02-06T00:00:00Z',
  to: '2025-03-08T00:00:00Z',
  openByStatus: [
    { status: 'open', count: 4 },
    { status: 'in_progress', count: 2 },
    { status: 'waiting_on_customer', count: 1 },
    { status: 'resolved', count: 6 }, // not open: left out of "open cases"
  ],
  breachedOpen: 3,
  breachedInPeriod: 5,
  medianFirstResponseSeconds: 8100,
  casesOpened: 12,
  casesResolved: 9,
  refunds: { pendingCount: 2, pending: [eur(9069)], refundedCount: 3, refunded: [eur(12345)] },
};

const cell = (table: HTMLElement, row: string) => within(table).getByRole('row', { name: new RegExp(`^${row}`) });

describe('Dashboard', () => {
  it('shows each measure as a chart with a summary and a table of the same numbers', async () => {
    const seen: URLSearchParams[] = [];
    server.use(
      http.get('/api/dashboard', ({ request }) => {
        seen.push(new URL(request.url).searchParams);
        return HttpResponse.json(DATA);
      }),
    );
    renderApp('/dashboard', lee);
    const byStatus = await screen.findByRole('table', { name: 'Open cases by status: the numbers' });
    expect(cell(byStatus, 'Open')).toHaveTextContent('4');
    expect(cell(byStatus, 'In progress')).toHaveTextContent('2');
    expect(cell(byStatus, 'Waiting on customer')).toHaveTextContent('1');
    expect(cell(byStatus, 'All open cases')).toHaveTextContent('7');
    expect(screen.getByRole('img', { name: 'Open cases by status: Open 4 cases, In progress 2 cases, Waiting on customer 1 case.' })).toBeInTheDocument();

    const breaches = screen.getByRole('table', { name: 'SLA breaches: the numbers' });
    expect(cell(breaches, 'Open cases overdue now')).toHaveTextContent('3');
    expect(cell(breaches, 'Cases that breached in the period')).toHaveTextContent('5');

    const period = screen.getByRole('table', { name: 'Cases in the period: the numbers' });
    expect(cell(period, 'Cases opened')).toHaveTextContent('12');
    expect(cell(period, 'Cases resolved')).toHaveTextContent('9');
    expect(cell(period, 'Median time to first reply')).toHaveTextContent('2 hours 15 minutes');

    const refunds = screen.getByRole('table', { name: 'Refunds: the numbers' });
    expect(cell(refunds, 'Refunds waiting for approval')).toHaveTextContent('2');
    expect(cell(refunds, 'Amount waiting for approval')).toHaveTextContent('€90.69');
    expect(cell(refunds, 'Refunds paid in the period')).toHaveTextContent('3');
    expect(cell(refunds, 'Amount refunded in the period')).toHaveTextContent('€123.45');
    expect(
      screen.getByRole('img', { name: 'Refunds: Waiting for approval €90.69, 2 refunds, Refunded in the period €123.45, 3 refunds.' }),
    ).toBeInTheDocument();

    expect(screen.getByText('From 6 February 2025 to 7 March 2025.')).toBeInTheDocument();
    // The default period: the last 30 days.
    const first = seen[0]!;
    expect(Math.round((Date.parse(first.get('to')!) - Date.parse(first.get('from')!)) / 86_400_000)).toBe(30);
  });

  it('asks for another period when one is chosen', async () => {
    const spans: number[] = [];
    server.use(
      http.get('/api/dashboard', ({ request }) => {
        const q = new URL(request.url).searchParams;
        spans.push(Math.round((Date.parse(q.get('to')!) - Date.parse(q.get('from')!)) / 86_400_000));
        return HttpResponse.json(DATA);
      }),
    );
    const { user } = renderApp('/dashboard', lee);
    await screen.findByRole('table', { name: 'Refunds: the numbers' });
    await chooseOption(user, 'Period', 'Last 7 days');
    await waitFor(() => expect(spans).toContain(7));
    await chooseOption(user, 'Period', 'Last 90 days');
    await waitFor(() => expect(spans).toContain(90));
    expect(screen.getByTestId('location')).toHaveTextContent('/dashboard?days=90');
  });

  it('says when there are no replies yet and nothing to chart', async () => {
    server.use(
      http.get('/api/dashboard', () =>
        HttpResponse.json({
          ...DATA,
          openByStatus: [],
          breachedOpen: 0,
          breachedInPeriod: 0,
          medianFirstResponseSeconds: null,
          refunds: { pendingCount: 0, pending: [], refundedCount: 0, refunded: [] },
        }),
      ),
    );
    renderApp('/dashboard', lee);
    const period = await screen.findByRole('table', { name: 'Cases in the period: the numbers' });
    expect(cell(period, 'Median time to first reply')).toHaveTextContent('No replies yet');
    expect(screen.getByRole('img', { name: 'SLA breaches: Nothing to show for this period.' })).toBeInTheDocument();
    expect(cell(screen.getByRole('table', { name: 'Refunds: the numbers' }), 'Amount waiting for approval')).toHaveTextContent('€0.00');
  });

  it('is for leads only', async () => {
    server.use(http.get('/api/cases', () => HttpResponse.json({ cases: [], nextPageToken: null })));
    renderApp('/dashboard', sam);
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/queue'));
  });
});

describe('periodRange', () => {
  it('covers the last days up to the end of today', () => {
    const range = periodRange(7, new Date(2025, 2, 7, 15, 30));
    expect(new Date(range.to).getTime()).toBe(new Date(2025, 2, 8).getTime());
    expect(new Date(range.from).getTime()).toBe(new Date(2025, 2, 1).getTime());
  });
});
