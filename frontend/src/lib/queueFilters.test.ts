import { describe, expect, it } from 'vitest';
import { caseListQueryString } from '../api/endpoints';
import {
  DEFAULT_FILTERS,
  filtersFromSearchParams,
  filtersToSearchParams,
  queueQueryString,
} from './queueFilters';

describe('queue query string', () => {
  it('asks for unresolved cases, soonest due first, by default', () => {
    expect(queueQueryString(DEFAULT_FILTERS)).toBe(
      'status=open&status=in_progress&status=waiting_on_customer&sort=due&pageSize=25',
    );
  });

  it('sends every filter by its contract name', () => {
    expect(
      queueQueryString({
        status: 'waiting_on_customer',
        priority: 'urgent',
        category: 'damaged_item',
        assignee: 'mine',
        breached: true,
        q: '  broken mug ',
        sort: 'oldest',
      }),
    ).toBe(
      'status=waiting_on_customer&priority=urgent&category=damaged_item&assignee=mine&breached=true&q=broken+mug&sort=oldest&pageSize=25',
    );
  });

  it('sends no status for "any status" and no assignee for "anyone"', () => {
    expect(queueQueryString({ ...DEFAULT_FILTERS, status: 'any', assignee: 'anyone', sort: 'newest' })).toBe(
      'sort=newest&pageSize=25',
    );
  });

  it('asks for unassigned cases', () => {
    expect(queueQueryString({ ...DEFAULT_FILTERS, status: 'any', assignee: 'unassigned' })).toBe(
      'assignee=unassigned&sort=due&pageSize=25',
    );
  });

  it('adds the page token of the page asked for', () => {
    expect(queueQueryString({ ...DEFAULT_FILTERS, status: 'open' }, 'abc/+=')).toBe(
      'status=open&sort=due&pageToken=abc%2F%2B%3D&pageSize=25',
    );
  });

  it('leaves out empty values', () => {
    expect(caseListQueryString({ q: '   ', status: [] })).toBe('');
  });
});

describe('filters in the page address', () => {
  it('round-trips, keeping only what differs from the defaults', () => {
    const filters = { ...DEFAULT_FILTERS, priority: 'high' as const, breached: true, q: 'lamp' };
    const params = filtersToSearchParams(filters);
    expect(params.toString()).toBe('priority=high&breached=true&q=lamp');
    expect(filtersFromSearchParams(params)).toEqual(filters);
  });

  it('ignores values it does not know', () => {
    expect(filtersFromSearchParams(new URLSearchParams('status=bogus&sort=up&priority=2'))).toEqual(DEFAULT_FILTERS);
  });
});
