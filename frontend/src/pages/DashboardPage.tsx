import { useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, isApiError, queryKeys } from '../api';
import type { CaseStatus, Dashboard, Money } from '../api/types';
import { type Bar, BarChart, type Column, LoadError, Page, Select, Skeleton, Table } from '../components';
import { STATUS_LABELS, formatDate, formatMoney, pluralize } from '../lib/format';
import { describeSeconds, formatMoneyList, formatSeconds } from '../lib/refunds';

export const PERIODS = [7, 30, 90] as const;
export type PeriodDays = (typeof PERIODS)[number];

/** The last `days` days, today included: from midnight `days - 1` days ago to midnight tonight. */
export function periodRange(days: number, now: Date = new Date()): { from: string; to: string } {
  const end = new Date(now);
  end.setHours(24, 0, 0, 0);
  const start = new Date(end);
  start.setDate(start.getDate() - days);
  return { from: start.toISOString(), to: end.toISOString() };
}

function parseDays(value: string | null): PeriodDays {
  const days = Number(value);
  return (PERIODS as readonly number[]).includes(days) ? (days as PeriodDays) : 30;
}

interface Row {
  id: string;
  label: string;
  value: ReactNode;
}

const ROW_COLUMNS = (valueHeader: string): Column<Row>[] => [
  { id: 'label', header: 'Measure', cell: (r) => r.label },
  { id: 'value', header: valueHeader, numeric: true, nowrap: true, cell: (r) => r.value },
];

/** A chart and the table of the same numbers, side by side (stacked on narrow screens). */
function Panel({
  title,
  id,
  description,
  bars,
  rows,
  valueHeader,
  children,
}: {
  title: string;
  id: string;
  description?: ReactNode;
  bars: Bar[];
  rows: Row[];
  valueHeader: string;
  children?: ReactNode;
}) {
  return (
    <section className="card dashboard-panel" aria-labelledby={id}>
      <h2 id={id} className="section__title">
        {title}
      </h2>
      {description ? <p className="muted">{description}</p> : null}
      {children}
      <div className="dashboard-panel__body">
        <BarChart title={title} bars={bars} />
        <Table caption={`${title}: the numbers`} compact columns={ROW_COLUMNS(valueHeader)} rows={rows} rowKey={(r) => r.id} />
      </div>
    </section>
  );
}

const cases = (n: number) => pluralize(n, 'case', 'cases');
const refundsText = (n: number) => pluralize(n, 'refund', 'refunds');

function moneyBars(id: string, label: string, amounts: Money[], count: number): Bar[] {
  const list = amounts.length > 0 ? amounts : [{ amountMinor: 0, currency: 'EUR' }];
  return list.map((m) => ({
    id: `${id}-${m.currency}`,
    label: list.length > 1 ? `${label} (${m.currency})` : label,
    value: m.amountMinor,
    valueText: `${formatMoney(m)}, ${refundsText(count)}`,
  }));
}

/** The statuses of a case that is not finished yet (resolved and closed ones are not "open"). */
const OPEN_STATUSES: CaseStatus[] = ['open', 'in_progress', 'waiting_on_customer'];

function DashboardView({ data }: { data: Dashboard }) {
  const openByStatus = OPEN_STATUSES.map((status) => ({
    status,
    count: data.openByStatus.filter((s) => s.status === status).reduce((n, s) => n + s.count, 0),
  }));
  const openTotal = openByStatus.reduce((n, s) => n + s.count, 0);
  const median = data.medianFirstResponseSeconds;
  const lastDay = new Date(Date.parse(data.to) - 1).toISOString();
  const statusBars: Bar[] = openByStatus.map((s) => ({
    id: s.status,
    label: STATUS_LABELS[s.status],
    value: s.count,
    valueText: cases(s.count),
  }));
  const refunds = data.refunds;

  return (
    <>
      <p className="dashboard__period">
        From {formatDate(data.from)} to {formatDate(lastDay)}.
      </p>
      <dl className="stats" aria-label="Key figures">
        <div className="stats__item">
          <dt>Open cases now</dt>
          <dd>{openTotal}</dd>
        </div>
        <div className="stats__item">
          <dt>Overdue now</dt>
          <dd>{data.breachedOpen}</dd>
        </div>
        <div className="stats__item">
          <dt>Median first response</dt>
          <dd>
            {median === null ? (
              'No replies yet'
            ) : (
              <>
                <span aria-hidden="true">{formatSeconds(median)}</span>
                <span className="visually-hidden">{describeSeconds(median)}</span>
              </>
            )}
          </dd>
        </div>
        <div className="stats__item">
          <dt>Refunds waiting for approval</dt>
          <dd>{refunds.pendingCount}</dd>
        </div>
      </dl>
      <div className="dashboard">
        <Panel
          title="Open cases by status"
          id="open-by-status"
          description="Cases not yet resolved or closed, right now."
          bars={statusBars}
          valueHeader="Cases"
          rows={[
            ...openByStatus.map((s) => ({ id: s.status, label: STATUS_LABELS[s.status], value: s.count })),
            { id: 'total', label: 'All open cases', value: openTotal },
          ]}
        />
        <Panel
          title="SLA breaches"
          id="sla-breaches"
          description="Cases that missed a due time for their first reply or their resolution."
          valueHeader="Cases"
          bars={[
            { id: 'open', label: 'Overdue now', value: data.breachedOpen, valueText: cases(data.breachedOpen) },
            { id: 'period', label: 'Breached in the period', value: data.breachedInPeriod, valueText: cases(data.breachedInPeriod) },
          ]}
          rows={[
            { id: 'open', label: 'Open cases overdue now', value: data.breachedOpen },
            { id: 'period', label: 'Cases that breached in the period', value: data.breachedInPeriod },
          ]}
        />
        <Panel
          title="Cases in the period"
          id="cases-in-period"
          description="New cases, resolved cases, and how long customers waited for a first reply."
          valueHeader="Value"
          bars={[
            { id: 'opened', label: 'Opened', value: data.casesOpened, valueText: cases(data.casesOpened) },
            { id: 'resolved', label: 'Resolved', value: data.casesResolved, valueText: cases(data.casesResolved) },
          ]}
          rows={[
            { id: 'opened', label: 'Cases opened', value: data.casesOpened },
            { id: 'resolved', label: 'Cases resolved', value: data.casesResolved },
            {
              id: 'median',
              label: 'Median time to first reply',
              value: median === null ? 'No replies yet' : describeSeconds(median),
            },
          ]}
        />
        <Panel
          title="Refunds"
          id="refunds-summary"
          description="Refunds waiting for approval now, and money paid back in the period."
          valueHeader="Value"
          bars={[
            ...moneyBars('pending', 'Waiting for approval', refunds.pending, refunds.pendingCount),
            ...moneyBars('refunded', 'Refunded in the period', refunds.refunded, refunds.refundedCount),
          ]}
          rows={[
            { id: 'pending-count', label: 'Refunds waiting for approval', value: refunds.pendingCount },
            { id: 'pending-amount', label: 'Amount waiting for approval', value: formatMoneyList(refunds.pending) },
            { id: 'refunded-count', label: 'Refunds paid in the period', value: refunds.refundedCount },
            { id: 'refunded-amount', label: 'Amount refunded in the period', value: formatMoneyList(refunds.refunded) },
          ]}
        />
      </div>
    </>
  );
}

/** The lead's dashboard: cases, SLA breaches, first replies and refunds over a chosen period. */
export function DashboardPage() {
  const [params, setParams] = useSearchParams();
  const days = parseDays(params.get('days'));
  // The period is fixed when the page opens (and when another is chosen), so the query's key
  // does not change with the clock.
  const [today] = useState(() => new Date());
  const range = periodRange(days, today);
  const dashboard = useQuery({
    queryKey: queryKeys.dashboard(range.from, range.to),
    queryFn: ({ signal }) => api.getDashboard(range, signal),
    placeholderData: keepPreviousData,
  });

  return (
    <Page title="Dashboard" lead="How support is doing, for the period you choose.">
      <div className="filters filters--compact">
        <Select
          id="dashboard-period"
          label="Period"
          value={String(days)}
          onChange={(v) => setParams(v === '30' ? {} : { days: v }, { replace: true })}
          options={PERIODS.map((d) => ({ value: String(d), label: `Last ${d} days` }))}
        />
      </div>
      <div>
        {dashboard.isPending ? <Skeleton label="Loading the dashboard…" shape="cards" count={4} /> : null}
        {dashboard.isError ? (
          <LoadError what="the dashboard" onRetry={() => void dashboard.refetch()}>
            {isApiError(dashboard.error) && dashboard.error.status === 403
              ? 'Only team leads can see the dashboard.'
              : undefined}
          </LoadError>
        ) : null}
      </div>
      {dashboard.data ? <DashboardView data={dashboard.data} /> : null}
    </Page>
  );
}
