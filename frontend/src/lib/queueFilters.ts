import type { CaseCategory, CaseListQuery, CasePriority, CaseSort, CaseStatus } from '../api/types';
import { caseListQueryString } from '../api/endpoints';
import { CATEGORIES, PRIORITIES, STATUSES } from './format';

export type StatusFilter = 'active' | 'any' | CaseStatus;
export type AssigneeChoice = 'anyone' | 'mine' | 'unassigned';

export interface QueueFilters {
  status: StatusFilter;
  priority: CasePriority | '';
  category: CaseCategory | '';
  assignee: AssigneeChoice;
  breached: boolean;
  q: string;
  sort: CaseSort;
}

export const DEFAULT_FILTERS: QueueFilters = {
  status: 'active',
  priority: '',
  category: '',
  assignee: 'anyone',
  breached: false,
  q: '',
  sort: 'due',
};

export const ACTIVE_STATUSES: CaseStatus[] = ['open', 'in_progress', 'waiting_on_customer'];
export const QUEUE_PAGE_SIZE = 25;

const SORTS: CaseSort[] = ['newest', 'oldest', 'due'];
const ASSIGNEES: AssigneeChoice[] = ['anyone', 'mine', 'unassigned'];

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** Reads the filters from the page's address (unknown values fall back to the defaults). */
export function filtersFromSearchParams(params: URLSearchParams): QueueFilters {
  return {
    status: oneOf<StatusFilter>(params.get('status'), ['active', 'any', ...STATUSES], DEFAULT_FILTERS.status),
    priority: oneOf<CasePriority | ''>(params.get('priority'), PRIORITIES, ''),
    category: oneOf<CaseCategory | ''>(params.get('category'), CATEGORIES, ''),
    assignee: oneOf<AssigneeChoice>(params.get('assignee'), ASSIGNEES, DEFAULT_FILTERS.assignee),
    breached: params.get('breached') === 'true',
    q: params.get('q') ?? '',
    sort: oneOf<CaseSort>(params.get('sort'), SORTS, DEFAULT_FILTERS.sort),
  };
}

/** The page's address for the filters: only what differs from the defaults. */
export function filtersToSearchParams(filters: QueueFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status !== DEFAULT_FILTERS.status) params.set('status', filters.status);
  if (filters.priority) params.set('priority', filters.priority);
  if (filters.category) params.set('category', filters.category);
  if (filters.assignee !== DEFAULT_FILTERS.assignee) params.set('assignee', filters.assignee);
  if (filters.breached) params.set('breached', 'true');
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.sort !== DEFAULT_FILTERS.sort) params.set('sort', filters.sort);
  return params;
}

/** The BFF query for the filters and page. */
export function toCaseListQuery(filters: QueueFilters, pageToken?: string): CaseListQuery {
  const query: CaseListQuery = { sort: filters.sort, pageSize: QUEUE_PAGE_SIZE };
  if (filters.status === 'active') query.status = [...ACTIVE_STATUSES];
  else if (filters.status !== 'any') query.status = [filters.status];
  if (filters.priority) query.priority = filters.priority;
  if (filters.category) query.category = filters.category;
  if (filters.assignee !== 'anyone') query.assignee = filters.assignee;
  if (filters.breached) query.breached = true;
  if (filters.q.trim()) query.q = filters.q.trim();
  if (pageToken) query.pageToken = pageToken;
  return query;
}

/** The query string sent to GET /api/cases for the filters and page. */
export function queueQueryString(filters: QueueFilters, pageToken?: string): string {
  return caseListQueryString(toCaseListQuery(filters, pageToken));
}
