import { delay, http, HttpResponse } from 'msw';
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { server } from '../test/server';
import { makeCase, makeCasePage, problem, sam } from '../test/fixtures';
import { setDevice } from '../test/media';
import { renderApp } from '../test/render';
import { chooseOption } from '../test/select';

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

    await chooseOption(user, 'Status', 'Open');
    await chooseOption(user, 'Priority', 'Urgent');
    await chooseOption(user, 'Category', 'Wrong item');
    await chooseOption(user, 'Assigned to', 'Nobody yet');
    await chooseOption(user, 'Sort by', 'Newest first');
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
    expect(screen.getByLabelText('Assigned to')).toHaveTextContent('Me');
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

  it('says plainly when the queue cannot be loaded, and tries again', async () => {
    let calls = 0;
    server.use(
      http.get('/api/cases', () => {
        calls += 1;
        return calls === 1
          ? problem(503, 'UNAVAILABLE: support_svc:50051')
          : HttpResponse.json({ cases: [makeCase({ number: 'C-1' })], nextPageToken: null });
      }),
    );
    const { user } = renderApp('/queue', sam);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('We could not load the queue');
    expect(alert).not.toHaveTextContent(/UNAVAILABLE|50051/);
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'C-1' })).toBeInTheDocument();
  });

  it('shows placeholders while loading', async () => {
    server.use(
      http.get('/api/cases', async () => {
        await delay('infinite');
        return HttpResponse.json({ cases: [], nextPageToken: null });
      }),
    );
    renderApp('/queue', sam);
    expect(await screen.findByText('Loading cases…')).toBeInTheDocument();
  });

  it('offers to clear the filters when nothing matches them', async () => {
    const queries = recordQueries();
    server.use(
      http.get('/api/cases', ({ request }) => {
        const search = new URL(request.url).search.replace(/^\?/, '');
        queries.push(search);
        return HttpResponse.json({
          cases: search.includes('priority=urgent') ? [] : [makeCase({ number: 'C-1' })],
          nextPageToken: null,
        });
      }),
    );
    const { user } = renderApp('/queue?priority=urgent', sam);
    expect(await screen.findByText('No cases match these filters.')).toBeInTheDocument();
    const empty = screen.getByText('No cases match these filters.').parentElement as HTMLElement;
    await user.click(within(empty).getByRole('button', { name: 'Clear filters' }));
    expect(await screen.findByRole('link', { name: 'C-1' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/queue$/);
  });

  it('has keyboard shortcuts: "/" to search, j and k between cases, Enter to open', async () => {
    server.use(
      http.get('/api/cases', () =>
        HttpResponse.json({
          cases: [makeCase({ id: 'a', number: 'C-1' }), makeCase({ id: 'b', number: 'C-2' }), makeCase({ id: 'c', number: 'C-3' })],
          nextPageToken: null,
        }),
      ),
      http.get('/api/cases/b', () => HttpResponse.json(makeCasePage({ id: 'b', number: 'C-2', subject: 'Second case' }))),
      http.get('/api/agents', () => HttpResponse.json({ agents: [] })),
    );
    const { user } = renderApp('/queue', sam);
    await screen.findByRole('link', { name: 'C-1' });

    await user.keyboard('j');
    expect(screen.getByRole('link', { name: 'C-1' })).toHaveFocus();
    await user.keyboard('jj');
    expect(screen.getByRole('link', { name: 'C-3' })).toHaveFocus();
    await user.keyboard('j');
    expect(screen.getByRole('link', { name: 'C-3' })).toHaveFocus();
    await user.keyboard('k');
    expect(screen.getByRole('link', { name: 'C-2' })).toHaveFocus();

    await user.keyboard('/');
    const search = screen.getByLabelText('Search subjects and messages');
    expect(search).toHaveFocus();
    await user.keyboard('jk');
    expect(search).toHaveValue('jk'); // typing, not shortcuts

    act(() => screen.getByRole('link', { name: 'C-2' }).focus());
    await user.keyboard('{Enter}');
    const heading = await screen.findByRole('heading', { level: 1, name: 'Second case' });
    await waitFor(() => expect(heading).toHaveFocus()); // the case page loads on first use
  });

  it('becomes a list of cards with folded filters on a phone', async () => {
    setDevice({ phone: true });
    recordQueries();
    const { user } = renderApp('/queue', sam);
    const cards = await screen.findByRole('list', { name: 'Cases in the queue' });
    expect(within(cards).getByRole('link', { name: /C-1/ })).toHaveAttribute('href', '/cases/p1');
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Sort by')).not.toBeInTheDocument();
    const toggle = screen.getByRole('button', { name: 'Show filters' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(screen.getByRole('button', { name: 'Hide filters' })).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByLabelText('Sort by')).toBeInTheDocument();
  });
});
