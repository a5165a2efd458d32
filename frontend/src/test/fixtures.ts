import { HttpResponse } from 'msw';
import type { Case, CasePage, FieldError, Order, Refund, RefundQuote, User } from '../api/types';

export const ORIGIN = 'http://localhost:3000';
export const url = (path: string) => `${ORIGIN}${path}`;

export const ana: User = { id: 'u1', name: 'Ana Example', email: 'ana@example.com', role: 'customer' };
export const sam: User = { id: 'a1', name: 'Sam Agent', email: 'sam@example.com', role: 'agent' };
export const lee: User = { id: 'l1', name: 'Lee Lead', email: 'lee@example.com', role: 'lead' };

export const order: Order = {
  id: 'ord_1001',
  placedAt: '2025-03-01T10:00:00Z',
  deliveredAt: '2025-03-04T10:00:00Z',
  status: 'delivered',
  total: { amountMinor: 4499, currency: 'EUR' },
  lines: [
    {
      id: 'ln_1',
      productTitle: 'Ceramic mug',
      quantity: 2,
      unitPrice: { amountMinor: 1250, currency: 'EUR' },
      paid: { amountMinor: 2500, currency: 'EUR' },
    },
    {
      id: 'ln_2',
      productTitle: 'Tea towel set',
      quantity: 1,
      unitPrice: { amountMinor: 1999, currency: 'EUR' },
      paid: { amountMinor: 1999, currency: 'EUR' },
    },
  ],
};

export function makeCase(overrides: Partial<Case> = {}): Case {
  return {
    id: 'case-1',
    number: 'C-10482',
    orderId: order.id,
    orderLineIds: [],
    category: 'damaged_item',
    subject: 'Mug arrived broken',
    description: 'One mug was in pieces.',
    priority: 'normal',
    status: 'open',
    assignee: null,
    createdAt: '2025-03-05T09:00:00Z',
    updatedAt: '2025-03-05T09:30:00Z',
    firstResponseDueAt: '2025-03-05T17:00:00Z',
    resolutionDueAt: '2025-03-07T09:00:00Z',
    firstRespondedAt: null,
    slaBreached: false,
    etag: 'v1',
    previousCaseNumber: null,
    ...overrides,
  };
}

export function makeCasePage(overrides: Partial<Case> = {}): CasePage {
  return { case: makeCase(overrides), messages: [], timeline: [], order, refunds: [] };
}

export function problem(status: number, detail: string, errors?: FieldError[], headers: Record<string, string> = {}) {
  return HttpResponse.json(
    { type: 'about:blank', title: detail, status, detail, reason: 'SOME_REASON', ...(errors ? { errors } : {}) },
    { status, headers: { 'Content-Type': 'application/problem+json', ...headers } },
  );
}

export const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

/** What the order above can still refund: two mugs (one already refunded elsewhere) and a towel set. */
export function makeQuote(overrides: Partial<RefundQuote> = {}): RefundQuote {
  return {
    orderId: order.id,
    currency: 'EUR',
    windowOpen: true,
    windowEndsAt: '2025-04-03T10:00:00Z',
    lines: [
      {
        lineId: 'ln_1',
        productTitle: 'Ceramic mug',
        quantityBought: 3,
        quantityRefundable: 3,
        amountPaid: eur(3508),
        amountRefundable: eur(3508),
      },
      {
        lineId: 'ln_2',
        productTitle: 'Tea towel set',
        quantityBought: 1,
        quantityRefundable: 1,
        amountPaid: eur(7900),
        amountRefundable: eur(7900),
      },
      {
        lineId: 'ln_3',
        productTitle: 'Teapot',
        quantityBought: 1,
        quantityRefundable: 0,
        amountPaid: eur(2500),
        amountRefundable: eur(0),
      },
    ],
    ...overrides,
  };
}

export function makeRefund(overrides: Partial<Refund> = {}): Refund {
  return {
    id: 'rf-1',
    number: 'R-2001',
    caseId: 'case-1',
    caseNumber: 'C-10482',
    orderId: order.id,
    status: 'pending_approval',
    lines: [{ lineId: 'ln_2', productTitle: 'Tea towel set', quantity: 1, amount: eur(7900) }],
    total: eur(7900),
    reason: 'damaged',
    method: 'original_payment',
    requestedBy: { id: ana.id, name: ana.name, role: 'customer' },
    createdAt: '2025-03-05T10:00:00Z',
    updatedAt: '2025-03-05T10:00:00Z',
    etag: 'r1',
    requiredApproval: 'agent',
    outsideRefundWindow: false,
    note: null,
    decision: null,
    failureReason: null,
    canCancel: false,
    canApprove: false,
    canReject: false,
    canRetry: false,
    ...overrides,
  };
}
