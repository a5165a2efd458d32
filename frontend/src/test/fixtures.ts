import { HttpResponse } from 'msw';
import type { Case, CasePage, FieldError, Order, User } from '../api/types';

export const ORIGIN = 'http://localhost:3000';
export const url = (path: string) => `${ORIGIN}${path}`;

export const ana: User = { id: 'u1', name: 'Ana Example', email: 'ana@example.com', role: 'customer' };
export const sam: User = { id: 'a1', name: 'Sam Agent', email: 'sam@example.com', role: 'agent' };

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
