import type {
  Money,
  Refund,
  RefundMethod,
  RefundReason,
  RefundStatus,
  RefundableLine,
  RequiredApproval,
} from '../api/types';
import type { BadgeTone } from '../components';
import { formatMoney } from './format';

/** Refund statuses as the customer sees them. */
export const CUSTOMER_REFUND_STATUS_LABELS: Record<RefundStatus, string> = {
  pending_approval: 'Waiting for approval',
  approved: 'Approved',
  processing: 'Being paid back',
  refunded: 'Refunded',
  rejected: 'Declined',
  cancelled: 'Cancelled',
  failed: 'Delayed',
};

/** Refund statuses as support staff see them. */
export const STAFF_REFUND_STATUS_LABELS: Record<RefundStatus, string> = {
  pending_approval: 'Waiting for approval',
  approved: 'Approved',
  processing: 'Paying out',
  refunded: 'Refunded',
  rejected: 'Rejected',
  cancelled: 'Cancelled by the customer',
  failed: 'Payout failed',
};

export function refundStatusTone(status: RefundStatus): BadgeTone {
  switch (status) {
    case 'pending_approval':
      return 'warning';
    case 'approved':
    case 'processing':
      return 'info';
    case 'refunded':
      return 'success';
    case 'failed':
      return 'danger';
    case 'rejected':
    case 'cancelled':
      return 'neutral';
  }
}

/** One plain sentence per status: what happens next, for the customer. */
export function refundNextStep(refund: Pick<Refund, 'status' | 'method'>): string {
  const credit = refund.method === 'store_credit';
  switch (refund.status) {
    case 'pending_approval':
      return 'A member of our support team will check your request and reply here. You can still cancel it while it waits.';
    case 'approved':
      return credit
        ? 'Your refund is approved. We will add the store credit to your account shortly.'
        : 'Your refund is approved. We will send the money back shortly.';
    case 'processing':
      return credit
        ? 'We are adding the store credit to your account now.'
        : 'We are sending the money back now. It can take up to 5 working days to show on your statement.';
    case 'refunded':
      return credit
        ? 'Done: the store credit is in your account, ready to spend.'
        : 'Done: we have sent the money back. It can take up to 5 working days to show on your statement.';
    case 'rejected':
      return 'We could not approve this refund. If you have a question about it, reply in this case.';
    case 'cancelled':
      return 'You cancelled this request, so nothing will be paid back. You can ask for a new refund at any time.';
    case 'failed':
      return 'Paying you back did not work the first time. Our team is sorting it out: you do not need to do anything.';
  }
}

export const REFUND_REASON_LABELS: Record<RefundReason, string> = {
  damaged: 'It arrived damaged or does not work',
  wrong_item: 'I received the wrong item',
  missing_item: 'Something was missing from the parcel',
  not_delivered: 'It never arrived',
  not_as_described: 'It is not as described',
  changed_mind: 'I changed my mind',
  other: 'Another reason',
};

/** The same reasons, said about the customer (for support staff). */
export const STAFF_REFUND_REASON_LABELS: Record<RefundReason, string> = {
  damaged: 'Damaged or faulty',
  wrong_item: 'Wrong item sent',
  missing_item: 'Missing from the parcel',
  not_delivered: 'Not delivered',
  not_as_described: 'Not as described',
  changed_mind: 'Changed their mind',
  other: 'Other reason',
};

export const REFUND_REASONS = Object.keys(REFUND_REASON_LABELS) as RefundReason[];

export const REFUND_METHOD_LABELS: Record<RefundMethod, string> = {
  original_payment: 'Back to the original payment',
  store_credit: 'As store credit',
};

export const REQUIRED_APPROVAL_LABELS: Record<RequiredApproval, string> = {
  auto: 'Nobody (approved automatically)',
  agent: 'Any agent',
  lead: 'A team lead',
};

/**
 * What `quantity` units of a line are worth, as the refund service prices them: a share of
 * what is still refundable, rounded down, and everything that is left for the last units (so
 * that refunding a line in parts adds up exactly to what was paid). Integer arithmetic only.
 */
export function lineRefundAmount(line: RefundableLine, quantity: number): Money {
  const currency = line.amountRefundable.currency;
  if (!Number.isInteger(quantity) || quantity <= 0 || line.quantityRefundable <= 0) {
    return { amountMinor: 0, currency };
  }
  if (quantity >= line.quantityRefundable) return { amountMinor: line.amountRefundable.amountMinor, currency };
  return {
    amountMinor: Math.floor((line.amountRefundable.amountMinor * quantity) / line.quantityRefundable),
    currency,
  };
}

/** The sum of amounts in one currency (integer minor units). */
export function sumMoney(amounts: Money[], currency: string): Money {
  return { amountMinor: amounts.reduce((n, m) => n + m.amountMinor, 0), currency };
}

/** Amounts in several currencies as one phrase: "€12.50 and £3.00"; `none` when there are none. */
export function formatMoneyList(amounts: Money[], none = formatMoney({ amountMinor: 0, currency: 'EUR' })): string {
  const shown = amounts.filter((m) => m.amountMinor !== 0);
  if (shown.length === 0) return none;
  const parts = shown.map(formatMoney);
  return parts.length === 1 ? (parts[0] as string) : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** "1 × Phone case, 2 × Socks" */
export function refundItemsText(refund: Pick<Refund, 'lines'>): string {
  return refund.lines.map((l) => `${l.quantity} × ${l.productTitle ?? 'an item'}`).join(', ');
}

/** Checks a quantity typed by the customer; a sentence when it is not right. */
export function quantityError(text: string, max: number): string | undefined {
  const value = text.trim();
  if (value === '') return 'Enter how many to refund.';
  if (!/^\d+$/.test(value)) return 'Enter a whole number, like 1 or 2.';
  const quantity = Number(value);
  if (quantity < 1) return 'Enter at least 1, or untick the item.';
  if (quantity > max) return max === 1 ? 'You can refund only 1 of these.' : `You can refund at most ${max} of these.`;
  return undefined;
}

/** How long something took, for people: "45 min", "3 h 20 min", "2 d 4 h". */
export function formatSeconds(seconds: number): string {
  const minutes = Math.max(0, Math.round(seconds / 60));
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 24) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours ? `${days} d ${restHours} h` : `${days} d`;
}

/** The same duration, spelled out for screen readers and tables: "3 hours 20 minutes". */
export function describeSeconds(seconds: number): string {
  const minutes = Math.max(0, Math.round(seconds / 60));
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 24) return rest ? `${plural(hours, 'hour')} ${plural(rest, 'minute')}` : plural(hours, 'hour');
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours ? `${plural(days, 'day')} ${plural(restHours, 'hour')}` : plural(days, 'day');
}
