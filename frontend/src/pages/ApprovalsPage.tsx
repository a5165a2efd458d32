import { Link, useSearchParams } from 'react-router-dom';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, queryKeys } from '../api';
import type { Refund, RefundListQuery } from '../api/types';
import {
  Badge,
  Button,
  type Column,
  EmptyState,
  LoadError,
  Page,
  Select,
  Skeleton,
  Table,
} from '../components';
import { formatDateTime, formatMoney } from '../lib/format';
import { REQUIRED_APPROVAL_LABELS, STAFF_REFUND_REASON_LABELS } from '../lib/refunds';
import { casePath, refundPath } from '../lib/routes';
import { RefundStatusBadge } from './refundParts';

export type ApprovalsView = 'pending' | 'failed';

const VIEWS: Record<ApprovalsView, { label: string; query: RefundListQuery; empty: string; caption: string }> = {
  pending: {
    label: 'Waiting for approval',
    query: { status: ['pending_approval'], pageSize: 50 },
    empty: 'Nothing is waiting for approval.',
    caption: 'Refunds waiting for approval',
  },
  failed: {
    label: 'Failed payouts',
    query: { status: ['failed'], pageSize: 50 },
    empty: 'No payouts have failed.',
    caption: 'Refunds whose payout failed',
  },
};

function columns(view: ApprovalsView): Column<Refund>[] {
  return [
    {
      id: 'refund',
      header: 'Refund',
      nowrap: true,
      cell: (r) => <Link to={refundPath(r.id)}>{r.number}</Link>,
    },
    {
      id: 'case',
      header: 'Case',
      nowrap: true,
      cell: (r) => (r.caseNumber ? <Link to={casePath(r.caseId)}>{r.caseNumber}</Link> : <Link to={casePath(r.caseId)}>Open the case</Link>),
    },
    { id: 'customer', header: 'Customer', cell: (r) => r.requestedBy.name },
    { id: 'amount', header: 'Amount', numeric: true, nowrap: true, cell: (r) => formatMoney(r.total) },
    view === 'pending'
      ? {
          id: 'approval',
          header: 'Needs approval from',
          cell: (r) => (
            <>
              {REQUIRED_APPROVAL_LABELS[r.requiredApproval]}
              {r.outsideRefundWindow ? (
                <>
                  {' '}
                  <Badge tone="warning">Outside refund window</Badge>
                </>
              ) : null}
            </>
          ),
        }
      : { id: 'failure', header: 'Why it failed', cell: (r) => r.failureReason ?? 'No reason was given.' },
    { id: 'reason', header: 'Reason', cell: (r) => STAFF_REFUND_REASON_LABELS[r.reason] },
    { id: 'status', header: 'Status', cell: (r) => <RefundStatusBadge refund={r} viewer="staff" /> },
    {
      id: 'asked',
      header: 'Asked for',
      nowrap: true,
      cell: (r) => <time dateTime={r.createdAt}>{formatDateTime(r.createdAt)}</time>,
    },
  ];
}

/** The approvals queue: refunds waiting for a decision, or whose payout failed. */
export function ApprovalsPage() {
  const [params, setParams] = useSearchParams();
  const view: ApprovalsView = params.get('show') === 'failed' ? 'failed' : 'pending';
  const config = VIEWS[view];
  const refunds = useInfiniteQuery({
    queryKey: queryKeys.refunds(config.query),
    queryFn: ({ pageParam, signal }) =>
      api.listRefunds(pageParam ? { ...config.query, pageToken: pageParam } : config.query, signal),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextPageToken ?? undefined,
    staleTime: 0,
  });
  const rows = refunds.data?.pages.flatMap((p) => p.refunds) ?? [];

  return (
    <Page title="Approvals" lead="Refunds that wait for a decision, and payouts that need another try.">
      <div className="filters filters--compact">
        <Select
          id="approvals-show"
          label="Show"
          value={view}
          onChange={(v) => setParams(v === 'failed' ? { show: 'failed' } : {}, { replace: true })}
          options={(Object.keys(VIEWS) as ApprovalsView[]).map((v) => ({ value: v, label: VIEWS[v].label }))}
        />
      </div>
      {refunds.isPending ? <Skeleton label="Loading refunds…" shape="rows" count={4} /> : null}
      {refunds.isError ? (
        <LoadError what="the refunds" onRetry={() => void refunds.refetch()} />
      ) : null}
      {refunds.data && rows.length === 0 ? <EmptyState title={config.empty} /> : null}
      {rows.length > 0 ? (
        <>
          <p className="results-count" aria-live="polite">
            {rows.length === 1 ? '1 refund' : `${rows.length} refunds`}
            {refunds.hasNextPage ? ' shown, more to load' : ''}
          </p>
          <Table caption={config.caption} columns={columns(view)} rows={rows} rowKey={(r) => r.id} className="approvals-table" />
          {refunds.hasNextPage ? (
            <div className="pagination">
              <Button
                variant="secondary"
                isPending={refunds.isFetchingNextPage}
                onPress={() => void refunds.fetchNextPage()}
              >
                Show more refunds
              </Button>
            </div>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
