import type { Role } from '../api/types';

/** Where each role lands after signing in. */
export function homePath(role: Role): string {
  return role === 'customer' ? '/orders' : '/queue';
}

export const casePath = (caseId: string) => `/cases/${encodeURIComponent(caseId)}`;
export const newCasePath = (orderId: string) => `/orders/${encodeURIComponent(orderId)}/new-case`;
export const refundRequestPath = (caseId: string) => `/cases/${encodeURIComponent(caseId)}/refund`;
export const refundPath = (refundId: string) => `/refunds/${encodeURIComponent(refundId)}`;
export const APPROVALS_PATH = '/approvals';
export const DASHBOARD_PATH = '/dashboard';
