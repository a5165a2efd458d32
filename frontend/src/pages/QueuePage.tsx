import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router-dom';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, queryKeys } from '../api';
import type { CaseSummary } from '../api/types';
import { Alert, Badge, Button, Field, Loading, Page, Select, SlaBadge } from '../components';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  PRIORITIES,
  PRIORITY_LABELS,
  STATUSES,
  STATUS_LABELS,
  formatDateTime,
  pluralize,
} from '../lib/format';
import {
  DEFAULT_FILTERS,
  filtersFromSearchParams,
  filtersToSearchParams,
  toCaseListQuery,
  type QueueFilters,
} from '../lib/queueFilters';
import { casePath } from '../lib/routes';
import { statusTone } from './MyCasesPage';

function priorityTone(priority: CaseSummary['priority']) {
  if (priority === 'urgent') return 'danger' as const;
  if (priority === 'high') return 'warning' as const;
  return 'neutral' as const;
}

function FiltersForm({
  filters,
  onChange,
}: {
  filters: QueueFilters;
  onChange: (next: QueueFilters) => void;
}) {
  const [q, setQ] = useState(filters.q);
  useEffect(() => setQ(filters.q), [filters.q]);

  function update<K extends keyof QueueFilters>(key: K, value: QueueFilters[K]) {
    onChange({ ...filters, q, [key]: value });
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    onChange({ ...filters, q });
  }

  return (
    <form className="filters" onSubmit={onSubmit} aria-label="Filter cases">
      <div className="filters__search" role="search">
        <Field
          id="queue-search"
          type="search"
          label="Search subjects and messages"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <Button type="submit">Search</Button>
      </div>
      <div className="filters__grid">
        <Select
          id="queue-status"
          label="Status"
          value={filters.status}
          onChange={(e) => update('status', e.target.value as QueueFilters['status'])}
          options={[
            { value: 'active', label: 'Not resolved yet' },
            { value: 'any', label: 'Any status' },
            ...STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
          ]}
        />
        <Select
          id="queue-priority"
          label="Priority"
          value={filters.priority}
          onChange={(e) => update('priority', e.target.value as QueueFilters['priority'])}
          placeholder="Any priority"
          options={PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABELS[p] }))}
        />
        <Select
          id="queue-category"
          label="Category"
          value={filters.category}
          onChange={(e) => update('category', e.target.value as QueueFilters['category'])}
          placeholder="Any category"
          options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
        />
        <Select
          id="queue-assignee"
          label="Assigned to"
          value={filters.assignee}
          onChange={(e) => update('assignee', e.target.value as QueueFilters['assignee'])}
          options={[
            { value: 'anyone', label: 'Anyone' },
            { value: 'mine', label: 'Me' },
            { value: 'unassigned', label: 'Nobody yet' },
          ]}
        />
        <Select
          id="queue-sort"
          label="Sort by"
          value={filters.sort}
          onChange={(e) => update('sort', e.target.value as QueueFilters['sort'])}
          options={[
            { value: 'due', label: 'Due soonest' },
            { value: 'newest', label: 'Newest first' },
            { value: 'oldest', label: 'Oldest first' },
          ]}
        />
        <div className="checkbox filters__check">
          <input
            type="checkbox"
            id="queue-breached"
            checked={filters.breached}
            onChange={(e) => update('breached', e.target.checked)}
          />
          <label htmlFor="queue-breached">Only overdue cases</label>
        </div>
      </div>
      <Button variant="link" onClick={() => onChange(DEFAULT_FILTERS)}>
        Clear filters
      </Button>
    </form>
  );
}

function QueueTable({ cases }: { cases: CaseSummary[] }) {
  const now = Date.now();
  return (
    <div className="table-scroll">
      <table className="table">
        <caption className="visually-hidden">Cases in the queue</caption>
        <thead>
          <tr>
            <th scope="col">Case</th>
            <th scope="col">Subject</th>
            <th scope="col">Status</th>
            <th scope="col">Priority</th>
            <th scope="col">Category</th>
            <th scope="col">Assigned to</th>
            <th scope="col">Due</th>
            <th scope="col">Last update</th>
          </tr>
        </thead>
        <tbody>
          {cases.map((c) => (
            <tr key={c.id}>
              <td className="nowrap">
                <Link to={casePath(c.id)}>{c.number}</Link>
              </td>
              <td>{c.subject}</td>
              <td>
                <Badge tone={statusTone(c.status)}>{STATUS_LABELS[c.status]}</Badge>
              </td>
              <td>
                <Badge tone={priorityTone(c.priority)}>{PRIORITY_LABELS[c.priority]}</Badge>
              </td>
              <td>{CATEGORY_LABELS[c.category] ?? 'Other'}</td>
              <td>{c.assignee ? c.assignee.name : <span className="muted">Nobody</span>}</td>
              <td>
                <SlaBadge kase={c} now={now} />
              </td>
              <td>
                <time dateTime={c.updatedAt}>{formatDateTime(c.updatedAt)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function QueuePage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const location = useLocation();
  const filters = filtersFromSearchParams(searchParams);
  const filterKey = filtersToSearchParams(filters).toString();
  // Tokens of the pages after the first, for the current filters; reset when they change.
  const [pager, setPager] = useState<{ key: string; tokens: string[] }>({ key: filterKey, tokens: [] });
  const tokens = pager.key === filterKey ? pager.tokens : [];
  const pageToken = tokens[tokens.length - 1];
  const query = toCaseListQuery(filters, pageToken);

  const cases = useQuery({
    queryKey: queryKeys.cases(query),
    queryFn: ({ signal }) => api.listCases(query, signal),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });

  function changeFilters(next: QueueFilters) {
    setSearchParams(filtersToSearchParams(next), { replace: false });
  }

  const rows = cases.data?.cases ?? [];
  const pageNumber = tokens.length + 1;
  const flash = (location.state as { flash?: string } | null)?.flash;

  return (
    <Page title="Queue" lead="Support cases waiting for the team.">
      {flash ? <Alert tone="success">{flash}</Alert> : null}
      <FiltersForm filters={filters} onChange={changeFilters} />
      <section aria-labelledby="results-heading" className="section">
        <h2 id="results-heading" className="section__title">
          Cases
        </h2>
        <p role="status" className="muted results-count">
          {cases.isPending
            ? ''
            : cases.isError
              ? ''
              : rows.length === 0
                ? ''
                : `Page ${pageNumber}: ${pluralize(rows.length, 'case', 'cases')}${cases.isFetching ? ', updating…' : ''}`}
        </p>
        {cases.isPending ? <Loading>Loading cases…</Loading> : null}
        {cases.isError ? (
          <Alert tone="error" title="We could not load the queue">
            <p>Please try again in a moment.</p>
            <Button variant="secondary" onClick={() => void cases.refetch()}>
              Try again
            </Button>
          </Alert>
        ) : null}
        {cases.isSuccess && rows.length === 0 ? (
          <p className="empty">No cases match these filters.</p>
        ) : null}
        {rows.length > 0 ? <QueueTable cases={rows} /> : null}
        {tokens.length > 0 || cases.data?.nextPageToken ? (
          <nav className="pagination" aria-label="Pages of cases">
            <Button
              variant="secondary"
              disabled={tokens.length === 0}
              onClick={() => setPager({ key: filterKey, tokens: tokens.slice(0, -1) })}
            >
              Previous page
            </Button>
            <span>Page {pageNumber}</span>
            <Button
              variant="secondary"
              disabled={!cases.data?.nextPageToken || cases.isPlaceholderData}
              onClick={() => {
                const next = cases.data?.nextPageToken;
                if (next) setPager({ key: filterKey, tokens: [...tokens, next] });
              }}
            >
              Next page
            </Button>
          </nav>
        ) : null}
      </section>
    </Page>
  );
}
