import type {
  AuthorRole,
  Case,
  CaseCategory,
  CasePriority,
  CaseStatus,
  Money,
  OrderStatus,
} from '../api/types';

export const LOCALE = 'en-GB';

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Formats integer minor units (e.g. cents) as money, e.g. {amountMinor: 1999, currency: 'EUR'} -> "€19.99". */
export function formatMoney(money: Money): string {
  let format = moneyFormats.get(money.currency);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: money.currency });
    moneyFormats.set(money.currency, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  // Integer arithmetic to the major unit is exact for any realistic amount; only the
  // final display divides.
  return format.format(money.amountMinor / 10 ** digits);
}

const dateFormat = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'long', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateTimeFormat.format(date);
}

export const CATEGORY_LABELS: Record<CaseCategory, string> = {
  damaged_item: 'Damaged item',
  wrong_item: 'Wrong item',
  missing_item: 'Missing item',
  not_delivered: 'Not delivered',
  late_delivery: 'Late delivery',
  quality: 'Quality problem',
  billing: 'Billing or payment',
  refund_or_return: 'Refund or return',
  other: 'Something else',
};

export const CATEGORIES = Object.keys(CATEGORY_LABELS) as CaseCategory[];

export const PRIORITY_LABELS: Record<CasePriority, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
};

export const PRIORITIES = Object.keys(PRIORITY_LABELS) as CasePriority[];

/** Status labels as support staff see them. */
export const STATUS_LABELS: Record<CaseStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  waiting_on_customer: 'Waiting on customer',
  resolved: 'Resolved',
  closed: 'Closed',
};

/** Status labels as the customer sees them. */
export const CUSTOMER_STATUS_LABELS: Record<CaseStatus, string> = {
  open: 'Received',
  in_progress: 'In progress',
  waiting_on_customer: 'Waiting for your reply',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const STATUSES = Object.keys(STATUS_LABELS) as CaseStatus[];

/** One plain sentence per status: what happens next, for the customer. */
export const NEXT_STEP: Record<CaseStatus, string> = {
  open: 'We have your case. A member of our support team will read it and reply here soon.',
  in_progress: 'A member of our support team is working on your case. We will reply here.',
  waiting_on_customer:
    'We need an answer from you before we can carry on. Please reply below.',
  resolved:
    'We think this is sorted. If you still need help, reply below and we will pick it up again.',
  closed: 'This case is closed. If you reply, we will open a new case for you.',
};

export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  paid: 'Paid',
  shipped: 'On its way',
  delivered: 'Delivered',
};

export function roleLabel(role: AuthorRole): string {
  switch (role) {
    case 'customer':
      return 'Customer';
    case 'agent':
      return 'Support agent';
    case 'lead':
      return 'Support lead';
    case 'system':
      return 'Automatic update';
  }
}

/** "3 h", "25 min", "2 d" for a positive number of milliseconds. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

export type SlaState =
  | { kind: 'none' }
  | { kind: 'paused' }
  | { kind: 'overdue' }
  | { kind: 'due'; label: string; soon: boolean };

/** What the SLA clock says about a case now: the next due time that applies. */
export function slaState(c: Case, now: number = Date.now()): SlaState {
  if (c.status === 'resolved' || c.status === 'closed') return { kind: 'none' };
  if (c.slaBreached) return { kind: 'overdue' };
  if (c.status === 'waiting_on_customer') return { kind: 'paused' };
  const dueAt = c.firstRespondedAt === null ? c.firstResponseDueAt : c.resolutionDueAt;
  if (!dueAt) return { kind: 'none' };
  const due = Date.parse(dueAt);
  if (Number.isNaN(due)) return { kind: 'none' };
  const left = due - now;
  if (left <= 0) return { kind: 'overdue' };
  return { kind: 'due', label: `Due in ${formatDuration(left)}`, soon: left < 60 * 60_000 };
}

export function pluralize(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
