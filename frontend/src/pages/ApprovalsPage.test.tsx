import { http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Refund } from '../api/types';
import { server } from '../test/server';
import { ana, lee, makeRefund, problem, sam } from '../test/fixtures';
import { renderApp } from '../test/render';
import { chooseOption } from '../test/select';

describe('Approvals page', () => {
  it('lists refunds waiting for approval with case number, amount, approval needed and reason', async () => {
    let query = '';
    server.use(
      http.get('/api/refunds', ({ request }) => {
        query = new URL(request.url).search;
        return HttpResponse.json({
          refunds: [
            makeRefund(),
            makeRefund({
              id: 'rf-2',
              number: 'R-2002',
              caseNumber: 'C-10490',
              total: { amountMinor: 64900, currency: 'EUR' },
              requiredApproval: 'lead',
              reason: 'not_as_described',
              outsideRefundWindow: true,
            }),
          ],
          nextPageToken: null,
        });
      }),
    );
    renderApp('/approvals', sam);
    const table = await screen.findByRole('table', { name: 'Refunds waiting for approval' });
    expect(query).toBe('?status=pending_approval&pageSize=50');
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('R-2001');
    expect(rows[1]).toHaveTextContent('C-10482');
    expect(rows[1]).toHaveTextContent('€79.00');
    expect(rows[1]).toHaveTextContent('Any agent');
    expect(rows[1]).toHaveTextContent('Damaged or faulty');
    expect(rows[2]).toHaveTextContent('€649.00');
    expect(rows[2]).toHaveTextContent('A team lead');
    expect(rows[2]).toHaveTextContent('Outside refund window');
    expect(within(rows[1]!).getByRole('link', { name: 'R-2001' })).toHaveAttribute('href', '/refunds/rf-1');
    expect(within(rows[1]!).getByRole('link', { name: 'C-10482' })).toHaveAttribute('href', '/cases/case-1');
  });

  it('filters for failed payouts and shows why they failed', async () => {
    server.use(
      http.get('/api/refunds', ({ request }) => {
        const failed = new URL(request.url).searchParams.getAll('status').includes('failed');
        return HttpResponse.json({
          refunds: failed ? [makeRefund({ status: 'failed', failureReason: 'The card has expired.' })] : [],
          nextPageToken: null,
        });
      }),
    );
    const { user } = renderApp('/approvals', sam);
    expect(await screen.findByText('Nothing is waiting for approval.')).toBeInTheDocument();
    await chooseOption(user, 'Show', 'Failed payouts');
    const table = await screen.findByRole('table', { name: 'Refunds whose payout failed' });
    expect(table).toHaveTextContent('The card has expired.');
    expect(table).toHaveTextContent('Payout failed');
    expect(screen.getByTestId('location')).toHaveTextContent('/approvals?show=failed');
  });

  it('is for the support team only', async () => {
    server.use(http.get('/api/orders', () => HttpResponse.json({ orders: [] })));
    renderApp('/approvals', ana);
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/orders'));
  });
});

function withRefund(first: Refund, after?: Refund) {
  let loads = 0;
  server.use(
    http.get('/api/refunds/rf-1', () => {
      loads += 1;
      return HttpResponse.json({ refund: loads === 1 || !after ? first : after });
    }),
  );
  return () => loads;
}

describe('Refund page', () => {
  it('shows only the buttons the refund’s flags allow', async () => {
    withRefund(makeRefund({ canApprove: false, canReject: true, requiredApproval: 'lead' }));
    renderApp('/refunds/rf-1', sam);
    expect(await screen.findByRole('heading', { level: 1, name: 'Refund R-2001' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reject refund' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Approve refund' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Try the payout again' })).not.toBeInTheDocument();
    expect(screen.getByText('This refund needs a lead’s approval.')).toBeInTheDocument();
  });

  it('explains when an agent may not approve a refund that needs a lead', async () => {
    withRefund(makeRefund({ requiredApproval: 'lead' }));
    renderApp('/refunds/rf-1', sam);
    expect(await screen.findByText('This refund needs a lead’s approval.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Approve|Reject/ })).not.toBeInTheDocument();
  });

  it('asks for a reason before rejecting, inline, and sends nothing without one', async () => {
    withRefund(makeRefund({ canApprove: true, canReject: true }));
    let posted: unknown = null;
    server.use(
      http.post('/api/refunds/rf-1/reject', async ({ request }) => {
        posted = await request.json();
        return HttpResponse.json({
          refund: makeRefund({
            status: 'rejected',
            etag: 'r2',
            decision: { outcome: 'rejected', by: { id: sam.id, name: sam.name, role: 'agent' }, policy: 'agent_approval', comment: 'Outside the policy.', decidedAt: '2025-03-06T10:00:00Z' },
          }),
        });
      }),
    );
    const { user } = renderApp('/refunds/rf-1', sam);
    await user.click(await screen.findByRole('button', { name: 'Reject refund' }));
    const reason = screen.getByLabelText('Reason for rejecting');
    expect(reason).toHaveAttribute('aria-invalid', 'true');
    expect(reason).toHaveAccessibleDescription(/Error: Give a reason for rejecting: the customer will see it\./);
    expect(reason).toHaveFocus();
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();

    await user.type(reason, 'Outside the policy.');
    expect(reason).not.toHaveAttribute('aria-invalid', 'true');
    await user.click(screen.getByRole('button', { name: 'Reject refund' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Reject refund R-2001?' });
    await user.click(within(dialog).getByRole('button', { name: 'Reject refund' }));
    expect(await screen.findByText('Refund R-2001 is rejected. The customer will see your reason.')).toBeInTheDocument();
    expect(posted).toEqual({ etag: 'r1', reason: 'Outside the policy.' });
  });

  it('approves with an optional comment after asking', async () => {
    withRefund(makeRefund({ canApprove: true, canReject: true }));
    let posted: unknown = null;
    server.use(
      http.post('/api/refunds/rf-1/approve', async ({ request }) => {
        posted = await request.json();
        return HttpResponse.json({ refund: makeRefund({ status: 'approved', etag: 'r2' }) });
      }),
    );
    const { user } = renderApp('/refunds/rf-1', sam);
    await user.type(await screen.findByLabelText('Comment (optional)'), 'Photo checked.');
    await user.click(screen.getByRole('button', { name: 'Approve refund' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Approve refund R-2001?' });
    expect(dialog).toHaveTextContent('€79.00 will be paid back to the customer’s original payment.');
    await user.click(within(dialog).getByRole('button', { name: 'Approve refund' }));
    expect(await screen.findByText('Refund R-2001 is approved.')).toBeInTheDocument();
    expect(posted).toEqual({ etag: 'r1', comment: 'Photo checked.' });
    await waitFor(() => expect(screen.getByRole('heading', { level: 2, name: 'Status' })).toHaveFocus());
  });

  it.each([
    [403, 'LEAD_APPROVAL_REQUIRED', 'This refund needs a lead’s approval.'],
    [403, 'SELF_APPROVAL_FORBIDDEN', 'You asked for this refund yourself, so someone else on the team has to approve it.'],
    [409, 'VERSION_CONFLICT', 'Someone else changed this refund at the same time. We have reloaded it: check it and try again.'],
    [412, 'INVALID_STATE_TRANSITION', 'This refund can no longer be approved: it has changed since you opened it.'],
  ])('turns a %i (%s) into a plain message', async (status, reason, message) => {
    const loads = withRefund(makeRefund({ canApprove: true, canReject: true }));
    server.use(
      http.post('/api/refunds/rf-1/approve', () =>
        HttpResponse.json(
          { type: 'about:blank', title: 'x', status, detail: 'grpc said no', reason },
          { status, headers: { 'Content-Type': 'application/problem+json' } },
        ),
      ),
    );
    const { user } = renderApp('/refunds/rf-1', sam);
    await user.click(await screen.findByRole('button', { name: 'Approve refund' }));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Approve refund' }));
    expect(await screen.findByText(new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))).toBeInTheDocument();
    expect(screen.queryByText(/grpc/)).not.toBeInTheDocument();
    await waitFor(() => expect(loads()).toBeGreaterThanOrEqual(2)); // reloaded to show where it stands
  });

  it('retries a failed payout, optionally as store credit, and shows why it failed', async () => {
    withRefund(makeRefund({ status: 'failed', failureReason: 'The card has expired.', canRetry: true }));
    let posted: unknown = null;
    server.use(
      http.post('/api/refunds/rf-1/retry', async ({ request }) => {
        posted = await request.json();
        return HttpResponse.json({ refund: makeRefund({ status: 'processing', method: 'store_credit', etag: 'r2' }) });
      }),
    );
    const { user } = renderApp('/refunds/rf-1', lee);
    expect(await screen.findByText('Why: The card has expired.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Approve refund' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'Pay it as store credit instead' }));
    await user.click(screen.getByRole('button', { name: 'Try the payout again' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog).toHaveTextContent('€79.00 will be paid as store credit.');
    await user.click(within(dialog).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('The payout of refund R-2001 is being tried again.')).toBeInTheDocument();
    expect(posted).toEqual({ etag: 'r1', method: 'store_credit' });
  });

  it('says plainly when a refund cannot be found', async () => {
    server.use(http.get('/api/refunds/nope', () => problem(404, 'REFUND_NOT_FOUND')));
    renderApp('/refunds/nope', sam);
    expect(await screen.findByRole('alert')).toHaveTextContent('We could not find that refund');
  });
});
