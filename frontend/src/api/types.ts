// Types of the BFF's JSON contract. The contract types come from `schema.gen.ts`, which
// `make gen` generates from the BFF's OpenAPI document (openapi-typescript): never edit that file
// by hand, and never hand-write a type here that the document describes. This file only gives
// the generated schemas the names the app uses, and adds the few shapes the document cannot
// describe (the query builders of the UI, the live-update event, problem bodies as they may
// arrive).

import type { components, operations } from './schema.gen';

type Schemas = components['schemas'];

// --- session -------------------------------------------------------------------------------------

export type User = Schemas['User'];
export type Role = User['role'];
export type SessionResponse = Schemas['SessionResponse'];
export type SignInRequest = Schemas['SignInRequest'];

// --- orders --------------------------------------------------------------------------------------

/** Money in integer minor units (cents) plus an ISO 4217 currency. Never a float. */
export type Money = Schemas['Money'];
export type Order = Schemas['Order'];
export type OrderStatus = Order['status'];
export type OrderLine = Schemas['OrderLine'];
export type OrdersResponse = Schemas['OrdersResponse'];

// --- cases ---------------------------------------------------------------------------------------

export type Case = Schemas['Case'];
export type CaseSummary = Case;
export type CaseCategory = Case['category'];
export type CasePriority = Case['priority'];
export type CaseStatus = Case['status'];
export type PersonRef = Schemas['Person'];
export type Author = Schemas['Actor'];
export type AuthorRole = Author['role'];
export type Message = Schemas['Message'];
export type TimelineEntry = Schemas['TimelineEntry'];
export type TimelineKind = TimelineEntry['kind'];
export type CasePage = Schemas['CasePage'];
export type CaseResponse = Schemas['CaseResponse'];
export type CaseListResponse = Schemas['CaseListResponse'];
export type CreateCaseRequest = Schemas['CreateCaseRequest'];
export type AddMessageResponse = Schemas['MessageResponse'];
export type AssignRequest = Schemas['AssignRequest'];
export type StatusAction = Schemas['StatusRequest']['action'];
export type ChangeStatusRequest = Schemas['StatusRequest'];
export type AgentsResponse = Schemas['AgentsResponse'];

/**
 * POST /api/cases/{caseId}/messages. `internal` has a default in the document, which
 * openapi-typescript turns into a required field; for a request it is optional.
 */
export type AddMessageRequest = Omit<Schemas['AddMessageRequest'], 'internal'> & { internal?: boolean };

/** PATCH /api/cases/{caseId}: the fields to change (the UI never sends null). */
export type UpdateCaseRequest = Schemas['UpdateCaseRequest'] & {
  priority?: CasePriority;
  category?: CaseCategory;
};

type CaseListParameters = NonNullable<operations['listCases']['parameters']['query']>;

export type AssigneeFilter = 'mine' | 'unassigned' | (string & {});
export type CaseSort = NonNullable<CaseListParameters['sort']>;

/** The queue's filters as the UI keeps them (one priority and category at a time). */
export interface CaseListQuery {
  status?: CaseStatus[];
  priority?: CasePriority;
  category?: CaseCategory;
  assignee?: AssigneeFilter;
  breached?: boolean;
  q?: string;
  sort?: CaseSort;
  pageToken?: string;
  pageSize?: number;
}

// --- refunds -------------------------------------------------------------------------------------

export type Refund = Schemas['Refund'];
export type RefundStatus = Refund['status'];
export type RefundReason = Refund['reason'];
export type RefundMethod = Refund['method'];
export type RequiredApproval = Refund['requiredApproval'];
export type RefundLine = Schemas['RefundLine'];
export type RefundDecision = Schemas['RefundDecision'];
export type RefundQuote = Schemas['RefundQuote'];
export type RefundableLine = Schemas['RefundableLine'];
export type RefundLineRequest = Schemas['RefundLineRequest'];
export type CreateRefundRequest = Schemas['CreateRefundRequest'];
export type RefundResponse = Schemas['RefundResponse'];
export type RefundListResponse = Schemas['RefundListResponse'];
export type CancelRefundRequest = Schemas['CancelRefundRequest'];
export type ApproveRefundRequest = Schemas['ApproveRefundRequest'];
export type RejectRefundRequest = Schemas['RejectRefundRequest'];
export type RetryRefundRequest = Schemas['RetryRefundRequest'];

type RefundListParameters = NonNullable<operations['listRefunds']['parameters']['query']>;

/** GET /api/refunds: the filters (all optional). */
export interface RefundListQuery {
  status?: RefundStatus[];
  caseId?: string;
  pageToken?: string;
  pageSize?: RefundListParameters['pageSize'];
}

// --- dashboard -----------------------------------------------------------------------------------

export type Dashboard = Schemas['Dashboard'];
export type StatusCount = Schemas['StatusCount'];
export type RefundStatistics = Schemas['RefundStatistics'];

// --- live updates --------------------------------------------------------------------------------

/**
 * The data of a `case-changed` server-sent event (GET /api/cases/{caseId}/events). Not in the
 * OpenAPI document, which can only say that the response is text/event-stream.
 */
export interface CaseChangedEvent {
  etag: string;
  /** What changed, e.g. "message_added", "status_changed", "refund_event"; "resync" after a gap. */
  kind: string;
  kinds?: string[];
}

// --- problems ------------------------------------------------------------------------------------

export type FieldError = Schemas['FieldProblem'];

/**
 * RFC 9457 problem details (application/problem+json), as they may arrive: every field is
 * checked before use, since a proxy or a crash can send something else.
 */
export type Problem = Partial<Omit<Schemas['Problem'], 'errors'>> & { errors?: FieldError[] | null };
