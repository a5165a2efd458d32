import { http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { server } from '../test/server';
import { makeCase, sam } from '../test/fixtures';
import { renderApp } from '../test/render';

function recordQueries(nextPageToken: string | null = null) {
  const queries: string[] = [];
  server.use(
    http.get('/api/cases', ({ request }) => {
      const url = new URL(request.url);
      queries.push(url.search.replace(/^\?/, ''));
      const token = url.searchParams.get('pageToken');
      return HttpResponse.json({
        cases: [makeCase({ id: token ? 'p2' : 'p1', number: token ? 'C-2' : 'C-1' })],
        nextPageToken: token ? null : nextPageToken,
      });
    }),
  );
  return queries;
}

describe('Queue', () => {
  it('builds the query string from the filters the agent picks', async () => {
    const queries = recordQueries();
    const { user } = renderApp('/queue', sam);
    expect(await screen.findByRole('heading', { level: 1, name: 'Queue' })).toBeInTheDocument();
    await screen.findByRole('link', { name: 'C-1' });
    expect(queries.at(-1)).toBe('status=open&status=in_progress&status=waiting_on_customer&sort=due&pageSize=25');

    await user.selectOptions(screen.getByLabelText('Status'), 'Open');
    await user.selectOptions(screen.getByLabelText('Priority'), 'Urgent');
    await user.selectOptions(screen.getByLabelText('Category'), 'Wrong item');
    await user.selectOptions(screen.getByLabelText('Assigned to'), 'Nobody yet');
    await user.selectOptions(screen.getByLabelText('Sort by'), 'Newest first');
    await user.click(screen.getByLabelText('Only overdue cases'));
    await user.type(screen.getByLabelText('Search subjects and messages'), 'cracked lamp{Enter}');

    await waitFor(() =>
      expect(queries.at(-1)).toBe(
        'status=open&priority=urgent&category=wrong_item&assignee=unassigned&breached=true&q=cracked+lamp&sort=newest&pageSize=25',
      ),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      '/queue?status=open&priority=urgent&category=wrong_item&assignee=unassigned&breached=true&q=cracked+lamp&sort=newest',
    );
  });

  it('reads the filters from the address', async () => {
    const queries = recordQueries();
    renderApp('/queue?assignee=mine&status=any', sam);
    await screen.findByRole('link', { name: 'C-1' });
    expect(queries.at(-1)).toBe('assignee=mine&sort=due&pageSize=25');
    expect(screen.getByLabelText('Assigned to')).toHaveValue('mine');
  });

  it('pages forward with nextPageToken and back again', async () => {
    const queries = recordQueries('next-1');
    const { user } = renderApp('/queue', sam);
    await screen.findByRole('link', { name: 'C-1' });
    const pages = screen.getByRole('navigation', { name: 'Pages of cases' });
    expect(within(pages).getByRole('button', { name: 'Previous page' })).toBeDisabled();
    await user.click(within(pages).getByRole('button', { name: 'Next page' }));
    expect(await screen.findByRole('link', { name: 'C-2' })).toBeInTheDocument();
    expect(queries.at(-1)).toContain('pageToken=next-1');
    expect(screen.getByText('Page 2', { selector: 'span' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByRole('link', { name: 'C-1' })).toBeInTheDocument();
  });

  it('shows SLA badges in plain words', async () => {
    const inThreeHours = new Date(Date.now() + 3 * 3_600_000 + 60_000).toISOString();
    server.use(
      http.get('/api/cases', () =>
        HttpResponse.json({
          cases: [
            makeCase({ id: 'a', number: 'C-1', firstResponseDueAt: inThreeHours }),
            makeCase({ id: 'b', number: 'C-2', slaBreached: true }),
          ],
          nextPageToken: null,
        }),
      ),
    );
    renderApp('/queue', sam);
    const rows = await screen.findAllByRole('row');
    expect(rows[1]).toHaveTextContent('Due in 3 h');
    expect(rows[2]).toHaveTextContent('Overdue');
  });

  it('says so when nothing matches', async () => {
    server.use(http.get('/api/cases', () => HttpResponse.json({ cases: [], nextPageToken: null })));
    renderApp('/queue', sam);
    expect(await screen.findByText('No cases match these filters.')).toBeInTheDocument();
  });

  it('keeps customers out of the queue', async () => {
    server.use(http.get('/api/orders', () => HttpResponse.json({ orders: [] })));
    renderApp('/queue', { ...sam, role: 'customer' });
    expect(await screen.findByRole('heading', { level: 1, name: 'My orders' })).toBeInTheDocument();
  });
});
