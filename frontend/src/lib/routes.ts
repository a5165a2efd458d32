import type { Role } from '../api/types';

/** Where each role lands after signing in. */
export function homePath(role: Role): string {
  return role === 'customer' ? '/orders' : '/queue';
}

export const casePath = (caseId: string) => `/cases/${encodeURIComponent(caseId)}`;
export const newCasePath = (orderId: string) => `/orders/${encodeURIComponent(orderId)}/new-case`;
