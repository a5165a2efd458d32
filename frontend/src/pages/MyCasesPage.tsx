import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useLocation } from 'react-router-dom';
import { api, queryKeys } from '../api';
import type { CaseListQuery, CaseSummary } from '../api/types';
import {
  Alert,
  Badge,
  Button,
  ButtonLink,
  type Column,
  EmptyState,
  LoadError,
  Page,
  Skeleton,
  Table,
} from '../components';
import { CUSTOMER_STATUS_LABELS, formatDateTime } from '../lib/format';
import { casePath } from '../lib/routes';
import { PHONE_QUERY, useMediaQuery } from '../lib/useMediaQuery';
import { CaseCards, statusTone } from './caseParts';

const MY_CASES_QUERY: CaseListQuery = { sort: 'newest', pageSize: 50 };

const COLUMNS: Column<CaseSummary>[] = [
  { id: 'number', header: 'Case', nowrap: true, cell: (c) => <Link to={casePath(c.id)}>{c.number}</Link> },
  { id: 'subject', header: 'Subject', cell: (c) => c.subject },
  {
    id: 'status',
    header: 'Status',
    cell: (c) => <Badge tone={statusTone(c.status)}>{CUSTOMER_STATUS_LABELS[c.status]}</Badge>,
  },
  {
    id: 'updated',
    header: 'Last update',
    cell: (c) => <time dateTime={c.updatedAt}>{formatDateTime(c.updatedAt)}</time>,
  },
];

export function MyCasesPage() {
  const location = useLocation();
  const isPhone = useMediaQuery(PHONE_QUERY);
  const flash = (location.state as { flash?: string } | null)?.flash;
  const cases = useInfiniteQuery({
    queryKey: queryKeys.cases(MY_CASES_QUERY),
    queryFn: ({ pageParam, signal }) =>
      api.listCases(pageParam ? { ...MY_CASES_QUERY, pageToken: pageParam } : MY_CASES_QUERY, signal),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextPageToken || undefined,
  });
  const rows = cases.data?.pages.flatMap((p) => p.cases) ?? [];

  return (
    <Page title="My cases" lead="Your questions and problems, and where each one stands.">
      {flash ? <Alert tone="success">{flash}</Alert> : null}
      {cases.isPending ? <Skeleton label="Loading your cases…" shape="rows" count={3} /> : null}
      {cases.isError ? (
        <LoadError what="your cases" onRetry={() => void cases.refetch()} />
      ) : null}
      {cases.isSuccess && rows.length === 0 ? (
        <EmptyState
          title="You have no cases yet."
          action={<ButtonLink to="/orders">My orders</ButtonLink>}
        >
          <p>If something is wrong with an order, go to your orders and choose “Open a case”.</p>
        </EmptyState>
      ) : null}
      {rows.length > 0 ? (
        <>
          {isPhone ? (
            <CaseCards cases={rows} label="Your cases, newest first" viewer="customer" />
          ) : (
            <Table caption="Your cases, newest first" columns={COLUMNS} rows={rows} rowKey={(c) => c.id} />
          )}
          {cases.hasNextPage ? (
            <Button
              variant="secondary"
              isPending={cases.isFetchingNextPage}
              onPress={() => void cases.fetchNextPage()}
            >
              {cases.isFetchingNextPage ? 'Loading more…' : 'Show more cases'}
            </Button>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
