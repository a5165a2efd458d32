import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useLocation } from 'react-router-dom';
import { api, queryKeys } from '../api';
import type { CaseListQuery, CaseStatus } from '../api/types';
import { Alert, Badge, Button, Loading, Page, type BadgeTone } from '../components';
import { CUSTOMER_STATUS_LABELS, formatDateTime } from '../lib/format';
import { casePath } from '../lib/routes';

export function statusTone(status: CaseStatus): BadgeTone {
  switch (status) {
    case 'open':
      return 'info';
    case 'in_progress':
      return 'info';
    case 'waiting_on_customer':
      return 'warning';
    case 'resolved':
      return 'success';
    case 'closed':
      return 'neutral';
  }
}

const MY_CASES_QUERY: CaseListQuery = { sort: 'newest', pageSize: 50 };

export function MyCasesPage() {
  const location = useLocation();
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
      {cases.isPending ? <Loading>Loading your cases…</Loading> : null}
      {cases.isError ? (
        <Alert tone="error" title="We could not load your cases">
          <p>Please try again in a moment.</p>
          <Button variant="secondary" onClick={() => void cases.refetch()}>
            Try again
          </Button>
        </Alert>
      ) : null}
      {cases.isSuccess && rows.length === 0 ? (
        <div className="empty">
          <p>You have no cases yet.</p>
          <p>
            If something is wrong with an order, go to <Link to="/orders">My orders</Link> and choose
            “Open a case”.
          </p>
        </div>
      ) : null}
      {rows.length > 0 ? (
        <>
          <table className="table">
            <caption className="visually-hidden">Your cases, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">Subject</th>
                <th scope="col">Status</th>
                <th scope="col">Last update</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td className="nowrap">
                    <Link to={casePath(c.id)}>{c.number}</Link>
                  </td>
                  <td>{c.subject}</td>
                  <td>
                    <Badge tone={statusTone(c.status)}>{CUSTOMER_STATUS_LABELS[c.status]}</Badge>
                  </td>
                  <td>
                    <time dateTime={c.updatedAt}>{formatDateTime(c.updatedAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {cases.hasNextPage ? (
            <Button
              variant="secondary"
              busy={cases.isFetchingNextPage}
              onClick={() => void cases.fetchNextPage()}
            >
              {cases.isFetchingNextPage ? 'Loading more…' : 'Show more cases'}
            </Button>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
