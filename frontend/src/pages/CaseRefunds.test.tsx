import { http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { server } from '../test/server';
import { ana, makeCasePage, makeRefund, problem, sam } from '../test/fixtures';
import { renderApp } from '../test/render';

describe('Refunds on the customer’s case page', () => {
  it('offers to ask for a refund while the case is not closed', async () => {
    server.use(http.get('/api/cases/case-1', () => HttpResponse.json(makeCasePage())));
    renderApp('/cases/case-1', ana);
    const section = await screen.findByRole('region', { name: 'Refunds' });
    expect(within(section).getByRole('link', { name: 'Ask for a refund' })).toHaveAttribute('href', '/cases/case-1/refund');
  });

  it('does not offer it on a closed case', async () => {
    server.use(http.get('/api/cases/case-1', () => HttpResponse.json(makeCasePage({ status: 'closed' }))));
    renderApp('/cases/case-1', ana);
    const section = await screen.findByRole('region', { name: 'Refunds' });
    expect(within(section).queryByRole('link', { name: 'Ask for a refund' })).not.toBeInTheDocument();
  });

  it('shows each refund with a status badge and what happens next', async () => {
    server.use(
      http.get('/api/cases/case-1', () =>
        HttpResponse.json({
          ...makeCasePage(),
          refunds: [
            makeRefund({ id: 'a', number: 'R-2001', status: 'refunded', createdAt: '2025-03-05T10:00:00Z' }),
            makeRefund({
              id: 'b',
              number: 'R-2002',
              status: 'rejected',
              createdAt: '2025-03-06T10:00:00Z',
              decision: { outcome: 'rejected', by: null, policy: 'agent_approval', comment: 'The mug was used.', decidedAt: '2025-03-06T12:00:00Z' },
            }),
            makeRefund({ id: 'c', number: 'R-2003', status: 'failed', createdAt: '2025-03-07T10:00:00Z', failureReason: null }),
          ],
        }),
      ),
    );
    renderApp('/cases/case-1', ana);
    const list = await screen.findByRole('list', { name: 'Your refund requests, newest first' });
    const [failed, rejected, refunded] = within(list).getAllByRole('article');
    expect(failed).toHaveAccessibleName('Refund R-2003');
    expect(failed).toHaveTextContent('Delayed');
    expect(failed).toHaveTextContent('What happens next: Paying you back did not work the first time.');
    expect(rejected).toHaveTextContent('Declined');
    expect(rejected).toHaveTextContent('Why: The mug was used.');
    expect(refunded).toHaveTextContent('Refunded');
    expect(refunded).toHaveTextContent('€79.00 · back to the original payment');
    expect(refunded).toHaveTextContent('1 × Tea towel set');
    expect(refunded).toHaveTextContent('Done: we have sent the money back.');
    expect(screen.queryByRole('button', { name: 'Cancel this request' })).not.toBeInTheDocument();
  });

  it('cancels a waiting request after asking, sending its etag', async () => {
    let sent: unknown;
    const waiting = makeRefund({ status: 'pending_approval', canCancel: true });
    let cancelled = false;
    server.use(
      http.get('/api/cases/case-1', () =>
        HttpResponse.json({
          ...makeCasePage(),
          refunds: [cancelled ? makeRefund({ status: 'cancelled', etag: 'r2' }) : waiting],
        }),
      ),
      http.post('/api/refunds/rf-1/cancel', async ({ request }) => {
        sent = await request.json();
        cancelled = true;
        return HttpResponse.json({ refund: makeRefund({ status: 'cancelled', etag: 'r2' }) });
      }),
    );
    const { user } = renderApp('/cases/case-1', ana);
    const button = await screen.findByRole('button', { name: 'Cancel this request' });
    await user.click(button);
    const dialog = await screen.findByRole('alertdialog', { name: 'Cancel refund request R-2001?' });
    await waitFor(() => expect(within(dialog).getByRole('button', { name: 'Keep it' })).toHaveFocus());
    await user.click(within(dialog).getByRole('button', { name: 'Cancel request' }));
    expect(await screen.findByText('Your refund request R-2001 is cancelled.')).toBeInTheDocument();
    expect(sent).toEqual({ etag: 'r1' });
    expect(await screen.findByText('Cancelled')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('heading', { level: 3, name: 'Refund R-2001' })).toHaveFocus());
  });

  it('says plainly when the request was decided before the cancel arrived', async () => {
    server.use(
      http.get('/api/cases/case-1', () =>
        HttpResponse.json({ ...makeCasePage(), refunds: [makeRefund({ canCancel: true })] }),
      ),
      http.post('/api/refunds/rf-1/cancel', () => problem(412, 'INVALID_STATE_TRANSITION')),
    );
    const { user } = renderApp('/cases/case-1', ana);
    await user.click(await screen.findByRole('button', { name: 'Cancel this request' }));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Cancel request' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This request has just been decided, so it can no longer be cancelled.');
  });
});

describe('Refunds on the agent’s case page', () => {
  it('lists the case’s refunds with their status and a link to decide', async () => {
    server.use(
      http.get('/api/cases/case-1', () =>
        HttpResponse.json({ ...makeCasePage(), refunds: [makeRefund({ requiredApproval: 'lead' })] }),
      ),
      http.get('/api/agents', () => HttpResponse.json({ agents: [] })),
    );
    renderApp('/cases/case-1', sam);
    const section = await screen.findByRole('region', { name: 'Refunds' });
    expect(within(section).getByRole('link', { name: 'Refund R-2001' })).toHaveAttribute('href', '/refunds/rf-1');
    expect(section).toHaveTextContent('Waiting for approval');
    expect(section).toHaveTextContent('Needs approval from: a team lead');
  });
});
