import { http } from './client';
import type {
  AddMessageRequest,
  AddMessageResponse,
  AgentsResponse,
  AssignRequest,
  CaseListQuery,
  CaseListResponse,
  CasePage,
  CaseResponse,
  ChangeStatusRequest,
  CreateCaseRequest,
  OrdersResponse,
  SessionResponse,
  SignInRequest,
  UpdateCaseRequest,
} from './types';

/** The query string of GET /api/cases, in a stable order (without the leading "?"). */
export function caseListQueryString(query: CaseListQuery): string {
  const params = new URLSearchParams();
  for (const status of query.status ?? []) params.append('status', status);
  if (query.priority) params.set('priority', query.priority);
  if (query.category) params.set('category', query.category);
  if (query.assignee) params.set('assignee', query.assignee);
  if (query.breached) params.set('breached', 'true');
  const q = query.q?.trim();
  if (q) params.set('q', q);
  if (query.sort) params.set('sort', query.sort);
  if (query.pageToken) params.set('pageToken', query.pageToken);
  if (query.pageSize) params.set('pageSize', String(query.pageSize));
  return params.toString();
}

const caseUrl = (caseId: string) => `/api/cases/${encodeURIComponent(caseId)}`;

export const api = {
  getSession: (signal?: AbortSignal) => http.get<SessionResponse>('/api/session', signal),
  signIn: (body: SignInRequest) => http.post<SessionResponse>('/api/session', body),
  signOut: () => http.delete<void>('/api/session'),

  listOrders: (signal?: AbortSignal) => http.get<OrdersResponse>('/api/orders', signal),

  listCases: (query: CaseListQuery, signal?: AbortSignal) => {
    const qs = caseListQueryString(query);
    return http.get<CaseListResponse>(qs ? `/api/cases?${qs}` : '/api/cases', signal);
  },
  getCase: (caseId: string, signal?: AbortSignal) => http.get<CasePage>(caseUrl(caseId), signal),
  createCase: (body: CreateCaseRequest) => http.post<CaseResponse>('/api/cases', body),
  addMessage: (caseId: string, body: AddMessageRequest) =>
    http.post<AddMessageResponse>(`${caseUrl(caseId)}/messages`, body),
  assignCase: (caseId: string, body: AssignRequest) =>
    http.post<CaseResponse>(`${caseUrl(caseId)}/assign`, body),
  updateCase: (caseId: string, body: UpdateCaseRequest) =>
    http.patch<CaseResponse>(caseUrl(caseId), body),
  changeStatus: (caseId: string, body: ChangeStatusRequest) =>
    http.post<CaseResponse>(`${caseUrl(caseId)}/status`, body),

  listAgents: (signal?: AbortSignal) => http.get<AgentsResponse>('/api/agents', signal),
};
