import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router-dom';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, queryKeys } from '../api';
import type { CaseSummary } from '../api/types';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  type Column,
  EmptyState,
  Icon,
  LoadError,
  Page,
  Select,
  Skeleton,
  SlaBadge,
  Table,
  TextField,
  useShortcuts,
  useShortcutSettings,
} from '../components';
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
import { PHONE_QUERY, useMediaQuery } from '../lib/useMediaQuery';
import { CaseCards, priorityTone, statusTone } from './caseParts';

export const SEARCH_FIELD_ID = 'queue-search';

/** How many filters differ from the defaults (search aside), for the phone's "Filters" button. */
function activeFilterCount(f: QueueFilters): number {
  return [
    f.status !== DEFAULT_FILTERS.status,
    f.priority !== '',
    f.category !== '',
    f.assignee !== DEFAULT_FILTERS.assignee,
    f.breached,
    f.sort !== DEFAULT_FILTERS.sort,
  ].filter(Boolean).length;
}

function FiltersForm({
  filters,
  onChange,
  compact,
}: {
  filters: QueueFilters;
  onChange: (next: QueueFilters) => void;
  /** Phone: the filters fold away behind a button. */
  compact: boolean;
}) {
  const [q, setQ] = useState(filters.q);
  const [lastQ, setLastQ] = useState(filters.q);
  if (filters.q !== lastQ) {
    // The address changed (back button, "Clear filters"): show its search.
    setLastQ(filters.q);
    setQ(filters.q);
  }
  const [open, setOpen] = useState(false);
  const count = activeFilterCount(filters);

  function update<K extends keyof QueueFilters>(key: K, value: QueueFilters[K]) {
    onChange({ ...filters, q, [key]: value });
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    onChange({ ...filters, q });
  }

  const showGrid = !compact || open;

  return (
    <form className="filters" onSubmit={onSubmit} aria-label="Filter cases">
      <div className="filters__search" role="search">
        <TextField id={SEARCH_FIELD_ID} type="search" label="Search subjects and messages" value={q} onChange={setQ} />
        <Button type="submit" icon={<Icon name="search" size={18} />}>
          Search
        </Button>
      </div>
      {compact ? (
        <Button
          variant="secondary"
          className="filters__toggle"
          aria-expanded={open}
          aria-controls="queue-filters"
          icon={<Icon name="filter" size={18} />}
          onPress={() => setOpen((o) => !o)}
        >
          {open ? 'Hide filters' : 'Show filters'}
          {count > 0 ? ` (${count} on)` : ''}
        </Button>
      ) : null}
      <div id="queue-filters" className="filters__panel" hidden={!showGrid}>
        {showGrid ? (
          <>
            <div className="filters__grid">
              <Select
                id="queue-status"
                label="Status"
                value={filters.status}
                onChange={(v) => update('status', v as QueueFilters['status'])}
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
                onChange={(v) => update('priority', v as QueueFilters['priority'])}
                emptyLabel="Any priority"
                options={PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABELS[p] }))}
              />
              <Select
                id="queue-category"
                label="Category"
                value={filters.category}
                onChange={(v) => update('category', v as QueueFilters['category'])}
                emptyLabel="Any category"
                options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
              />
              <Select
                id="queue-assignee"
                label="Assigned to"
                value={filters.assignee}
                onChange={(v) => update('assignee', v as QueueFilters['assignee'])}
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
                onChange={(v) => update('sort', v as QueueFilters['sort'])}
                options={[
                  { value: 'due', label: 'Due soonest' },
                  { value: 'newest', label: 'Newest first' },
                  { value: 'oldest', label: 'Oldest first' },
                ]}
              />
              <div className="filters__check">
                <Checkbox id="queue-breached" isSelected={filters.breached} onChange={(on) => update('breached', on)}>
                  Only overdue cases
                </Checkbox>
              </div>
            </div>
            <Button variant="link" onPress={() => onChange(DEFAULT_FILTERS)}>
              Clear filters
            </Button>
          </>
        ) : null}
      </div>
    </form>
  );
}

function queueColumns(now: number): Column<CaseSummary>[] {
  return [
    {
      id: 'number',
      header: 'Case',
      nowrap: true,
      cell: (c) => (
        <Link to={casePath(c.id)} data-case-link="">
          {c.number}
        </Link>
      ),
    },
    { id: 'subject', header: 'Subject', cell: (c) => c.subject },
    { id: 'status', header: 'Status', cell: (c) => <Badge tone={statusTone(c.status)}>{STATUS_LABELS[c.status]}</Badge> },
    {
      id: 'priority',
      header: 'Priority',
      cell: (c) => <Badge tone={priorityTone(c.priority)}>{PRIORITY_LABELS[c.priority]}</Badge>,
    },
    { id: 'category', header: 'Category', cell: (c) => CATEGORY_LABELS[c.category] ?? 'Other' },
    {
      id: 'assignee',
      header: 'Assigned to',
      cell: (c) => (c.assignee ? c.assignee.name : <span className="muted">Nobody</span>),
    },
    { id: 'due', header: 'Due', nowrap: true, cell: (c) => <SlaBadge kase={c} now={now} /> },
    {
      id: 'updated',
      header: 'Last update',
      cell: (c) => <time dateTime={c.updatedAt}>{formatDateTime(c.updatedAt)}</time>,
    },
  ];
}

/** j / k: focus the next or previous case link in `container` (Enter then opens it). */
function moveBetweenCases(container: HTMLElement | null, step: 1 | -1) {
  const links = Array.from(container?.querySelectorAll<HTMLAnchorElement>('a[data-case-link]') ?? []);
  if (links.length === 0) return;
  const current = links.findIndex((link) => link === document.activeElement);
  const next = current === -1 ? 0 : Math.min(links.length - 1, Math.max(0, current + step));
  links[next]?.focus();
}

export function QueuePage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const location = useLocation();
  const isPhone = useMediaQuery(PHONE_QUERY);
  const { available: hasShortcuts, enabled: shortcutsOn, openHelp } = useShortcutSettings();
  const filters = filtersFromSearchParams(searchParams);
  const filterKey = filtersToSearchParams(filters).toString();
  // Tokens of the pages after the first, for the current filters; reset when they change.
  const [pager, setPager] = useState<{ key: string; tokens: string[] }>({ key: filterKey, tokens: [] });
  const tokens = pager.key === filterKey ? pager.tokens : [];
  const pageToken = tokens[tokens.length - 1];
  const query = toCaseListQuery(filters, pageToken);
  const results = useRef<HTMLDivElement>(null);
  const [now, setNow] = useState(() => Date.now());

  const cases = useQuery({
    queryKey: queryKeys.cases(query),
    queryFn: ({ signal }) => api.listCases(query, signal),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });

  // Due times count down from when the list arrived.
  useEffect(() => setNow(Date.now()), [cases.dataUpdatedAt]);

  useShortcuts({
    '/': () => document.getElementById(SEARCH_FIELD_ID)?.focus(),
    j: () => moveBetweenCases(results.current, 1),
    k: () => moveBetweenCases(results.current, -1),
  });

  function changeFilters(next: QueueFilters) {
    setSearchParams(filtersToSearchParams(next), { replace: false });
  }

  const rows = cases.data?.cases ?? [];
  const pageNumber = tokens.length + 1;
  const flash = (location.state as { flash?: string } | null)?.flash;

  return (
    <Page
      title="Queue"
      lead="Support cases waiting for the team."
      actions={
        hasShortcuts && shortcutsOn && !isPhone ? (
          <p className="shortcut-hint">
            Press <kbd>?</kbd> for{' '}
            <Button variant="link" onPress={openHelp}>
              keyboard shortcuts
            </Button>
          </p>
        ) : undefined
      }
    >
      {flash ? <Alert tone="success">{flash}</Alert> : null}
      <FiltersForm filters={filters} onChange={changeFilters} compact={isPhone} />
      <section aria-labelledby="results-heading" className="section">
        <div className="section__header">
          <h2 id="results-heading" className="section__title">
            Cases
          </h2>
          <p role="status" className="results-count">
            {cases.isPending || cases.isError || rows.length === 0
              ? ''
              : `Page ${pageNumber}: ${pluralize(rows.length, 'case', 'cases')}${cases.isFetching ? ', updating…' : ''}`}
          </p>
        </div>
        {cases.isPending ? <Skeleton label="Loading cases…" shape={isPhone ? 'cards' : 'rows'} count={4} /> : null}
        {cases.isError ? (
          <LoadError what="the queue" onRetry={() => void cases.refetch()} />
        ) : null}
        {cases.isSuccess && rows.length === 0 ? (
          <EmptyState
            title="No cases match these filters."
            action={
              filterKey ? (
                <Button variant="secondary" onPress={() => changeFilters(DEFAULT_FILTERS)}>
                  Clear filters
                </Button>
              ) : undefined
            }
          >
            <p>{filterKey ? 'Try fewer filters or other search words.' : 'Nothing is waiting for the team right now.'}</p>
          </EmptyState>
        ) : null}
        <div ref={results} className={cases.isPlaceholderData ? 'results results--stale' : 'results'}>
          {rows.length > 0 ? (
            isPhone ? (
              <CaseCards cases={rows} label="Cases in the queue" viewer="staff" headingLevel={3} now={now} />
            ) : (
              <Table caption="Cases in the queue" columns={queueColumns(now)} rows={rows} rowKey={(c) => c.id} className="queue-table" />
            )
          ) : null}
        </div>
        {tokens.length > 0 || cases.data?.nextPageToken ? (
          <nav className="pagination" aria-label="Pages of cases">
            <Button
              variant="secondary"
              isDisabled={tokens.length === 0}
              onPress={() => setPager({ key: filterKey, tokens: tokens.slice(0, -1) })}
            >
              Previous page
            </Button>
            <span>Page {pageNumber}</span>
            <Button
              variant="secondary"
              isDisabled={!cases.data?.nextPageToken || cases.isPlaceholderData}
              onPress={() => {
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
