import { http } from './client';
import type {
  AddMessageRequest,
  AddMessageResponse,
  AgentsResponse,
  ApproveRefundRequest,
  AssignRequest,
  CancelRefundRequest,
  CaseListQuery,
  CaseListResponse,
  CasePage,
  CaseResponse,
  ChangeStatusRequest,
  CreateCaseRequest,
  CreateRefundRequest,
  Dashboard,
  OrdersResponse,
  RefundListQuery,
  RefundListResponse,
  RefundQuote,
  RefundResponse,
  RejectRefundRequest,
  RetryRefundRequest,
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

/** The query string of GET /api/refunds, in a stable order (without the leading "?"). */
export function refundListQueryString(query: RefundListQuery): string {
  const params = new URLSearchParams();
  for (const status of query.status ?? []) params.append('status', status);
  if (query.caseId) params.set('caseId', query.caseId);
  if (query.pageToken) params.set('pageToken', query.pageToken);
  if (query.pageSize) params.set('pageSize', String(query.pageSize));
  return params.toString();
}

/** The header that makes a retried create return the first result instead of creating twice. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

const caseUrl = (caseId: string) => `/api/cases/${encodeURIComponent(caseId)}`;
const refundUrl = (refundId: string) => `/api/refunds/${encodeURIComponent(refundId)}`;

/** Where a case's live updates are sent (server-sent events), optionally with the etag shown. */
export function caseEventsUrl(caseId: string, etag?: string): string {
  const base = `${caseUrl(caseId)}/events`;
  return etag ? `${base}?${new URLSearchParams({ etag }).toString()}` : base;
}

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

  getRefundQuote: (orderId: string, signal?: AbortSignal) =>
    http.get<RefundQuote>(`/api/orders/${encodeURIComponent(orderId)}/refund-quote`, signal),
  /**
   * Asks for a refund. `idempotencyKey` is made once per submission attempt by the caller and
   * sent again on a retry of that attempt, so the BFF creates at most one refund for it.
   */
  createRefund: (caseId: string, body: CreateRefundRequest, idempotencyKey: string) =>
    http.post<RefundResponse>(`${caseUrl(caseId)}/refunds`, body, { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey }),
  listRefunds: (query: RefundListQuery, signal?: AbortSignal) => {
    const qs = refundListQueryString(query);
    return http.get<RefundListResponse>(qs ? `/api/refunds?${qs}` : '/api/refunds', signal);
  },
  getRefund: (refundId: string, signal?: AbortSignal) => http.get<RefundResponse>(refundUrl(refundId), signal),
  cancelRefund: (refundId: string, body: CancelRefundRequest) =>
    http.post<RefundResponse>(`${refundUrl(refundId)}/cancel`, body),
  approveRefund: (refundId: string, body: ApproveRefundRequest) =>
    http.post<RefundResponse>(`${refundUrl(refundId)}/approve`, body),
  rejectRefund: (refundId: string, body: RejectRefundRequest) =>
    http.post<RefundResponse>(`${refundUrl(refundId)}/reject`, body),
  retryRefund: (refundId: string, body: RetryRefundRequest) =>
    http.post<RefundResponse>(`${refundUrl(refundId)}/retry`, body),

  getDashboard: (period: { from: string; to: string }, signal?: AbortSignal) =>
    http.get<Dashboard>(`/api/dashboard?${new URLSearchParams(period).toString()}`, signal),
};
