import { describe, expect, it } from 'vitest';
import { makeCase } from '../test/fixtures';
import { formatDuration, formatMoney, slaState } from './format';

describe('formatMoney', () => {
  it('formats integer minor units', () => {
    expect(formatMoney({ amountMinor: 4499, currency: 'EUR' })).toBe('€44.99');
    expect(formatMoney({ amountMinor: 5, currency: 'EUR' })).toBe('€0.05');
    expect(formatMoney({ amountMinor: 123456789, currency: 'EUR' })).toBe('€1,234,567.89');
  });

  it('respects currencies without minor units', () => {
    expect(formatMoney({ amountMinor: 500, currency: 'JPY' })).toBe('JP¥500');
  });
});

describe('slaState', () => {
  const now = Date.parse('2025-03-05T12:00:00Z');

  it('counts down to the first response until there is one', () => {
    const c = makeCase({ firstResponseDueAt: '2025-03-05T15:00:00Z' });
    expect(slaState(c, now)).toEqual({ kind: 'due', label: 'Due in 3 h', soon: false });
  });

  it('then counts down to the resolution', () => {
    const c = makeCase({ firstRespondedAt: '2025-03-05T10:00:00Z', resolutionDueAt: '2025-03-05T12:25:00Z' });
    expect(slaState(c, now)).toEqual({ kind: 'due', label: 'Due in 25 min', soon: true });
  });

  it('is overdue when breached or past due, paused while waiting, none when done', () => {
    expect(slaState(makeCase({ slaBreached: true }), now).kind).toBe('overdue');
    expect(slaState(makeCase({ firstResponseDueAt: '2025-03-05T11:00:00Z' }), now).kind).toBe('overdue');
    expect(slaState(makeCase({ status: 'waiting_on_customer' }), now).kind).toBe('paused');
    expect(slaState(makeCase({ status: 'resolved', slaBreached: true }), now).kind).toBe('none');
  });

  it('formats long durations in days', () => {
    expect(formatDuration(72 * 3_600_000)).toBe('3 d');
  });
});
